// Parses a policy part by part, so an edit costs a reparse of the part it touches rather than of the whole
// file: a 5,000-line file takes several milliseconds to parse whole, a few rules a fraction of one.
//
// policy-cut.ts says where the parts are: the header, each server's block, and inside a block pieces of
// a few rules under `tools:`. Each part is parsed on its own by the real parser, wrapped so it reads as a policy
// (`servers:` above a server's block, its key and `tools:` lines above rules, `version: 1` below), and
// the results are put back at their lines: a server gets its rules in file order, and the same key twice
// is the parser's duplicate-key error. Parts are cached by their text, so a part that only moved is not
// parsed again, and a server's block whose text and place did not change is reused whole. A text seen
// first is read whole, when the fast reader takes it.
//
// Differences from one whole parse, all in broken files: a YAML error in one part does not hide the
// schema errors of the others, and a part's YAML errors are reported as that part alone reads.
import type { Document, LineCounter } from 'yaml';
import type { Diagnostic, Policy, Range, ServerPolicy, ToolRule } from '../policy/model';
import { parsePlainPolicy, parsePolicy, type ParseResult } from '../policy/parse';
import { cutPolicy, type RulesCut, type ServerBlock } from './policy-cut';
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
  /** The section holding a rule, when it is not its server's. */
  ruleSections: { get(rule: ToolRule): PolicySection | undefined };
  /** How many parts were parsed for this text rather than taken from the cache. */
  parsedSections: number;
}

const DUPLICATE_KEY = 'Duplicate key: each key may appear once in a map';

/** A parsed part and, for the last place it was put, its results moved to that place. */
interface Parsed {
  result: ParseResult;
  placed?: { at: string; servers: ServerPolicy[]; diagnostics: Diagnostic[] };
  /** A piece's rules numbered from where they last sat among their server's rules. */
  indexed?: { at: string; rules: ToolRule[] };
}

// The part each rule of a cut-up server came from; rules are reused while their part is, so this holds.
const RULE_SECTIONS = new WeakMap<ToolRule, PolicySection>();

/** A piece's rules (of server `name`), numbered from `first` and kept while neither changes. */
function indexedRules(parsed: Parsed, placed: NonNullable<Parsed['placed']>, name: string | undefined, first: number, offset: number): ToolRule[] {
  const at = `${placed.at}:${first}:${name}`;
  if (parsed.indexed?.at === at) return parsed.indexed.rules;
  const section = sectionOf(parsed, (line) => line + offset);
  const rules = (placed.servers.find((s) => s.name === name)?.tools ?? []).map((rule, i) => {
    const numbered = { ...rule, index: first + i };
    RULE_SECTIONS.set(numbered, section);
    return numbered;
  });
  parsed.indexed = { at, rules };
  return rules;
}

/** What a server's block gave a parse, and the parts it used. */
interface BlockOutcome {
  start: number;
  raw: string;
  /** The text's line count for the file's last block, else -1. */
  lineCount: number;
  servers: { server: ServerPolicy; section: PolicySection }[];
  diagnostics: Diagnostic[];
  parts: [scope: string, text: string, parsed: Parsed][];
}

/** Where a part sits in the file: how its lines map, and the file lines its diagnostics may point at. */
interface Placement {
  /** Identifies the mapping, so placed results are reused while it holds. */
  at: string;
  toFileLine(line: number): number;
  first: number;
  last: number;
}

export class IncrementalPolicyParser {
  // Parts by the text that makes them: in a scope (what wraps the text), by the text as written, so a
  // lookup hashes a slice of the file rather than a fresh copy.
  private cache = new Map<string, Map<string, Parsed>>();
  private next = new Map<string, Map<string, Parsed>>();
  private parsedSections = 0;
  /** The last parse's server blocks, in file order. */
  private blocks: BlockOutcome[] = [];
  /** The parts the block being parsed used. */
  private used: [scope: string, text: string, parsed: Parsed][] = [];

  constructor(private readonly file?: string) {}

