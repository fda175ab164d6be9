// The sample workspace both launchers open. Its .vscode/ is filled by the project; the folder is created
// here only so a checkout without it still starts.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceFolder } from './paths.mjs';

export function ensureWorkspace() {
  mkdirSync(join(workspaceFolder, '.vscode'), { recursive: true });
  return workspaceFolder;
}
