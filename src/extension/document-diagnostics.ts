// Keeps one diagnostic collection in step with the open policy documents: computed when a document
// opens, debounced while it is typed in, dropped when it closes. What to compute is given.
import * as vscode from 'vscode';

export const POLICY_LANGUAGE = 'mcp-policy';
const DEBOUNCE_MS = 150;

export class DocumentDiagnostics implements vscode.Disposable {
  private readonly collection: vscode.DiagnosticCollection;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  protected readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    name: string,
    private readonly compute: (document: vscode.TextDocument) => vscode.Diagnostic[],
    private readonly onClose: (document: vscode.TextDocument) => void = () => undefined,
  ) {
    this.collection = vscode.languages.createDiagnosticCollection(name);
    this.subscriptions.push(
      vscode.workspace.onDidOpenTextDocument((document) => this.refresh(document)),
      vscode.workspace.onDidChangeTextDocument((event) => this.schedule(event.document)),
      vscode.workspace.onDidCloseTextDocument((document) => this.forget(document)),
    );
    for (const document of vscode.workspace.textDocuments) this.schedule(document);
  }

  /** Computes now and publishes; returns what was published (commands and tests use it). */
  refresh(document: vscode.TextDocument): vscode.Diagnostic[] {
    if (document.languageId !== POLICY_LANGUAGE || document.isClosed) return [];
    const diagnostics = this.compute(document);
    this.collection.set(document.uri, diagnostics);
    return diagnostics;
  }

  /** Recomputes every open policy document soon (e.g. when what the computation knows changed). */
  refreshAll(): void {
    for (const document of vscode.workspace.textDocuments) this.schedule(document);
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
    this.onClose(document);
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    for (const subscription of this.subscriptions) subscription.dispose();
    this.collection.dispose();
  }
}
