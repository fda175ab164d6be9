// The Decisions view: what the proxies decided, latest first (time, server, tool, decision, reason),
// grouped by the chat conversation that made the calls; a click opens the policy at the deciding rule;
// the view's badge counts the calls blocked since start.
import * as vscode from 'vscode';
import { visibleName } from '../../proxy/visible-text';
import {
  conversationDescription,
  conversationLabel,
  decisionDescription,
  decisionLabel,
  groupByConversation,
  type ConversationGroup,
  type DecisionEntry,
  type DecisionLog,
  type DecisionRoot,
} from '../../workbench/decision-log';
import { Disposable } from '../lifecycle';

export const DECISIONS_VIEW_ID = 'mcpWarden.decisions';
const SHOWN = 200;

export class DecisionsView extends Disposable implements vscode.TreeDataProvider<DecisionRoot> {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<DecisionRoot>;

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

  /** Conversations and calls made outside one, latest first; a conversation's calls under it. */
  getChildren(element?: DecisionRoot): DecisionRoot[] {
    if (!element) return groupByConversation(this.log.entries().slice(0, SHOWN));
    return isConversation(element) ? element.entries : [];
  }

  getTreeItem(element: DecisionRoot): vscode.TreeItem {
    return isConversation(element) ? conversationItem(element) : entryItem(element);
  }

  private updateBadge(): void {
    const blocked = this.log.blocked;
    this.view.badge = blocked > 0 ? { value: blocked, tooltip: `${blocked} ${blocked === 1 ? 'call' : 'calls'} blocked since VS Code started` } : undefined;
  }
}

function isConversation(element: DecisionRoot): element is ConversationGroup {
  return (element as ConversationGroup).kind === 'conversation';
}

function conversationItem(group: ConversationGroup): vscode.TreeItem {
  const item = new vscode.TreeItem(conversationLabel(group), vscode.TreeItemCollapsibleState.Expanded);
  item.id = `conversation-${group.conversation}`;
  item.description = conversationDescription(group);
  item.iconPath = new vscode.ThemeIcon('comment-discussion');
  item.contextValue = 'conversation';
  item.tooltip = `Calls made by the chat conversation ${visibleName(group.conversation)}`;
  return item;
}

function entryItem(entry: DecisionEntry): vscode.TreeItem {
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
  const origin = [
    entry.conversation !== undefined ? `conversation ${visibleName(entry.conversation)}` : undefined,
    entry.request !== undefined ? `request ${visibleName(entry.request)}` : undefined,
    entry.traceparent !== undefined ? `trace ${visibleName(entry.traceparent)}` : undefined,
  ].filter((part) => part !== undefined);
  if (origin.length > 0) tooltip.appendText(`\n\nFrom the chat: ${origin.join('; ')}`);
  item.tooltip = tooltip;
  if (entry.line) item.command = { command: 'mcpWarden.revealDecision', title: 'Reveal Rule', arguments: [entry] };
  return item;
}

async function revealDecision(entry: DecisionEntry | undefined): Promise<void> {
  if (!entry?.policyFile) return;
  const line = Math.max(0, (entry.line ?? 1) - 1);
  await vscode.window.showTextDocument(vscode.Uri.file(entry.policyFile), { selection: new vscode.Range(line, 0, line, 0) });
}
