// The extensions the test host loads under development: Warden itself and the scripted chat model that the
// agent-mode suite drives Copilot with (test/agent-model, never packaged). The web workbench keeps only the
// last extensionDevelopmentPath of its payload, so both are offered as one folder holding a link to each.
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.mjs';

export const agentModelFolder = join(repoRoot, 'test', 'agent-model');
/** The Warden demo agent (demo-agent/): npm start installs it beside Warden, the screenshots load it. */
export const demoAgentFolder = join(repoRoot, 'demo-agent');

/** The extension folders, for a launcher that takes several (@vscode/test-electron). */
export function developmentExtensions() {
  return [repoRoot, agentModelFolder];
}

/**
 * One folder under `root` with a link to each extension folder, for a launcher that takes one: Warden and
 * the scripted test model, or with `demoAgent` Warden and the demo agent.
 */
export function developmentExtensionsFolder(root, { demoAgent = false } = {}) {
  const folder = join(root, 'extensions-under-development');
  mkdirSync(folder, { recursive: true });
  symlinkSync(repoRoot, join(folder, 'mcp-warden'), 'dir');
  if (demoAgent) symlinkSync(demoAgentFolder, join(folder, 'demo-agent'), 'dir');
  else symlinkSync(agentModelFolder, join(folder, 'agent-model'), 'dir');
  return folder;
}
