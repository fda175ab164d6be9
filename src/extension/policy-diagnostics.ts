// Shows the policy parser's diagnostics on open policy files, as the user types.
import * as vscode from 'vscode';
import type { Diagnostic as PolicyDiagnostic } from '../policy/model';
import { parsePolicy } from '../policy/parse';
import { DocumentDiagnostics } from './document-diagnostics';

const SEVERITY: Record<PolicyDiagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

export function toVscodeDiagnostic(d: PolicyDiagnostic): vscode.Diagnostic {
  const range = new vscode.Range(d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character);
  const diagnostic = new vscode.Diagnostic(range, d.message, SEVERITY[d.severity]);
  diagnostic.source = 'mcp-warden';
  diagnostic.code = d.code;
  return diagnostic;
}

/** A whole parse per (debounced) change: the parser's verdict is the one the proxy enforces. */
export class PolicyDiagnostics extends DocumentDiagnostics {
  constructor() {
    super('mcp-warden', (document) => parsePolicy(document.getText(), document.uri.fsPath).diagnostics.map(toVscodeDiagnostic));
  }
}
