// Installs the offline VS Code host into .vscode-test/host: Node 24 (the VS Code server needs it; Node 20
// lacks `node:module`'s registerHooks), then code-server, whose package carries the VS Code server.
// A marker written after both installs makes a second run return at once.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { BUILD_PACKAGES, requireDebianPackages } from './debian-packages.mjs';
import { HostError, say } from './log.mjs';
import {
  CODE_SERVER_VERSION, NODE_PACKAGE, NODE_VERSION, codeServerCli, codeServerInstallDir, codeServerRoot,
  nodeBinDir, nodeExecutable, nodeInstallDir, nodeRoot, readyMarker, serverMain,
} from './paths.mjs';

const wanted = { [NODE_PACKAGE]: NODE_VERSION, 'code-server': CODE_SERVER_VERSION };

/** The installed host's entry points. */
function host() {
  return { nodeExecutable, serverMain, codeServerCli };
}

function isProvisioned() {
  try {
    const marker = JSON.parse(readFileSync(readyMarker, 'utf8'));
    return Object.entries(wanted).every(([name, version]) => marker[name] === version) &&
      existsSync(nodeExecutable) && existsSync(serverMain) && existsSync(codeServerCli);
  } catch {
    return false;
  }
}

/** Returns the host's entry points, installing it first unless the marker says it is complete. */
export async function provisionHost() {
  if (isProvisioned()) {
    say(`VS Code host found: code-server ${CODE_SERVER_VERSION} on Node ${NODE_VERSION} in ${relativeToCwd(join(nodeInstallDir, '..'))}`);
    return host();
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new HostError(`The offline VS Code host is provisioned for linux-x64 only (this is ${process.platform}-${process.arch}).`);
  }
  requireDebianPackages(BUILD_PACKAGES, 'Building code-server');
  const started = Date.now();
  say(`provisioning the VS Code host into ${relativeToCwd(join(nodeInstallDir, '..'))}`);
  await installNode();
  await installCodeServer();
  if (!existsSync(serverMain)) throw new HostError(`code-server installed, but ${serverMain} is missing.`);
  writeFileSync(readyMarker, JSON.stringify(wanted, null, 2) + '\n');
  say(`VS Code host ready after ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return host();
}

async function installNode() {
  if (existsSync(nodeExecutable) && installedVersion(nodeRoot) === NODE_VERSION) {
    say(`Node ${NODE_VERSION} already installed`);
    return;
  }
  say(`installing Node ${NODE_VERSION} (npm package ${NODE_PACKAGE})`);
  writeManifest(nodeInstallDir, { [NODE_PACKAGE]: NODE_VERSION }, {});
  await npmInstall(nodeInstallDir, ownNpmEnv());
}

async function installCodeServer() {
  say(`installing code-server ${CODE_SERVER_VERSION} with Node ${NODE_VERSION}: native builds, about two minutes`);
  // npm 11 runs dependency install scripts only for packages named in allowScripts (npm 10 ignores the
  // field and runs them all). code-server builds the VS Code server in its postinstall; argon2 is native.
  writeManifest(codeServerInstallDir, { 'code-server': CODE_SERVER_VERSION }, { 'code-server': true, argon2: true });
  await npmInstall(codeServerInstallDir, {
    ...ownNpmEnv(),
    // Node 24 first on PATH so npm, node-gyp and code-server's postinstall all run on it...
    PATH: `${nodeBinDir}${delimiter}${process.env.PATH ?? ''}`,
    // ...and its own headers, not those a user's npmrc may name (nodedir=/usr is Node 20's).
    npm_config_nodedir: nodeRoot,
  });
  if (installedVersion(codeServerRoot) !== CODE_SERVER_VERSION) {
    throw new HostError(`code-server ${CODE_SERVER_VERSION} did not install into ${codeServerRoot}.`);
  }
}

/**
 * This process's environment without what an enclosing `npm run` exported (npm_config_user_agent names
 * Node 20, and code-server's postinstall refuses to build when it reads that), so the installs below
 * see only the user's own npm configuration.
 */
function ownNpmEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) && name !== 'INIT_CWD' && name !== 'NODE'));
}

function writeManifest(dir, dependencies, allowScripts) {
  mkdirSync(dir, { recursive: true });
  const manifest = { name: 'vscode-test-host', private: true, description: 'Cache of the offline VS Code test host', dependencies, allowScripts };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
}

function installedVersion(packageRoot) {
  try {
    return JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

function npmInstall(cwd, env) {
  const args = ['install', '--no-audit', '--no-fund', '--omit=dev', '--no-package-lock'];
  return new Promise((resolve, reject) => {
    const child = spawn('npm', args, { cwd, env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', (error) => reject(new HostError(`could not run npm in ${cwd}: ${error.message}`)));
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new HostError(`npm ${args.join(' ')} failed in ${cwd} (${signal ?? `exit code ${code}`}); see the output above.`));
    });
  });
}

function relativeToCwd(path) {
  return path.startsWith(process.cwd() + '/') ? path.slice(process.cwd().length + 1) : path;
}
