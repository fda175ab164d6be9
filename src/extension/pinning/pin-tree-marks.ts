// How a tool's pin mark shows in the Servers tree: a word before its description ("changed since pinned",
// "new, not pinned", "flagged"), a `!` after its risk letter, a tooltip section with what changed and each
// finding (server text shown as text, never as Markdown), and a contextValue part for "Review change…".
import type * as vscode from 'vscode';
import type { ToolMark } from '../../pinning/tool-marks';
import { visibleName } from '../../proxy/visible-text';

/** Shown only when the mark asks for a person's attention: drift or an error-level finding. */
function notable(mark: ToolMark | undefined): mark is ToolMark {
  return mark !== undefined && (mark.state === 'changed' || mark.state === 'new' || mark.flagged);
}

export function pinMarkWords(mark: ToolMark | undefined): string | undefined {
  if (!notable(mark)) return undefined;
  const words: string[] = [];
  if (mark.state === 'changed') words.push(`changed since pinned (${mark.fields?.join(', ') ?? 'definition'})`);
  if (mark.state === 'new') words.push('new, not pinned');
  if (mark.flagged) words.push('flagged');
  if (mark.held) words.push('held back');
  return words.join(' · ');
}

/** `:pin-changed`, `:pin-new`, then `:flagged` when flagged: menus match `viewItem =~ /:pin-(changed|new)|:flagged/`. */
export function pinContextValue(mark: ToolMark | undefined): string {
  if (!notable(mark)) return '';
  return `${mark.state === 'changed' || mark.state === 'new' ? `:pin-${mark.state}` : ''}${mark.flagged ? ':flagged' : ''}`;
}

/** The decoration's part: `changed`, `new` or `flagged` (RiskDecorations adds `!` to the risk letter). */
export function pinBadge(mark: ToolMark | undefined): string | undefined {
  if (!notable(mark)) return undefined;
  return mark.state === 'changed' || mark.state === 'new' ? mark.state : 'flagged';
}

export function pinTooltip(tooltip: vscode.MarkdownString, mark: ToolMark | undefined): vscode.MarkdownString {
  if (!notable(mark)) return tooltip;
  tooltip.appendMarkdown(`\n\n**Pinning${mark.held ? ' — held back: not listed to the agent, calls refused' : ''}**\n\n`);
  if (mark.message) tooltip.appendText(`${mark.message}\n\n`);
  for (const finding of mark.findings.slice(0, 10)) {
    tooltip.appendMarkdown(`- \`${finding.code}\` (${finding.severity}) in ${finding.field.replace(/[`\\]/g, '')}: `);
    tooltip.appendText(`${visibleName(finding.excerpt)}\n`);
  }
  if (mark.findings.length > 10) tooltip.appendText(`…and ${mark.findings.length - 10} more findings\n`);
  tooltip.appendMarkdown('\n\nRight-click › *Review change…* to compare it with its pin.');
  return tooltip;
}
