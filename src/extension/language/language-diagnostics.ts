// Publishes the problems only the language service finds (unknown servers and tools, unreachable rules,
// unruled high-risk tools, unknown arguments) as the user types, and again when the catalogue changes.
// The parser's own problems are published by PolicyDiagnostics.
import type { PolicyLanguageService } from '../../language/service';
import { DocumentDiagnostics } from '../document-diagnostics';
import { documentRef, fromProblem } from './convert';

export class LanguageDiagnostics extends DocumentDiagnostics {
  constructor(service: PolicyLanguageService) {
    super(
      'mcp-warden-tools',
      (document) => service.languageDiagnostics(documentRef(document)).map(fromProblem),
      (document) => service.close(document.uri.toString()),
    );
    this.subscriptions.push(service.catalogue.onDidChange(() => this.refreshAll()));
  }
}
