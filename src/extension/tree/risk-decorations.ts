// The letter badge of each tool (R read, W write, X execute, D destructive). Tree items carry a
// `mcp-warden-tool:` URI that names the letter and the level, so the decoration needs no state of its own.
// The badge has no colour: a decoration's colour would tint the tool's name too, and the risk icon beside
// the name already shows the level's colour.
import * as vscode from 'vscode';
import type { ToolRow } from '../../workbench/tree-model';

export const TOOL_SCHEME = 'mcp-warden-tool';
const LEVELS = new Set<string>(['low', 'medium', 'high', 'critical']);
const LETTERS = new Set<string>(['R', 'W', 'X', 'D']);
const PIN_WORDS: Record<string, string> = { changed: 'changed since pinned', new: 'new, not pinned', flagged: 'flagged description' };

/** `pin`: `changed`, `new` or `flagged` when the tool's pin mark asks for attention (the badge gets a `!`). */
export function toolDecorationUri(row: ToolRow, pin?: string): vscode.Uri {
  return vscode.Uri.from({
    scheme: TOOL_SCHEME,
    path: `/${encodeURIComponent(row.server)}/${encodeURIComponent(row.name)}`,
    query: new URLSearchParams({ badge: row.badge, level: row.risk.level, category: row.risk.category, ...(pin ? { pin } : {}) }).toString(),
  });
}

export class RiskDecorations implements vscode.FileDecorationProvider {
  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme !== TOOL_SCHEME) return undefined;
    const query = new URLSearchParams(uri.query);
    const badge = query.get('badge') ?? '';
    const level = query.get('level') ?? '';
    if (!LETTERS.has(badge) || !LEVELS.has(level)) return undefined;
    const pin = PIN_WORDS[query.get('pin') ?? ''];
    const decoration = pin ? new vscode.FileDecoration(`${badge}!`, `risk: ${query.get('category')} · ${level} · ${pin}`) : new vscode.FileDecoration(badge, `risk: ${query.get('category')} · ${level}`);
    decoration.propagate = false;
    return decoration;
  }
}
