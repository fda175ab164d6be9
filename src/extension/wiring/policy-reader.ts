// Reads the workspace policy by the proxy's rules: links followed, only a regular file of at most
// MAX_POLICY_BYTES, never blocking on a FIFO or device; anything else is a problem with its reason.
import * as vscode from 'vscode';
import { MAX_POLICY_BYTES } from '../../proxy/policy-source';
import { describeBytes, readRegularFile } from '../../proxy/regular-file';

export type PolicyText =
  | { text: string; /** The file read, links resolved (local files only). */ target?: string }
  | { missing: true }
  | { problem: string };

/** `what` names the file in problems; the lockfile beside the policy is read by the same rules with its own limit. */
export async function readPolicyText(uri: vscode.Uri, maxBytes: number = MAX_POLICY_BYTES, what = 'The policy file'): Promise<PolicyText> {
  if (uri.scheme === 'file') {
    const read = await readRegularFile(uri.fsPath, maxBytes);
    if (read.ok) return { text: read.text, target: read.target };
    return read.missing ? { missing: true } : { problem: `${what} ${read.problem}` };
  }
  // A file system of an extension (remote, virtual): its stat says what the file is before it is read.
  let stat: vscode.FileStat;
  try {
    stat = await vscode.workspace.fs.stat(uri);
  } catch {
    return { missing: true };
  }
  if ((stat.type & vscode.FileType.File) === 0) return { problem: `${what} is not a regular file; it is not read.` };
  if (stat.size > maxBytes) return { problem: `${what} is ${stat.size} bytes, over the limit of ${describeBytes(maxBytes)}; it is not read.` };
  try {
    return { text: new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)) };
  } catch (error) {
    return { problem: `${what} cannot be read: ${(error as Error).message}` };
  }
}
