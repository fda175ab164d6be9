// The extensions the test host loads under development: Warden itself and the scripted chat model that the
// agent-mode suite drives Copilot with (test/agent-model, never packaged). The web workbench keeps only the
// last extensionDevelopmentPath of its payload, so both are offered as one folder holding a link to each.
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.mjs';

export const agentModelFolder = join(repoRoot, 'test', 'agent-model');

/** The extension folders, for a launcher that takes several (@vscode/test-electron). */
export function developmentExtensions() {
  return [repoRoot, agentModelFolder];
}

/** One folder under `root` with a link to each extension folder, for a launcher that takes one. */
export function developmentExtensionsFolder(root) {
  const folder = join(root, 'extensions-under-development');
  mkdirSync(folder, { recursive: true });
  symlinkSync(repoRoot, join(folder, 'mcp-warden'), 'dir');
  symlinkSync(agentModelFolder, join(folder, 'agent-model'), 'dir');
  return folder;
}
