// The language service's plain results as VS Code objects, and back for positions.
import * as vscode from 'vscode';
import type { DocumentRef } from '../../language/service';
import type { CompletionItem, CompletionKind, DocumentSymbol, Hover, PolicyProblem, Position, Range, SymbolKind, TextEdit } from '../../language/types';

export function documentRef(document: vscode.TextDocument): DocumentRef {
  return { uri: document.uri.toString(), version: document.version, text: () => document.getText(), file: document.uri.fsPath };
}

export function toPosition(position: vscode.Position): Position {
  return { line: position.line, character: position.character };
}

export function toRange(range: vscode.Range): Range {
  return { start: toPosition(range.start), end: toPosition(range.end) };
}

export function fromRange(range: Range): vscode.Range {
  return new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
}

const COMPLETION_KIND: Record<CompletionKind, vscode.CompletionItemKind> = {
  key: vscode.CompletionItemKind.Property,
  value: vscode.CompletionItemKind.EnumMember,
  server: vscode.CompletionItemKind.Module,
  tool: vscode.CompletionItemKind.Function,
  argument: vscode.CompletionItemKind.Field,
  snippet: vscode.CompletionItemKind.Snippet,
};

export function fromCompletion(item: CompletionItem): vscode.CompletionItem {
  const label: vscode.CompletionItemLabel = { label: item.label };
  if (item.labelDescription) label.description = item.labelDescription;
  const result = new vscode.CompletionItem(label, COMPLETION_KIND[item.kind]);
  result.detail = item.detail;
  if (item.documentation) result.documentation = new vscode.MarkdownString(item.documentation);
  result.insertText = item.isSnippet ? new vscode.SnippetString(item.insertText) : item.insertText;
  result.range = fromRange(item.range);
  result.sortText = item.sortText;
  if (item.filterText !== undefined) result.filterText = item.filterText;
  if (item.retrigger) result.command = { title: 'Suggest', command: 'editor.action.triggerSuggest' };
  return result;
}

export function fromHover(hover: Hover): vscode.Hover {
  const markdown = new vscode.MarkdownString(hover.contents);
  return new vscode.Hover(markdown, fromRange(hover.range));
}

const SEVERITY: Record<PolicyProblem['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

export function fromProblem(problem: PolicyProblem): vscode.Diagnostic {
  const diagnostic = new vscode.Diagnostic(fromRange(problem.range), problem.message, SEVERITY[problem.severity]);
  diagnostic.source = 'mcp-warden';
  diagnostic.code = problem.code;
  return diagnostic;
}

const SYMBOL_KIND: Record<SymbolKind, vscode.SymbolKind> = {
  server: vscode.SymbolKind.Module,
  tool: vscode.SymbolKind.Function,
  glob: vscode.SymbolKind.Namespace,
  setting: vscode.SymbolKind.Property,
};

export function fromSymbol(symbol: DocumentSymbol): vscode.DocumentSymbol {
  const result = new vscode.DocumentSymbol(symbol.name, symbol.detail, SYMBOL_KIND[symbol.kind], fromRange(symbol.range), fromRange(symbol.selectionRange));
  result.children = symbol.children.map(fromSymbol);
  return result;
}

export function workspaceEdit(uri: vscode.Uri, edits: readonly TextEdit[]): vscode.WorkspaceEdit {
  const edit = new vscode.WorkspaceEdit();
  for (const e of edits) edit.replace(uri, fromRange(e.range), e.newText);
  return edit;
}
