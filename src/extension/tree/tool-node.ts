// A tool in the tree: its risk as a coloured icon (shape by category, colour by level) and a letter badge
// (R/W/X/D, drawn by RiskDecorations from the item's resourceUri), the description
// "execute · high · denied", and a tooltip with the tool's description, the risk's source and the rule.
import * as vscode from 'vscode';
import type { ToolMark } from '../../pinning/tool-marks';
import type { ToolRow } from '../../workbench/tree-model';
import { pinMarkWords, pinTooltip, pinContextValue, pinBadge } from '../pinning/pin-tree-marks';
import { toolDecorationUri } from './risk-decorations';

/** `mark`: the tool against its pin and its description findings (changed, new, flagged), when reported. */
export function toolTreeItem(row: ToolRow, mark?: ToolMark): vscode.TreeItem {
  const item = new vscode.TreeItem(row.name, vscode.TreeItemCollapsibleState.None);
  item.id = `tool/${row.server}/${row.name}`;
  const words = pinMarkWords(mark);
  item.description = words ? `${words} · ${row.description}` : row.description;
  item.contextValue = row.contextValue + pinContextValue(mark);
  item.iconPath = words ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')) : new vscode.ThemeIcon(row.icon.id, row.icon.color ? new vscode.ThemeColor(row.icon.color) : undefined);
  item.resourceUri = toolDecorationUri(row, pinBadge(mark));
  item.tooltip = pinTooltip(new vscode.MarkdownString(row.tooltip), mark);
  item.accessibilityInformation = { label: `${row.name}, ${words ? `${words}, ` : ''}risk ${row.risk.category} ${row.risk.level}, ${row.description}` };
  return item;
}
