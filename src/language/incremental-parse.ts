// Parses a policy one server at a time, so an edit costs a reparse of the server it touches rather than
// of the whole file: a 5,000-line file takes tens of milliseconds to parse whole, one server's block a few
// hundred microseconds.
//
// The text is cut where block YAML allows it: each line of the top-level `servers:` map that sits at the
// servers' indentation starts a block; everything else is the header. A block is parsed on its own as
// `servers:\n<block>\nversion: 1`, the header with `servers: {}` in the blocks' place, each with the real
// parser, and the results are put back at their lines. Blocks are cached by their text, so a block that
// only moved is not parsed again.
//
// Differences from one whole parse, all in broken files: a YAML error in one block does not hide the
// schema errors of the others, and a block's YAML errors are reported as that block alone reads.
// Text the cutting cannot be sure about (anchors, aliases, tags, several documents, a flow-style or
// repeated `servers:`, odd indentation) is parsed whole.
import type { Document, LineCounter } from 'yaml';
import type { Diagnostic, Policy, Range, ServerPolicy, ToolRule } from '../policy/model';
import { parsePolicy, type ParseResult } from '../policy/parse';
import type { TextLines } from './text-lines';

/** A parsed part of the file and how its lines map to the file's. */
export interface PolicySection {
  document: Document;
  lineCounter: LineCounter;
  /** File line of the section's line `n`. */
  toFileLine(line: number): number;
}

export interface PolicyParse {
  /** Only when the whole file has no error (callers that enforce must fail closed without it). */
  policy?: Policy;
  partial: Policy;
  diagnostics: Diagnostic[];
  /** The section holding each server's entry, for features that need its YAML nodes. */
  sections: Map<string, PolicySection>;
  /** How many sections were parsed for this text rather than taken from the cache. */
  parsedSections: number;
}

interface Cut {
  header: { text: string; toFileLine(line: number): number };
  blocks: { start: number; end: number }[];
}

