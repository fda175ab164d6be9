// `vscode-host.mjs start` (npm start): packages the extension and the Warden demo agent (demo-agent/, a
// scripted chat model for trying Warden in Copilot's agent mode), installs both .vsix files into a fresh
// extensions folder, seeds the served profile's user settings, and serves a real VS Code on the sample
// workspace at http://127.0.0.1:PORT until Ctrl+C.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, relative } from 'node:path';
import { cleanUp } from './cleanup.mjs';
import { demoAgentFolder } from './development-extensions.mjs';
import { HostError, say } from './log.mjs';
import { cacheDir, repoRoot } from './paths.mjs';
import { provisionHost } from './provision.mjs';
import { seedUserSettings } from './served-profile.mjs';
import { startServer } from './server.mjs';
import { makeTempFolder, tempFolderEnv } from './temp-dirs.mjs';
import { ensureWorkspace } from './workspace.mjs';

const DEFAULT_PORT = 8080;
const startDir = join(cacheDir, 'start');

/** @returns {Promise<number>} the process exit code, once the server has stopped */
export async function runStartCommand() {
  const port = Number(process.env.PORT) || DEFAULT_PORT;
  await requireFreePort(port);
  const workspace = ensureWorkspace();
  const vsix = await packageExtension(repoRoot, 'mcp-warden.vsix');
  // The demo agent is an extension of its own, beside Warden: never inside Warden's package.
  const demoAgent = await packageExtension(demoAgentFolder, 'warden-demo-agent.vsix', ['--skip-license']);
  const host = await provisionHost();
  const dirs = startDirs();
  await installExtensions(host, [vsix, demoAgent], dirs);
  seedUserSettings(dirs.userData);

  // What the server and Warden make in the temporary folder (the control socket's) goes with this run.
  const env = tempFolderEnv(makeTempFolder('vscode-start-'));
  const server = await startServer({ host, port, smokeTest: false, dirs, logFile: undefined, env, extraArgs: ['--default-folder', workspace] });
  say(`VS Code with the packaged extension is serving ${relative(repoRoot, workspace)} at ${server.url}`);
  say(`open ${server.url} in a browser; Ctrl+C stops the server`);
  const how = await server.exited;
  await cleanUp();
  return how === 0 ? 0 : 1;
}

async function packageExtension(folder, name, extraOptions = []) {
  mkdirSync(startDir, { recursive: true });
  const vsix = join(startDir, name);
  say(`packaging ${relative(repoRoot, folder) || 'the extension'} into ${relative(repoRoot, vsix)}`);
  // Installed locally, never published: no repository URL is needed, nor README links rewritten to point at one.
  const options = ['--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', ...extraOptions];
  // vsce from the repository's own dependencies, whichever folder it packages.
  const vsce = join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
  await run(process.execPath, [vsce, 'package', ...options, '--out', vsix], { cwd: folder }, `vsce package (${name})`);
  return vsix;
}

/** A fresh extensions folder each start, so only the just-packaged extension is installed; user data is kept. */
function startDirs() {
  const dirs = {
    userData: join(startDir, 'user-data'),
    serverData: join(startDir, 'server-data'),
    extensions: join(startDir, 'extensions'),
    xdgConfig: join(startDir, 'xdg-config'),
    xdgData: join(startDir, 'xdg-data'),
  };
  rmSync(dirs.extensions, { recursive: true, force: true });
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  return dirs;
}

async function installExtensions(host, vsixes, dirs) {
  say(`installing ${vsixes.map((vsix) => relative(repoRoot, vsix)).join(', ')} into ${relative(repoRoot, dirs.extensions)}`);
  await run(host.nodeExecutable, [
    host.codeServerCli, ...vsixes.flatMap((vsix) => ['--install-extension', vsix]), '--extensions-dir', dirs.extensions, '--user-data-dir', dirs.userData,
  ], { env: { ...process.env, XDG_CONFIG_HOME: dirs.xdgConfig, XDG_DATA_HOME: dirs.xdgData } }, 'code-server --install-extension');
}

function requireFreePort(port) {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', () => reject(new HostError(`port ${port} is in use on 127.0.0.1: set PORT to another one`)));
    probe.listen(port, '127.0.0.1', () => probe.close(resolve));
  });
}

function run(command, args, options, what) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', (error) => reject(new HostError(`${what} could not start: ${error.message}`)));
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new HostError(`${what} failed (${signal ?? `exit code ${code}`})`))));
  });
}
