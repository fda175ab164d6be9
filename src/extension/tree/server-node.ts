// A server in the tree: name, then "stdio · protected · running · 5 tools · 2 denied"; a shield when it is
// protected; its contextValue selects Protect/Unprotect, Discover tools and Open configuration.
import * as vscode from 'vscode';
import type { ServerRow } from '../../workbench/tree-model';

export function serverTreeItem(row: ServerRow): vscode.TreeItem {
  const item = new vscode.TreeItem(row.name, vscode.TreeItemCollapsibleState.Expanded);
  item.id = `server/${row.name}`;
  item.description = row.description;
  item.contextValue = row.contextValue;
  item.iconPath = new vscode.ThemeIcon(row.icon.id, row.icon.color ? new vscode.ThemeColor(row.icon.color) : undefined);
  const tooltip = new vscode.MarkdownString(row.tooltip, true);
  tooltip.isTrusted = false;
  item.tooltip = tooltip;
  item.accessibilityInformation = { label: `${row.name}, ${row.description}` };
  return item;
}