const SERVERS_LINE = /^servers[ \t]*:[ \t]*(#.*)?$/;

/** A parsed block and, for the last place it was put, its results moved to that place. */
interface Parsed {
  result: ParseResult;
  placed?: { offset: number; servers: ServerPolicy[]; diagnostics: Diagnostic[] };
}

export class IncrementalPolicyParser {
  private cache = new Map<string, Parsed>();

  constructor(private readonly file?: string) {}

  parse(lines: TextLines): PolicyParse {
    const cut = cutText(lines);
    if (!cut) return this.whole(lines.text);
    const next = new Map<string, Parsed>();
    let parsedSections = 0;
    // Keyed by the text as written (a slice of the file, not a copy); wrapped only when parsed.
    const parseCached = (key: string, wrap: (key: string) => string): Parsed => {
      let parsed = next.get(key) ?? this.cache.get(key);
      if (!parsed) {
        parsed = { result: parsePolicy(wrap(key), this.file) };
        parsedSections++;
      }
      next.set(key, parsed);
      return parsed;
    };

    const header = parseCached(cut.header.text, (text) => text).result;
    const diagnostics: Diagnostic[] = header.diagnostics.map((d) => shiftDiagnostic(d, cut.header.toFileLine, Infinity));
    const partial: Policy = { ...header.partial, servers: new Map(), audit: { ...header.partial.audit } };
    if (header.partial.defaultLine !== undefined) partial.defaultLine = cut.header.toFileLine(header.partial.defaultLine - 1) + 1;
    const sections = new Map<string, PolicySection>();

    for (const block of cut.blocks) {
      const raw = lines.text.slice(lines.offsetOf(block.start), lines.offsetOf(block.end));
      const parsed = parseCached(raw, (text) => `servers:\n${text}${text.endsWith('\n') ? '' : '\n'}version: 1\n`);
      const offset = block.start - 1;
      const placed = place(parsed, offset, block.end - 1);
      diagnostics.push(...placed.diagnostics);
      const toFileLine = (line: number) => line + offset;
      for (const server of placed.servers) {
        if (partial.servers.has(server.name)) {
          diagnostics.push({ range: server.keyRange, severity: 'error', code: 'duplicate-key', message: 'Duplicate key: each key may appear once in a map' });
          continue;
        }
        partial.servers.set(server.name, server);
        sections.set(server.name, { document: parsed.result.document, lineCounter: parsed.result.lineCounter, toFileLine });
      }
    }
    this.cache = next;
    const hasError = diagnostics.some((d) => d.severity === 'error');
    return { policy: hasError ? undefined : partial, partial, diagnostics, sections, parsedSections };
  }

  private whole(text: string): PolicyParse {
    const result = this.cache.get(text)?.result ?? parsePolicy(text, this.file);
    const parsedSections = this.cache.has(text) ? 0 : 1;
    this.cache = new Map([[text, { result }]]);
    const section: PolicySection = { document: result.document, lineCounter: result.lineCounter, toFileLine: (line) => line };
    const sections = new Map([...result.partial.servers.keys()].map((name) => [name, section]));
    return { policy: result.policy, partial: result.partial, diagnostics: result.diagnostics, sections, parsedSections };
  }
}

/** A block's servers and diagnostics at the block's place in the file; kept while the block stays there. */
function place(parsed: Parsed, offset: number, lastLine: number): NonNullable<Parsed['placed']> {
  if (parsed.placed?.offset === offset) return parsed.placed;
  const toFileLine = (line: number) => line + offset;
  parsed.placed = {
    offset,
    servers: [...parsed.result.partial.servers.values()].map((server) => shiftServer(server, offset)),
    diagnostics: parsed.result.diagnostics.map((d) => shiftDiagnostic(d, toFileLine, lastLine)),
  };
  return parsed.placed;
}

/** Where to cut the text, or undefined when it must be parsed whole. */
function cutText(lines: TextLines): Cut | undefined {
  if (hasCrossBlockSyntax(lines.text)) return undefined;
  let serversLine = -1;
  for (let i = 0; i < lines.count; i++) {
    if (lines.contentIndent(i) !== 0) continue;
    if (SERVERS_LINE.test(lines.line(i))) {
      if (serversLine >= 0) return undefined;
      serversLine = i;
    }
  }
  if (serversLine < 0) return undefined;

  const starts: number[] = [];
  let serverIndent = -1;
  let end = lines.count;
  for (let i = serversLine + 1; i < lines.count; i++) {
    const indent = lines.contentIndent(i);
    if (indent < 0) continue;
    if (indent === 0) {
      end = i;
      break;
    }
    if (serverIndent < 0) serverIndent = indent;
    if (indent < serverIndent) return undefined;
    if (indent === serverIndent) {
      if (lines.line(i)[indent] === '-' || lines.line(i)[indent] === '{' || lines.line(i)[indent] === '[') return undefined;
      starts.push(i);
    }
  }
  if (starts.length === 0) return undefined;
  // Trailing comments and blank lines before the next top-level key stay in the last block.
  const blocks = starts.map((start, k) => ({ start: k === 0 ? serversLine + 1 : start, end: starts[k + 1] ?? end }));

  const placeholder = serversLine + 1;
  const headerLines = [...lines.lines.slice(0, placeholder), `${' '.repeat(serverIndent)}{}`, ...lines.lines.slice(end)];
  const toFileLine = (line: number) => (line < placeholder ? line : line === placeholder ? placeholder : line - placeholder - 1 + end);
  return { header: { text: headerLines.join('\n'), toFileLine }, blocks };
}

/**
 * Anchors, aliases and tags may tie one block to another, directives and `---` start documents, and tabs
 * make indentation ambiguous: any of them, and the text is parsed whole. A scan by hand: it runs on
 * every version of the text.
 */
function hasCrossBlockSyntax(text: string): boolean {
  const candidates = /[\t&*!%]|^(?:---|\.\.\.)/gm;
  for (let match = candidates.exec(text); match; match = candidates.exec(text)) {
    const at = match.index;
    const ch = match[0];
    if (ch === '\t' || ch.length === 3) return true;
    const before = at === 0 ? 10 : text.charCodeAt(at - 1);
    if (ch === '%') {
      if (before === 10) return true;
      continue;
    }
    // & * ! starting a token and followed by a name: an anchor, alias or tag.
    if (before !== 10 && before !== 32 && before !== 44 && before !== 91 && before !== 123) continue;
    const next = text.charCodeAt(at + 1);
    if (!Number.isNaN(next) && next !== 32 && next !== 10 && next !== 13 && next !== 44 && next !== 93 && next !== 125) return true;
  }
  return false;
}

function shiftRange(range: Range, toFileLine: (line: number) => number, lastLine: number): Range {
  return {
    start: { line: Math.min(toFileLine(range.start.line), lastLine), character: range.start.character },
    end: { line: Math.min(toFileLine(range.end.line), lastLine), character: range.end.character },
  };
}

function shiftDiagnostic(d: Diagnostic, toFileLine: (line: number) => number, lastLine: number): Diagnostic {
  return { ...d, range: shiftRange(d.range, toFileLine, lastLine) };
}

function by(offset: number, range: Range): Range {
  return { start: { line: range.start.line + offset, character: range.start.character }, end: { line: range.end.line + offset, character: range.end.character } };
}

function shiftServer(server: ServerPolicy, offset: number): ServerPolicy {
  const shifted: ServerPolicy = {
    ...server,
    keyRange: by(offset, server.keyRange),
    range: by(offset, server.range),
    line: server.line + offset,
    tools: server.tools.map((rule): ToolRule => ({ ...rule, keyRange: by(offset, rule.keyRange), range: by(offset, rule.range), line: rule.line + offset })),
  };
  if (server.defaultLine !== undefined) shifted.defaultLine = server.defaultLine + offset;
  return shifted;
}
