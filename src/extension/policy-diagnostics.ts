// Shows the policy parser's diagnostics on open policy files, as the user types (debounced).
import * as vscode from 'vscode';
import type { Diagnostic as PolicyDiagnostic } from '../policy/model';
import { parsePolicy } from '../policy/parse';

export const POLICY_LANGUAGE = 'mcp-policy';
const DEBOUNCE_MS = 150;

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

export class PolicyDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('mcp-warden');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor() {
    this.subscriptions.push(
      vscode.workspace.onDidOpenTextDocument((doc) => this.refresh(doc)),
      vscode.workspace.onDidChangeTextDocument((event) => this.schedule(event.document)),
      vscode.workspace.onDidCloseTextDocument((doc) => this.forget(doc)),
    );
    for (const doc of vscode.workspace.textDocuments) this.refresh(doc);
  }

  /** Parses now and publishes; returns what was published (commands and tests use it). */
  refresh(document: vscode.TextDocument): vscode.Diagnostic[] {
    if (document.languageId !== POLICY_LANGUAGE) return [];
    const diagnostics = parsePolicy(document.getText(), document.uri.fsPath).diagnostics.map(toVscodeDiagnostic);
    this.collection.set(document.uri, diagnostics);
    return diagnostics;
  }

  private schedule(document: vscode.TextDocument): void {
    if (document.languageId !== POLICY_LANGUAGE) return;
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      this.refresh(document);
    }, DEBOUNCE_MS));
  }

  private forget(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.collection.delete(document.uri);
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    for (const subscription of this.subscriptions) subscription.dispose();
    this.collection.dispose();
  }
}
