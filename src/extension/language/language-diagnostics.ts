// Publishes the problems only the language service finds (unknown servers and tools, unreachable rules,
// unruled high-risk tools, unknown arguments) as the user types, and again when the catalogue changes.
// The parser's own problems are published by PolicyDiagnostics.
import * as vscode from 'vscode';
import type { PolicyLanguageService } from '../../language/service';
import { documentRef, fromProblem } from './convert';

const DEBOUNCE_MS = 150;
const LANGUAGE = 'mcp-policy';

export class LanguageDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('mcp-warden-tools');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly service: PolicyLanguageService) {
    this.subscriptions.push(
      vscode.workspace.onDidOpenTextDocument((document) => this.refresh(document)),
      vscode.workspace.onDidChangeTextDocument((event) => this.schedule(event.document)),
      vscode.workspace.onDidCloseTextDocument((document) => this.forget(document)),
      service.catalogue.onDidChange(() => this.refreshAll()),
    );
    this.refreshAll();
  }

  refresh(document: vscode.TextDocument): vscode.Diagnostic[] {
    if (document.languageId !== LANGUAGE || document.isClosed) return [];
    const diagnostics = this.service.languageDiagnostics(documentRef(document)).map(fromProblem);
    this.collection.set(document.uri, diagnostics);
    return diagnostics;
  }

  private refreshAll(): void {
    for (const document of vscode.workspace.textDocuments) this.schedule(document);
  }

  private schedule(document: vscode.TextDocument): void {
    if (document.languageId !== LANGUAGE) return;
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
    this.service.close(key);
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    for (const subscription of this.subscriptions) subscription.dispose();
    this.collection.dispose();
  }
}
