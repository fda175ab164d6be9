// `vscode-host.mjs test`: runs the compiled extension suite inside a real VS Code and exits with its result.
// With VSCODE_EXECUTABLE_PATH it uses that desktop VS Code (@vscode/test-electron); otherwise the offline
// VS Code server from .vscode-test/, driven by headless Chromium. After the main suite, a short second run
// starts the server with Workspace Trust on (the sample opens untrusted) for the suite in untrusted/.
// EXTENSION_SUITE=untrusted runs only that one; with MOCHA_GREP only the main one runs.
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { runSuiteInBrowser } from './browser-suite.mjs';
import { interruption } from './cleanup.mjs';
import { requireChromium } from './debian-packages.mjs';
import { developmentExtensions, developmentExtensionsFolder } from './development-extensions.mjs';
import { runSuiteInElectron } from './electron-suite.mjs';
import { HostError, say } from './log.mjs';
import { chromiumExecutable, repoRoot, suiteEntry } from './paths.mjs';
import { provisionHost } from './provision.mjs';
import { freePort, logTail, startServer } from './server.mjs';
import { RESULT_FILE_VARIABLE, readSuiteResult, summaryLine } from './suite-result.mjs';
import { makeRunDirs } from './temp-dirs.mjs';
import { ensureWorkspace } from './workspace.mjs';

const DEFAULT_TIMEOUT_MS = 180_000;

/** @returns {Promise<number>} the process exit code */
export async function runTestCommand() {
  if (!existsSync(suiteEntry)) {
    throw new HostError(`${relative(repoRoot, suiteEntry)} is missing: run \`npm run compile-tests\` first.`);
  }
  // TEST_WORKSPACE: another folder to open, e.g. an empty one, where nothing activates the extension at startup.
  const workspace = process.env.TEST_WORKSPACE ? resolve(process.env.TEST_WORKSPACE) : ensureWorkspace();
  const timeoutMs = Number(process.env.EXTENSION_TEST_TIMEOUT_MS) || DEFAULT_TIMEOUT_MS;
  const dirs = makeRunDirs('vscode-test-');
  const resultFile = join(dirs.root, 'suite-result.json');
  const env = {
    [RESULT_FILE_VARIABLE]: resultFile,
    ...reporterColour(),
    // Every line the sample's security scanner receives, so the agent-mode suite can prove what reached it.
    SECURITY_SCANNER_RECORD_FILE: join(dirs.root, 'security-scanner.jsonl'),
    ...(process.env.MOCHA_GREP ? { MOCHA_GREP: process.env.MOCHA_GREP } : {}),
  };
  const suite = { suitePath: suiteEntry, workspace, timeoutMs };
  const started = Date.now();
  const only = process.env.EXTENSION_SUITE;
  if (only !== undefined && only !== 'main' && only !== UNTRUSTED_SUITE) throw new HostError(`EXTENSION_SUITE is main or ${UNTRUSTED_SUITE}, not ${only}`);
  if (only === UNTRUSTED_SUITE) return runUntrustedSuite({ workspace, dirs });

  let outcome;
  const logFile = join(dirs.root, 'server.log');
  const desktop = process.env.VSCODE_EXECUTABLE_PATH;
  if (desktop) {
    say(`running the extension suite in the desktop VS Code at ${desktop}`);
    outcome = await runSuiteInElectron({ ...suite, extensionPath: developmentExtensions(), vscodeExecutablePath: desktop, dirs, env });
  } else {
    requireChromium(chromiumExecutable);
    const host = await provisionHost();
    const serverStarted = Date.now();
    const server = await startServer({ host, port: await freePort(), smokeTest: true, dirs, logFile, env });
    say(`VS Code server up on ${server.url} after ${seconds(serverStarted)}; running the extension suite in headless Chromium`);
    outcome = await runSuiteInBrowser({ ...suite, extensionPath: developmentExtensionsFolder(dirs.root), server, chromiumExecutable, profileDir: dirs.browserProfile,
      screenshot: process.env.SCREENSHOT, workbenchLog: join(dirs.root, 'workbench.log') });
    await server.stop();
  }
  if (interruption() !== undefined) return interruption();
  const exitCode = judge(outcome, readSuiteResult(resultFile), { timeoutMs, logFile: desktop ? undefined : logFile, started });
  if (exitCode !== 0 && !desktop) {
    dirs.keep();
    say(`logs of this run are kept in ${dirs.root} (server.log, workbench.log)`);
  }
  if (exitCode !== 0 || desktop || only === 'main' || process.env.MOCHA_GREP || process.env.TEST_WORKSPACE) return exitCode;
  return runUntrustedSuite({ workspace, dirs });
}

