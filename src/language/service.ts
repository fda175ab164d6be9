// The policy language service: every editor feature for policy files, over one catalogue and the
// snapshots of the open documents. Positions in, plain data out; no editor API.
import type { Position, Range } from '../policy/model';
import type { ToolCatalogue } from './catalogue';
import { codeActions } from './code-actions';
import { complete } from './completion';
import { definition } from './definition';
import { languageDiagnostics, policyDiagnostics } from './diagnostics';
import { hover } from './hover';
import { PolicyDocuments, type PolicySnapshot } from './policy-documents';
import { starterPolicy } from './starter-policy';
import { documentSymbols } from './symbols';
import type { CodeAction, CompletionItem, DocumentSymbol, Hover, Location, PolicyProblem } from './types';

export interface DocumentRef {
  uri: string;
  version: number;
  /** The text, or a way to get it when the version is new (an editor's getText()). */
  text: string | (() => string);
  /** The file's path, used in messages. */
  file?: string;
}

export class PolicyLanguageService {
  readonly documents = new PolicyDocuments();

  constructor(readonly catalogue: ToolCatalogue) {}

  snapshot(doc: DocumentRef): PolicySnapshot {
    return this.documents.get(doc.uri, doc.version, doc.text, doc.file);
  }

  complete(doc: DocumentRef, position: Position): CompletionItem[] {
    return complete(this.snapshot(doc), position, this.catalogue);
  }

  hover(doc: DocumentRef, position: Position): Hover | undefined {
    return hover(this.snapshot(doc), position, this.catalogue);
  }

  /** The parser's problems and the language service's. */
  diagnostics(doc: DocumentRef): PolicyProblem[] {
    return policyDiagnostics(this.snapshot(doc), this.catalogue);
  }

  /** Only the problems beyond the parser's. */
  languageDiagnostics(doc: DocumentRef): PolicyProblem[] {
    return languageDiagnostics(this.snapshot(doc), this.catalogue);
  }

  codeActions(doc: DocumentRef, range: Range): CodeAction[] {
    return codeActions(this.snapshot(doc), range, this.catalogue);
  }

  symbols(doc: DocumentRef): DocumentSymbol[] {
    return documentSymbols(this.snapshot(doc), this.catalogue);
  }

  definition(doc: DocumentRef, position: Position): Location | undefined {
    return definition(this.snapshot(doc), position, this.catalogue);
  }

  starterPolicy(): string {
    return starterPolicy(this.catalogue);
  }

  close(uri: string): void {
    this.documents.forget(uri);
  }
}
