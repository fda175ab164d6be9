// A line of its own at the top of the tree (the policy has errors, a change waits for review) or under a
// server (tools not listed).
import * as vscode from 'vscode';
import type { Notice } from '../../workbench/tree-model';
import type { HintRow } from './tree-elements';

const SEVERITY_ICON = {
  info: new vscode.ThemeIcon('info'),
  warning: new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')),
  error: new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground')),
};

export function noticeTreeItem(notice: Notice): vscode.TreeItem {
  const item = new vscode.TreeItem(notice.message, vscode.TreeItemCollapsibleState.None);
  item.id = `notice/${notice.message}`;
  item.iconPath = SEVERITY_ICON[notice.severity];
  item.tooltip = notice.message;
  item.contextValue = 'notice';
  item.command = notice.command ? { command: notice.command, title: 'Review' } : { command: 'mcpWarden.openPolicy', title: 'Open Policy' };
  return item;
}

export function hintTreeItem(hint: HintRow): vscode.TreeItem {
  const item = new vscode.TreeItem(hint.message, vscode.TreeItemCollapsibleState.None);
  item.id = `hint/${hint.server}`;
  item.iconPath = new vscode.ThemeIcon('search');
  item.contextValue = 'hint';
  item.command = { command: 'mcpWarden.discoverTools', title: 'Discover Tools', arguments: [hint.server] };
  return item;
}
