// The extensions the test host loads under development: Warden itself, the scripted chat model that the
// agent-mode suite drives Copilot with (test/agent-model, never packaged), and the Warden demo agent that
// npm start installs (demo-agent/, tested here; in a test run it leaves the stage to the tests). The web
// workbench keeps only the last extensionDevelopmentPath of its payload, so all are offered as one folder
// holding a link to each.
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.mjs';

export const agentModelFolder = join(repoRoot, 'test', 'agent-model');
/** The Warden demo agent (demo-agent/): npm start installs it beside Warden. */
export const demoAgentFolder = join(repoRoot, 'demo-agent');

/** The extension folders, for a launcher that takes several (@vscode/test-electron). */
export function developmentExtensions() {
  return [repoRoot, agentModelFolder, demoAgentFolder];
}

/** One folder under `root` with a link to each extension folder, for a launcher that takes one. */
export function developmentExtensionsFolder(root) {
  const folder = join(root, 'extensions-under-development');
  mkdirSync(folder, { recursive: true });
  symlinkSync(repoRoot, join(folder, 'mcp-warden'), 'dir');
  symlinkSync(agentModelFolder, join(folder, 'agent-model'), 'dir');
  symlinkSync(demoAgentFolder, join(folder, 'demo-agent'), 'dir');
  return folder;
}
