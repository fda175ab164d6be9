// VS Code asks before an agent edits the files `chat.tools.edits.autoApprove` sets to false. Warden's policy
// and lock files join them, so an agent's edit of the policy meets VS Code's own prompt first (the approved
// policy is the lock that holds whatever the answer; this is the first line). The setting is
// application-scoped, for which VS Code takes no `configurationDefaults` from extensions, so the entries
// are added once to the user's value (VS Code's defaults kept when there was none); a user who later
// changes them is not overruled.
import * as vscode from 'vscode';

export const POLICY_FILE_GLOBS = ['**/.vscode/mcp-policy.yaml', '**/*.mcp-policy.yaml', '**/*.mcp-policy.yml', '**/*.mcp-policy.lock', '**/.vscode/mcp-policy.lock'];
const ADDED_KEY = 'mcpWarden.agentEditGuardAdded';

export async function guardPolicyFilesFromAgentEdits(state: vscode.Memento, log: vscode.LogOutputChannel): Promise<void> {
  if (state.get<boolean>(ADDED_KEY)) return;
  const settings = vscode.workspace.getConfiguration('chat.tools.edits');
  const inspected = settings.inspect<Record<string, unknown>>('autoApprove');
  if (!inspected || inspected.defaultValue === undefined) return; // A VS Code without the setting.
  const current = inspected.globalValue ?? inspected.defaultValue;
  const missing = POLICY_FILE_GLOBS.filter((glob) => current[glob] !== false);
  try {
    if (missing.length > 0) {
      await settings.update('autoApprove', { ...current, ...Object.fromEntries(missing.map((glob) => [glob, false])) }, vscode.ConfigurationTarget.Global);
      log.info(`chat.tools.edits.autoApprove: VS Code now asks before an agent edits ${missing.join(', ')}`);
    }
    await state.update(ADDED_KEY, true);
  } catch (error) {
    log.warn(`could not add the policy files to chat.tools.edits.autoApprove: ${(error as Error).message}`);
  }
}
