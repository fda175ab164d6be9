// Runs the same extension suite in a desktop VS Code through @vscode/test-electron, where one is installed
// (VSCODE_EXECUTABLE_PATH). Nothing is downloaded: the executable must already be there.
import { runTests } from '@vscode/test-electron';

/**
 * @returns {Promise<{ exitCode: number } | { timedOut: true }>}
 */
export async function runSuiteInElectron({ vscodeExecutablePath, dirs, extensionPath, suitePath, workspace, timeoutMs, env }) {
  const run = runTests({
    vscodeExecutablePath,
    extensionDevelopmentPath: extensionPath,
    extensionTestsPath: suitePath,
    extensionTestsEnv: { XDG_CONFIG_HOME: dirs.xdgConfig, XDG_DATA_HOME: dirs.xdgData, ...env },
    launchArgs: [
      workspace,
      '--disable-extensions', // only the extension under development
      `--user-data-dir=${dirs.userData}`,
      `--extensions-dir=${dirs.extensions}`,
    ],
  }).then(
    () => ({ exitCode: 0 }),
    (error) => ({ exitCode: typeof error?.code === 'number' && error.code !== 0 ? error.code : 1, error }),
  );
  let timer;
  const timeout = new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs, { timedOut: true })));
  const outcome = await Promise.race([run, timeout]);
  clearTimeout(timer);
  return outcome;
}
