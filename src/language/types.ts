// What the policy language service answers with: plain data in the Language Server Protocol's shape
// (zero-based positions, markdown strings), so the VS Code adapter only converts and a test only compares.
import type { Diagnostic, Range } from '../policy/model';

export type { Position, Range } from '../policy/model';

export interface TextEdit {
  range: Range;
  newText: string;
}

export type CompletionKind = 'key' | 'value' | 'server' | 'tool' | 'argument' | 'snippet';

export interface CompletionItem {
  label: string;
  kind: CompletionKind;
  /** One line beside the label: a tool's risk, a server's transport, a value's meaning. */
  detail?: string;
  /** A few words shown beside the label in the list itself (a tool's category and level). */
  labelDescription?: string;
  /** Markdown. */
  documentation?: string;
  /** What replaces `range`; a snippet (`$1`, `${1|a,b|}`) when `isSnippet`. */
  insertText: string;
  isSnippet: boolean;
  range: Range;
  sortText: string;
  filterText?: string;
  /** Open the suggestions again after inserting (the key's value has completions of its own). */
  retrigger?: boolean;
}

export interface Hover {
  /** Markdown. */
  contents: string;
  range: Range;
}

/** What a quick fix needs to know about the problem it fixes. */
export interface ProblemData {
  server?: string;
  tool?: string;
  /** The text the diagnostic's range holds, replaced by a suggestion. */
  replaces?: 'key' | 'value';
}

export interface PolicyProblem extends Diagnostic {
  data?: ProblemData;
}

export interface CodeAction {
  title: string;
  kind: 'quickfix' | 'source';
  /** The problem it fixes, when it fixes one. */
  diagnostic?: PolicyProblem;
  edits: TextEdit[];
  isPreferred?: boolean;
}

export type SymbolKind = 'server' | 'tool' | 'glob' | 'setting';

export interface DocumentSymbol {
  name: string;
  detail: string;
  kind: SymbolKind;
  range: Range;
  selectionRange: Range;
  children: DocumentSymbol[];
}

export interface Location {
  /** A URI string, as the catalogue's server source gives it. */
  uri: string;
  range: Range;
}
