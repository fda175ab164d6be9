// A tool in the tree: its risk as a coloured icon (shape by category, colour by level) and a letter badge
// (R/W/X/D, drawn by RiskDecorations from the item's resourceUri), the description
// "execute · high · denied", and a tooltip with the tool's description, the risk's source and the rule.
import * as vscode from 'vscode';
import type { ToolRow } from '../../workbench/tree-model';
import { toolDecorationUri } from './risk-decorations';

export function toolTreeItem(row: ToolRow): vscode.TreeItem {
  const item = new vscode.TreeItem(row.name, vscode.TreeItemCollapsibleState.None);
  item.id = `tool/${row.server}/${row.name}`;
  item.description = row.description;
  item.contextValue = row.contextValue;
  item.iconPath = new vscode.ThemeIcon(row.icon.id, row.icon.color ? new vscode.ThemeColor(row.icon.color) : undefined);
  item.resourceUri = toolDecorationUri(row);
  item.tooltip = new vscode.MarkdownString(row.tooltip);
  item.accessibilityInformation = { label: `${row.name}, risk ${row.risk.category} ${row.risk.level}, ${row.description}` };
  return item;
}
