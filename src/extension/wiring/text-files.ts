// Reads and writes the files Warden edits (the policy, mcp.json). The disk is the truth (the proxies read
// it), so a file is read from and written to disk, and an open editor without unsaved changes follows the
// disk by itself. Only a document with unsaved changes is edited in its buffer instead, with the smallest
// change, and left for the user to save.
import * as vscode from 'vscode';
import { minimalChange } from '../../workbench/text-change';

function dirtyDocument(uri: vscode.Uri): vscode.TextDocument | undefined {
  return vscode.workspace.textDocuments.find((document) => document.isDirty && document.uri.toString() === uri.toString());
}

/** The text as the user sees it (unsaved changes included), or undefined when the file does not exist. */
export async function readText(uri: vscode.Uri): Promise<string | undefined> {
  const dirty = dirtyDocument(uri);
  if (dirty) return dirty.getText();
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return undefined;
  }
}

export type WriteResult = 'saved' | 'unsaved' | 'unchanged';

/**
 * Replaces the file's text with `after`. Returns `unsaved` when the file has unsaved changes in an editor:
 * the edit is then in that editor but not on disk, and the caller says so.
 */
export async function writeText(uri: vscode.Uri, after: string): Promise<WriteResult> {
  const dirty = dirtyDocument(uri);
  if (!dirty) {
    if ((await readText(uri)) === after) return 'unchanged';
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(after));
    return 'saved';
  }
  const change = minimalChange(dirty.getText(), after);
  if (!change) return 'unchanged';
  const edit = new vscode.WorkspaceEdit();
  edit.replace(uri, new vscode.Range(dirty.positionAt(change.start), dirty.positionAt(change.end)), change.text);
  if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`VS Code refused the edit of ${vscode.workspace.asRelativePath(uri)}.`);
  return 'unsaved';
}
