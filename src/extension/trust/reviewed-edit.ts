// The policy edits Warden's commands make, for whoever runs them. A command run from Warden's tree (its
// argument is a node the tree handed out) is a person's act and writes at once. Run with any other argument
// (a name, `{ server, tool }`: another extension, a keybinding, an agent running commands), the edit is
// first compared with the approved policy, and if it loosens anything the policy-changes reviewer is
// asked before anything is written; 'keep' (or no answer) writes nothing.
import * as vscode from 'vscode';
import { comparePolicyTexts } from '../../policy/policy-compare';
import { reviewLoosening } from '../leash/review-loosening';
import type { PolicyLoosening } from '../leash/policy-review';
import type { PolicyState } from '../wiring/policy-state';
import { readText } from '../wiring/text-files';
import { isTreeNode } from './tree-nodes';

export type KnownTools = ReadonlyMap<string, readonly string[]>;

export interface EditRequest {
  /** The command's argument, as it was passed. */
  target: unknown;
  /** The policy edit the command makes. */
  edit: (text: string) => string;
  knownTools: () => KnownTools;
  /** What the command does besides editing the policy that loosens too (Unprotect: the server runs without Warden). */
  alsoLoosens?: PolicyLoosening[];
  /** Loosenings the command's own gate covers (Protect: its launch entry waits for its own approval). */
  ignore?: (loosening: PolicyLoosening) => boolean;
}

/** True when the edit may be written: a person's act, nothing loosens, or the reviewer applied it. */
export async function mayEdit(policy: PolicyState, request: EditRequest): Promise<boolean> {
  if (isTreeNode(request.target)) return true;
  const uri = policy.uri;
  if (!uri) return true; // editPolicy says there is no folder; nothing is written.
  const file = uri.fsPath;
  const approved = policy.leash.approvedText(file);
  const text = await readText(uri);
  // No policy yet: creating one is asked (modal) by the writer itself.
  if (approved === undefined && text === undefined) return request.alsoLoosens === undefined || request.alsoLoosens.length === 0 || (await ask(file, request.alsoLoosens, undefined));
  // What becomes approved: the edit of the approved text (the file's, when it does not apply there).
  const proposed = applied(request.edit, approved) ?? applied(request.edit, text);
  if (proposed === undefined) return true; // The writer reports why the edit does not apply, and writes nothing.
  const compared = comparePolicyTexts(approved ?? text, proposed, file, request.knownTools());
  const loosened = [
    ...(request.alsoLoosens ?? []),
    ...(compared.ok ? compared.loosened.filter((item) => !request.ignore?.(item)) : [{ server: '*', what: 'policy', before: 'valid', after: compared.reason }]),
  ];
  return loosened.length === 0 || (await ask(file, loosened, proposed));
}

function applied(edit: (text: string) => string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    return edit(text);
  } catch {
    return undefined;
  }
}

async function ask(file: string, loosened: readonly PolicyLoosening[], proposed: string | undefined): Promise<boolean> {
  if ((await reviewLoosening(file, loosened, new AbortController().signal, proposed)) === 'apply') return true;
  void vscode.window.showInformationMessage('MCP Warden: the change was not applied; the approved policy stays.');
  return false;
}