  parse(lines: TextLines): PolicyParse {
    // A text seen first is read whole when the fast reader takes it: one pass is about twice as fast as
    // reading its parts, with the same result. Its parts are read at the first edit.
    if (this.cache.size === 0) {
      const plain = parsePlainPolicy(lines.text, this.file);
      if (plain) return this.whole(lines.text, plain);
    }
    const cut = cutPolicy(lines);
    if (!cut) return this.whole(lines.text);
    this.next = new Map();
    this.parsedSections = 0;
    this.used = [];

    const header = this.parsePart('header', cut.header.text, (text) => text);
    const diagnostics: Diagnostic[] = header.result.diagnostics.map((d) => shiftDiagnostic(d, cut.header.toFileLine, 0, Infinity));
    const partial: Policy = { ...header.result.partial, servers: new Map(), audit: { ...header.result.partial.audit } };
    if (header.result.partial.defaultLine !== undefined) partial.defaultLine = cut.header.toFileLine(header.result.partial.defaultLine - 1) + 1;
    const sections = new Map<string, PolicySection>();

    const previous = new Map(this.blocks.map((outcome) => [outcome.start, outcome]));
    const outcomes: BlockOutcome[] = [];
    for (const [k, block] of cut.blocks.entries()) {
      const outcome = this.blockOutcome(lines, block, previous.get(block.start), k === cut.blocks.length - 1);
      outcomes.push(outcome);
      diagnostics.push(...outcome.diagnostics);
      for (const { server, section } of outcome.servers) {
        if (partial.servers.has(server.name)) {
          diagnostics.push({ range: server.keyRange, severity: 'error', code: 'duplicate-key', message: DUPLICATE_KEY });
          continue;
        }
        partial.servers.set(server.name, server);
        sections.set(server.name, section);
      }
    }
    this.blocks = outcomes;
    this.cache = this.next;
    const hasError = diagnostics.some((d) => d.severity === 'error');
    return { policy: hasError ? undefined : partial, partial, diagnostics, sections, ruleSections: RULE_SECTIONS, parsedSections: this.parsedSections };
  }

  /**
   * A server's block: what the last parse made of it while its text and first line are the same (a
   * keystroke elsewhere then costs a comparison of the block's text, not a lookup of each of its parts),
   * else parsed from its parts. The last block also keeps the text's line count, since its map may end
   * at the end of the file.
   */
  private blockOutcome(lines: TextLines, block: ServerBlock, prior: BlockOutcome | undefined, last: boolean): BlockOutcome {
    const raw = lines.text.slice(lines.offsetOf(block.start), lines.offsetOf(block.end));
    const lineCount = last ? lines.count : -1;
    if (prior && prior.lineCount === lineCount && prior.raw === raw) {
      for (const [scope, text, parsed] of prior.parts) this.keep(scope, text, parsed);
      return prior;
    }
    this.used = [];
    const diagnostics: Diagnostic[] = [];
    const servers = block.rules ? this.serverWithRules(lines, block, block.rules, diagnostics) : this.serverBlock(lines, block, diagnostics);
    return { start: block.start, raw, lineCount, servers, diagnostics, parts: this.used };
  }

  /** A server's block parsed as one part. */
  private serverBlock(lines: TextLines, block: ServerBlock, diagnostics: Diagnostic[]) {
    const raw = lines.text.slice(lines.offsetOf(block.start), lines.offsetOf(block.end));
    const parsed = this.parsePart('block', raw, wrapServers);
    const offset = block.start - 1;
    const placed = place(parsed, { at: `b${offset}`, toFileLine: (line) => line + offset, first: block.start, last: block.end - 1 });
    diagnostics.push(...placed.diagnostics);
    const section = sectionOf(parsed, (line) => line + offset);
    return placed.servers.map((server) => ({ server, section }));
  }

  /** A server's block without its rules, then its pieces of rules, put together in file order. */
  private serverWithRules(lines: TextLines, block: ServerBlock, rules: RulesCut, diagnostics: Diagnostic[]) {
    // The block with its rules replaced by `{}`, so `tools:` stays a map.
    const before = lines.lines.slice(block.start, rules.sectionStart);
    const after = lines.lines.slice(rules.sectionEnd, block.end);
    const text = ['servers:', ...before, `${' '.repeat(rules.ruleIndent)}{}`, ...after, 'version: 1', ''].join('\n');
    const placeholder = before.length + 1;
    const toFileLine = (line: number) => (line < placeholder ? block.start - 1 + line : line === placeholder ? rules.sectionStart : rules.sectionEnd + line - placeholder - 1);
    const parsed = this.parsePart('server', text, (whole) => whole);
    const placed = place(parsed, { at: `s${block.start}:${rules.sectionStart}:${rules.sectionEnd}`, toFileLine, first: block.start, last: block.end - 1 });
    diagnostics.push(...placed.diagnostics);
    const section = sectionOf(parsed, toFileLine);

    // Wrapped with the text's own line ends: the fast reader leaves mixed ones to yaml.
    const eol = lineEndOf(lines.text);
    const wrapper = `servers:${eol}${lines.line(rules.keyLine)}${eol}${lines.line(rules.toolsLine)}${eol}`;
    const name = placed.servers[0]?.name;
    const tools: ToolRule[] = [];
    // Keys already seen, with the piece that had them: a piece's own parse reports its own duplicates.
    const seen = new Map<string, number>();
    for (const [k, piece] of rules.pieces.entries()) {
      const raw = lines.text.slice(lines.offsetOf(piece.start), lines.offsetOf(piece.end));
      const ruleParsed = this.parsePart(wrapper, raw, (rulesText) => wrapper + rulesText + (rulesText.endsWith('\n') ? '' : eol) + `version: 1${eol}`);
      const offset = piece.start - 3;
      const rulePlaced = place(ruleParsed, { at: `r${offset}`, toFileLine: (line) => line + offset, first: piece.start, last: piece.end - 1 });
      diagnostics.push(...rulePlaced.diagnostics);
      for (const rule of indexedRules(ruleParsed, rulePlaced, name, tools.length, offset)) {
        const earlier = seen.get(rule.pattern);
        if (earlier !== undefined && earlier !== k) diagnostics.push({ range: rule.keyRange, severity: 'error', code: 'duplicate-key', message: DUPLICATE_KEY });
        if (earlier === undefined) seen.set(rule.pattern, k);
        tools.push(rule);
      }
    }
    // The server's block map ends after the line its last rule ends on, unless keys follow its rules.
    const keysAfter = after.some((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));
    const lastRule = tools[tools.length - 1]?.range.end;
    const mapEnd = lastRule && lastRule.character > 0 && lastRule.line + 1 < lines.count ? { line: lastRule.line + 1, character: 0 } : lastRule;
    return placed.servers.map((server, k) => {
      if (k > 0 || !mapEnd) return { server, section };
      const end = keysAfter && isBefore(mapEnd, server.range.end) ? server.range.end : mapEnd;
      return { server: { ...server, tools, range: { start: server.range.start, end } }, section };
    });
  }