const UNTRUSTED_SUITE = 'untrusted';
const UNTRUSTED_TIMEOUT_MS = 90_000;

/** The suite in untrusted/, in a VS Code server of its own with Workspace Trust on: the sample opens untrusted. */
async function runUntrustedSuite({ workspace, dirs: mainDirs }) {
  requireChromium(chromiumExecutable);
  const host = await provisionHost();
  const dirs = makeRunDirs('vscode-untrusted-');
  const resultFile = join(dirs.root, 'suite-result.json');
  const logFile = join(dirs.root, 'server.log');
  const env = { [RESULT_FILE_VARIABLE]: resultFile, EXTENSION_SUITE: UNTRUSTED_SUITE, ...reporterColour() };
  const started = Date.now();
  const server = await startServer({ host, port: await freePort(), smokeTest: true, dirs, logFile, env, workspaceTrust: true });
  say(`VS Code server with Workspace Trust on, up on ${server.url} after ${seconds(started)}; running the untrusted-workspace suite`);
  const outcome = await runSuiteInBrowser({ suitePath: suiteEntry, workspace, timeoutMs: UNTRUSTED_TIMEOUT_MS, extensionPath: developmentExtensionsFolder(dirs.root),
    server, chromiumExecutable, profileDir: dirs.browserProfile, workbenchLog: join(dirs.root, 'workbench.log') });
  await server.stop();
  if (interruption() !== undefined) return interruption();
  const exitCode = judge(outcome, readSuiteResult(resultFile), { timeoutMs: UNTRUSTED_TIMEOUT_MS, logFile, started });
  if (exitCode !== 0) {
    dirs.keep();
    mainDirs.keep();
    say(`logs of the untrusted run are kept in ${dirs.root} (server.log, workbench.log)`);
  }
  return exitCode;
}

function judge(outcome, result, { timeoutMs, logFile, started }) {
  if ('timedOut' in outcome) {
    say(`the extension suite did not finish within ${timeoutMs / 1000} s (raise EXTENSION_TEST_TIMEOUT_MS to allow more)${logTail(logFile)}`);
  } else if ('serverExited' in outcome) {
    say(`the VS Code server exited (${outcome.serverExited}) while the suite ran${logTail(logFile)}`);
  } else if (!result) {
    say(`the extension suite ended with code ${outcome.exitCode} without reporting a result; did it load?${logTail(logFile)}`);
  }
  if (result) console.log(summaryLine(result));
  const ran = result ? result.passed + result.failed : 0;
  if (result && ran === 0) say('no test ran: check MOCHA_GREP and that out/test/extension holds compiled *.test.js files');
  const passed = 'exitCode' in outcome && outcome.exitCode === 0 && result?.failed === 0 && ran > 0;
  say(`extension suite ${passed ? 'passed' : 'FAILED'} after ${seconds(started)}`);
  return passed ? 0 : 1;
}

function seconds(since) {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

/** The suites' reporter colours its output only for a terminal (or when asked to). */
function reporterColour() {
  return process.stdout.isTTY || process.env.FORCE_COLOR ? {} : { NO_COLOR: '1' };
}
