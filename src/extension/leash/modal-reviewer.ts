// The reviewer people see: a modal in Warden's own UI (never the chat) listing what loosens, tool by
// tool, with Apply, Keep the approved policy, and Show diff (the diff editor, then the same question).
import * as vscode from 'vscode';
import { visibleName } from '../../proxy/visible-text';
import type { ApprovedDocuments } from './approved-documents';
import type { PolicyChange, PolicyLoosening, PolicyReviewer, ReviewAnswer } from './policy-review';

const APPLY = 'Apply';
const KEEP = 'Keep the approved policy';
const SHOW_DIFF = 'Show diff';
const ACCEPT = 'Accept';
const KEEP_BLOCKED = 'Keep blocked';
const LISTED = 20;

export class ModalPolicyReviewer implements PolicyReviewer {
  constructor(private readonly documents: ApprovedDocuments) {}

  async review(change: PolicyChange, signal: AbortSignal): Promise<ReviewAnswer> {
    const message = change.kind === 'lockfile'
      ? `MCP Warden: a change to ${vscode.workspace.asRelativePath(change.file)} lets tools through that the approved pins hold back. The proxies keep the approved pins until you accept it.`
      : `MCP Warden: a change to ${vscode.workspace.asRelativePath(change.file)} loosens the policy. The proxies keep the approved policy until you apply it.`;
    const detail = describeLoosening(change.loosened);
    // For the lockfile: Accept the definitions as they are now, or keep the changed tools blocked.
    const [apply, keep] = change.kind === 'lockfile' ? [ACCEPT, KEEP_BLOCKED] : [APPLY, KEEP];
    for (;;) {
      if (signal.aborted) return 'keep';
      const answer = await vscode.window.showWarningMessage(message, { modal: true, detail }, apply, keep, SHOW_DIFF);
      if (signal.aborted) return 'keep';
      if (answer === apply) return 'apply';
      if (answer !== SHOW_DIFF) return 'keep';
      await this.documents.showDiff(change);
    }
  }
}

/** One line per loosening (`server › tool: what (before → after)`), names shown character for character. */
export function describeLoosening(loosened: readonly PolicyLoosening[]): string {
  const lines = loosened.slice(0, LISTED).map(looseningLine);
  if (loosened.length > LISTED) lines.push(`…and ${loosened.length - LISTED} more (Show diff)`);
  return lines.join('\n');
}

export function looseningLine(item: PolicyLoosening): string {
  const where = item.server === '*' ? 'the whole policy' : visibleName(item.server);
  const tool = item.tool === undefined ? '' : ` › ${visibleName(item.tool)}`;
  return `${where}${tool}: ${visibleName(item.what)} (${visibleName(item.before)} → ${visibleName(item.after)})`;
}