  private parsePart(scope: string, text: string, wrap: (text: string) => string): Parsed {
    let parsed = this.next.get(scope)?.get(text) ?? this.cache.get(scope)?.get(text);
    if (!parsed) {
      parsed = { result: parsePolicy(wrap(text), this.file) };
      this.parsedSections++;
    }
    this.keep(scope, text, parsed);
    this.used.push([scope, text, parsed]);
    return parsed;
  }

  /** Keeps a part cached for the next parse. */
  private keep(scope: string, text: string, parsed: Parsed): void {
    let scoped = this.next.get(scope);
    if (!scoped) this.next.set(scope, (scoped = new Map()));
    scoped.set(text, parsed);
  }

  private whole(text: string, parsed?: ParseResult): PolicyParse {
    const cached = this.cache.get('whole')?.get(text);
    const result = cached?.result ?? parsed ?? parsePolicy(text, this.file);
    this.cache = new Map([['whole', new Map([[text, { result }]])]]);
    this.blocks = [];
    const section: PolicySection = { document: result.document, lineCounter: result.lineCounter, toFileLine: (line) => line };
    const sections = new Map([...result.partial.servers.keys()].map((name) => [name, section]));
    return { policy: result.policy, partial: result.partial, diagnostics: result.diagnostics, sections, ruleSections: RULE_SECTIONS, parsedSections: cached ? 0 : 1 };
  }
}

function wrapServers(block: string): string {
  const eol = lineEndOf(block);
  return `servers:${eol}${block}${block.endsWith('\n') ? '' : eol}version: 1${eol}`;
}

function lineEndOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

function sectionOf(parsed: Parsed, toFileLine: (line: number) => number): PolicySection {
  return { document: parsed.result.document, lineCounter: parsed.result.lineCounter, toFileLine };
}

/** A part's servers and diagnostics at its place in the file; kept while the part stays there. */
function place(parsed: Parsed, placement: Placement): NonNullable<Parsed['placed']> {
  if (parsed.placed?.at === placement.at) return parsed.placed;
  const { toFileLine, first, last } = placement;
  parsed.placed = {
    at: placement.at,
    servers: [...parsed.result.partial.servers.values()].map((server) => shiftServer(server, toFileLine)),
    diagnostics: parsed.result.diagnostics.map((d) => shiftDiagnostic(d, toFileLine, first, last)),
  };
  return parsed.placed;
}

function shiftRange(range: Range, toFileLine: (line: number) => number, first = 0, last = Infinity): Range {
  const line = (n: number) => Math.max(first, Math.min(toFileLine(n), last));
  return {
    start: { line: line(range.start.line), character: range.start.character },
    end: { line: line(range.end.line), character: range.end.character },
  };
}

function shiftDiagnostic(d: Diagnostic, toFileLine: (line: number) => number, first: number, last: number): Diagnostic {
  return { ...d, range: shiftRange(d.range, toFileLine, first, last) };
}

function shiftServer(server: ServerPolicy, toFileLine: (line: number) => number): ServerPolicy {
  const lineOf = (oneBased: number) => toFileLine(oneBased - 1) + 1;
  const shifted: ServerPolicy = {
    ...server,
    keyRange: shiftRange(server.keyRange, toFileLine),
    range: shiftRange(server.range, toFileLine),
    line: lineOf(server.line),
    tools: server.tools.map((rule): ToolRule => ({ ...rule, keyRange: shiftRange(rule.keyRange, toFileLine), range: shiftRange(rule.range, toFileLine), line: lineOf(rule.line) })),
  };
  if (server.defaultLine !== undefined) shifted.defaultLine = lineOf(server.defaultLine);
  return shifted;
}

function isBefore(a: Range['start'], b: Range['start']): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}
