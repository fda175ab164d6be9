// The Decisions view: what the proxies decided, latest first (time, server, tool, decision, reason); a
// click opens the policy at the deciding rule; the view's badge counts the calls blocked since start.
import * as vscode from 'vscode';
import { decisionDescription, decisionLabel, type DecisionEntry, type DecisionLog } from '../../workbench/decision-log';
import { Disposable } from '../lifecycle';

export const DECISIONS_VIEW_ID = 'mcpWarden.decisions';
const SHOWN = 200;

export class DecisionsView extends Disposable implements vscode.TreeDataProvider<DecisionEntry> {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<DecisionEntry>;

  constructor(private readonly log: DecisionLog) {
    super();
    this.view = this.register(vscode.window.createTreeView(DECISIONS_VIEW_ID, { treeDataProvider: this }));
    this.register(log.onDidChange(() => {
      this.changed.fire();
      this.updateBadge();
    }));
    this.register(vscode.commands.registerCommand('mcpWarden.clearDecisions', () => log.clear()));
    this.register(vscode.commands.registerCommand('mcpWarden.revealDecision', (entry?: DecisionEntry) => revealDecision(entry)));
    this.updateBadge();
  }

  getChildren(element?: DecisionEntry): DecisionEntry[] {
    return element ? [] : this.log.entries().slice(0, SHOWN);
  }

  getTreeItem(entry: DecisionEntry): vscode.TreeItem {
    const item = new vscode.TreeItem(decisionLabel(entry), vscode.TreeItemCollapsibleState.None);
    item.id = `decision-${entry.id}`;
    item.description = decisionDescription(entry);
    item.iconPath = entry.decision === 'deny'
      ? new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('mcpWarden.decision.denied'))
      : new vscode.ThemeIcon('pass', new vscode.ThemeColor('mcpWarden.decision.allowed'));
    item.contextValue = `decision:${entry.decision}:${entry.line ? 'line' : 'noline'}`;
    const tooltip = new vscode.MarkdownString();
    tooltip.appendMarkdown(`**${entry.server} › ${entry.tool}** — ${entry.decision === 'deny' ? 'denied' : 'allowed'} at ${entry.time}\n\n`);
    tooltip.appendMarkdown(`Policy: \`${entry.policy}\`${entry.rule ? ` by rule \`${entry.rule}\`` : ' by a default'}${entry.line ? ` (line ${entry.line})` : ''}\n\n`);
    if (entry.approval) tooltip.appendMarkdown(`Approval: ${entry.approval.answer} via ${entry.approval.by}\n\n`);
    if (entry.reason) tooltip.appendText(entry.reason);
    tooltip.appendMarkdown(`\n\n*Decided in ${entry.latencyMs.toFixed(1)} ms; session ${entry.session}*`);
    item.tooltip = tooltip;
    if (entry.line) item.command = { command: 'mcpWarden.revealDecision', title: 'Reveal Rule', arguments: [entry] };
    return item;
  }

  private updateBadge(): void {
    const blocked = this.log.blocked;
    this.view.badge = blocked > 0 ? { value: blocked, tooltip: `${blocked} ${blocked === 1 ? 'call' : 'calls'} blocked since VS Code started` } : undefined;
  }
}

async function revealDecision(entry: DecisionEntry | undefined): Promise<void> {
  if (!entry?.policyFile) return;
  const line = Math.max(0, (entry.line ?? 1) - 1);
  await vscode.window.showTextDocument(vscode.Uri.file(entry.policyFile), { selection: new vscode.Range(line, 0, line, 0) });
}
