// Reads and writes the files Warden edits (the policy, mcp.json) through the editor: an open document is
// edited in place with the smallest change and saved when it had no unsaved changes of its own; a file
// that is not open is written directly.
import * as vscode from 'vscode';
import { minimalChange } from '../../workbench/text-change';

/** The text as the user sees it (an open document's buffer), or undefined when the file does not exist. */
export async function readText(uri: vscode.Uri): Promise<string | undefined> {
  const open = vscode.workspace.textDocuments.find((document) => document.uri.toString() === uri.toString());
  if (open) return open.getText();
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return undefined;
  }
}

export type WriteResult = 'saved' | 'unsaved' | 'unchanged';

/**
 * Replaces the file's text with `after`. Returns `unsaved` when the document had unsaved changes before:
 * the edit is then in the editor but not on disk (the proxies read the disk), and the caller says so.
 */
export async function writeText(uri: vscode.Uri, after: string): Promise<WriteResult> {
  const open = vscode.workspace.textDocuments.find((document) => document.uri.toString() === uri.toString());
  if (!open) {
    const current = await readText(uri);
    if (current === after) return 'unchanged';
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(after));
    return 'saved';
  }
  const change = minimalChange(open.getText(), after);
  if (!change) return 'unchanged';
  const wasDirty = open.isDirty;
  const edit = new vscode.WorkspaceEdit();
  edit.replace(uri, new vscode.Range(open.positionAt(change.start), open.positionAt(change.end)), change.text);
  if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`VS Code refused the edit of ${vscode.workspace.asRelativePath(uri)}.`);
  if (wasDirty) return 'unsaved';
  await open.save();
  return 'saved';
}
