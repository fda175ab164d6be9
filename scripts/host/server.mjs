// Starts the VS Code server (code-server's lib/vscode/out/server-main.js) on Node 24 in a process group of
// its own, waits until it answers, and stops the whole group when asked or when the launcher ends.
import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { onCleanup } from './cleanup.mjs';
import { HostError, say } from './log.mjs';

const READY_TIMEOUT_MS = 60_000;

/** A port the OS says is free right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/**
 * @param {object} options
 * @param {{nodeExecutable: string, serverMain: string}} options.host
 * @param {number} options.port
 * @param {boolean} options.smokeTest  lets a browser run the extension suite named in the URL
 * @param {{userData: string, serverData: string, extensions: string, xdgConfig: string, xdgData: string}} options.dirs
 * @param {string | undefined} options.logFile  server output goes here, or to this process's output if absent
 * @param {Record<string, string>} [options.env]  extra variables, inherited by the extension host
 * @param {string[]} [options.extraArgs]  more server options
 * @param {boolean} [options.workspaceTrust]  keep Workspace Trust on (the folder then opens untrusted)
 */
export async function startServer({ host, port, smokeTest, dirs, logFile, env = {}, extraArgs = [], workspaceTrust = false }) {
  const args = [
    host.serverMain,
    '--host', '127.0.0.1',
    '--port', String(port),
    '--without-connection-token',
    '--accept-server-license-terms',
    '--disable-telemetry',
    ...(workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--user-data-dir', dirs.userData,
    '--server-data-dir', dirs.serverData,
    '--extensions-dir', dirs.extensions,
    ...(smokeTest ? ['--enable-smoke-test-driver'] : []),
    ...extraArgs,
  ];
  const child = spawn(host.nodeExecutable, args, {
    detached: true, // own process group: the extension host and its children go with it
    stdio: ['ignore', logFile ? 'pipe' : 'inherit', logFile ? 'pipe' : 'inherit'],
    env: { ...process.env, XDG_CONFIG_HOME: dirs.xdgConfig, XDG_DATA_HOME: dirs.xdgData, ...env },
  });
  if (logFile) {
    const log = createWriteStream(logFile);
    child.stdout.pipe(log);
    child.stderr.pipe(log);
  }
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await killGroup(child.pid, exited);
  };
  onCleanup(stop);
  // Last resort if the launcher exits without running its cleanups.
  process.once('exit', () => stopped || signalGroup(child.pid, 'SIGKILL'));
  child.once('error', (error) => say(`could not start the VS Code server: ${error.message}`));

  const url = `http://127.0.0.1:${port}`;
  await waitUntilServing(url, exited, logFile);
  return { url, port, exited, stop };
}

async function waitUntilServing(url, exited, logFile) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let exit;
  exited.then((value) => (exit = value));
  while (Date.now() < deadline) {
    if (exit !== undefined) throw new HostError(`The VS Code server exited (${exit}) before serving.${logTail(logFile)}`);
    try {
      const response = await fetch(`${url}/version`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new HostError(`The VS Code server did not answer on ${url} within ${READY_TIMEOUT_MS / 1000} s.${logTail(logFile)}`);
}

async function killGroup(pid, exited) {
  if (!signalGroup(pid, 'SIGTERM')) return;
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
  // The server may have gone while a child in its group (the extension host) lingers: end the group either way.
  signalGroup(pid, 'SIGKILL');
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false; // the group is already gone
  }
}

export function logTail(logFile, lines = 30) {
  if (!logFile) return '';
  try {
    const tail = readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    return `\n--- last lines of ${logFile} ---\n${tail}`;
  } catch {
    return '';
  }
}
