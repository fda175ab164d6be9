// Every change Warden makes to the lockfile goes through here: read the file, apply the edit to the
// lockfile it holds, write it in the lockfile's stable layout, and read it again. Callers write only on a
// person's act (a click in the tree, or an answer in Warden's modal), so what is written is approved at once
// (the leash's ownEdit); a loosening already waiting in the file is not: the edit is applied to the
// approved lockfile instead, and the rest still waits.
import * as vscode from 'vscode';
import { emptyLockfile, formatLockfile, parseLockfile, type Lockfile } from '../../pinning/lockfile';
import { readText, writeText } from '../wiring/text-files';
import type { LockState } from './lock-state';

export type LockEdit = (lockfile: Lockfile) => Lockfile;

/** The lockfile as the file holds it (none: empty), or why it cannot be edited. */
export async function currentLock(locks: LockState): Promise<{ uri: vscode.Uri; base: string | undefined; lockfile: Lockfile } | { problem: string }> {
  const uri = locks.uri;
  if (!uri) return { problem: 'open a folder first; the lockfile lives beside the policy in the workspace' };
  const base = await readText(uri);
  if (base === undefined) return { uri, base, lockfile: emptyLockfile() };
  const parsed = parseLockfile(base);
  if (!parsed.lockfile) return { problem: `${vscode.workspace.asRelativePath(uri)} is not a valid lockfile (${parsed.errors[0]}); fix or delete it first` };
  return { uri, base, lockfile: parsed.lockfile };
}

/** The text `edit` makes of the lockfile's text (throws when the text is not a lockfile). */
export function editedText(text: string | undefined, edit: LockEdit): string {
  if (text === undefined) return formatLockfile(edit(emptyLockfile()));
  const parsed = parseLockfile(text);
  if (!parsed.lockfile) throw new Error('not a lockfile');
  return formatLockfile(edit(parsed.lockfile));
}

/** Writes the edited lockfile on a person's behalf. False when nothing was written; the user was told why. */
export async function writeLock(locks: LockState, edit: LockEdit): Promise<boolean> {
  const current = await currentLock(locks);
  if ('problem' in current) {
    void vscode.window.showErrorMessage(`MCP Warden: ${current.problem}.`);
    return false;
  }
  const { uri, base, lockfile } = current;
  const next = formatLockfile(edit(lockfile));
  locks.leash.ownEdit(uri.fsPath, base, next, (text) => editedText(text, edit));
  await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(uri, '..'));
  const result = await writeText(uri, next);
  if (result === 'unsaved') void vscode.window.showWarningMessage(`MCP Warden: ${vscode.workspace.asRelativePath(uri)} had unsaved changes, so the pins wait in the editor: save the file to apply them.`);
  await locks.reload();
  return true;
}
