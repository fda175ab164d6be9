// Every change Warden makes to the policy goes through here: read the file (or the open editor's text),
// apply a comment-preserving edit, write it back, and read it again so the views follow at once. What
// Warden writes is a person's act (a click in its tree, or a change the review applied), so the text it
// writes becomes the approved policy when the file holds it, without a second prompt.
import * as vscode from 'vscode';
import { YamlEditError } from '../../policy/yaml-splice';
import { STARTER_POLICY } from '../policy-location';
import type { PolicyState } from './policy-state';
import { readText, writeText } from './text-files';

/**
 * Applies `edit` to the policy, on behalf of a person (callers run the review first when the edit loosens
 * and its request may not come from a person). A missing file is created from the starter policy after
 * asking (unless `create` says). Returns false when nothing was written; the user has been told why.
 */
export async function editPolicy(policy: PolicyState, edit: (text: string) => string, options: { create?: boolean } = {}): Promise<boolean> {
  const uri = policy.uri;
  if (!uri) {
    void vscode.window.showWarningMessage('MCP Warden: open a folder first; the policy lives in the workspace.');
    return false;
  }
  let text = await readText(uri);
  const base = text;
  if (text === undefined) {
    const create = options.create ?? (await vscode.window.showInformationMessage(`MCP Warden: there is no policy at ${vscode.workspace.asRelativePath(uri)} yet. Create it?`, { modal: true }, 'Create')) === 'Create';
    if (!create) return false;
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(uri, '..'));
    text = STARTER_POLICY;
  }
  let next: string;
  try {
    next = edit(text);
  } catch (error) {
    const message = error instanceof YamlEditError ? error.message : `the edit failed: ${(error as Error).message}`;
    void vscode.window.showErrorMessage(`MCP Warden: ${vscode.workspace.asRelativePath(uri)}: ${message}`);
    return false;
  }
  policy.leash.ownEdit(uri.fsPath, base, next, edit);
  const result = await writeText(uri, next);
  if (result === 'unsaved') {
    void vscode.window.showWarningMessage(`MCP Warden: ${vscode.workspace.asRelativePath(uri)} had unsaved changes, so the edit waits in the editor: save the file to apply it.`);
  }
  await policy.reload();
  return true;
}
