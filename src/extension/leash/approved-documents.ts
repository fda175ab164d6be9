// Read-only documents of the approved policy (and of a command's proposed text) for the diff editor:
// `mcp-warden-approved:<policy path>` is the approved text, `...?proposed` the text under review.
import * as vscode from 'vscode';
import { Disposable } from '../lifecycle';
import type { ApprovedStore } from './approved-store';
import type { PolicyChange } from './policy-review';

export const APPROVED_SCHEME = 'mcp-warden-approved';

export class ApprovedDocuments extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly changed = this.register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this.changed.event;
  private readonly proposals = new Map<string, string>();

  constructor(private readonly store: ApprovedStore) {
    super();
    this.register(vscode.workspace.registerTextDocumentContentProvider(APPROVED_SCHEME, this));
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const file = uri.with({ scheme: 'file', query: '' }).fsPath;
    if (uri.query === 'proposed') return this.proposals.get(file) ?? '';
    return this.store.get(file) ?? '';
  }

  /** The approved text of `file` changed: an open diff follows. */
  approvedChanged(file: string): void {
    this.changed.fire(approvedUri(file));
  }

  /** Opens the diff of the approved policy against the change (the file, or the command's proposed text). */
  async showDiff(change: PolicyChange): Promise<void> {
    let proposed = vscode.Uri.file(change.file);
    if (change.proposedText !== undefined) {
      this.proposals.set(change.file, change.proposedText);
      proposed = approvedUri(change.file).with({ query: 'proposed' });
      this.changed.fire(proposed);
    }
    const name = change.file.split('/').pop() ?? change.file;
    await vscode.commands.executeCommand('vscode.diff', approvedUri(change.file), proposed, `${name}: approved ↔ proposed`, { preview: true });
  }
}

export function approvedUri(file: string): vscode.Uri {
  return vscode.Uri.file(file).with({ scheme: APPROVED_SCHEME });
}
