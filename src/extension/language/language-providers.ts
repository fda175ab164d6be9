// Completion, hover, quick fixes, outline and go to definition for `mcp-policy` documents, each a thin
// call into the language service.
import * as vscode from 'vscode';
import type { PolicyLanguageService } from '../../language/service';
import type { CodeAction } from '../../language/types';
import { documentRef, fromCompletion, fromHover, fromRange, fromSymbol, toPosition, toRange, workspaceEdit } from './convert';

export const POLICY_SELECTOR: vscode.DocumentSelector = { language: 'mcp-policy' };

export function registerLanguageProviders(service: PolicyLanguageService): vscode.Disposable[] {
  return [
    vscode.languages.registerCompletionItemProvider(
      POLICY_SELECTOR,
      { provideCompletionItems: (document, position) => service.complete(documentRef(document), toPosition(position)).map(fromCompletion) },
      ':',
      ' ',
    ),
    vscode.languages.registerHoverProvider(POLICY_SELECTOR, {
      provideHover: (document, position) => {
        const hover = service.hover(documentRef(document), toPosition(position));
        return hover ? fromHover(hover) : undefined;
      },
    }),
    vscode.languages.registerCodeActionsProvider(
      POLICY_SELECTOR,
      { provideCodeActions: (document, range, context) => service.codeActions(documentRef(document), toRange(range)).map((action) => fromCodeAction(document, action, context)) },
      { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
    ),
    vscode.languages.registerDocumentSymbolProvider(POLICY_SELECTOR, {
      provideDocumentSymbols: (document) => service.symbols(documentRef(document)).map(fromSymbol),
    }),
    vscode.languages.registerDefinitionProvider(POLICY_SELECTOR, {
      provideDefinition: (document, position) => {
        const location = service.definition(documentRef(document), toPosition(position));
        return location ? new vscode.Location(vscode.Uri.parse(location.uri), fromRange(location.range)) : undefined;
      },
    }),
  ];
}

function fromCodeAction(document: vscode.TextDocument, action: CodeAction, context: vscode.CodeActionContext): vscode.CodeAction {
  const result = new vscode.CodeAction(action.title, action.kind === 'quickfix' ? vscode.CodeActionKind.QuickFix : vscode.CodeActionKind.Source);
  result.edit = workspaceEdit(document.uri, action.edits);
  result.isPreferred = action.isPreferred;
  const problem = action.diagnostic;
  if (problem) {
    // Link the fix to the editor's diagnostic for the same problem, so the light bulb and the Problems view show it.
    const shown = context.diagnostics.filter((d) => d.code === problem.code && d.range.isEqual(fromRange(problem.range)));
    if (shown.length > 0) result.diagnostics = shown;
  }
  return result;
}
