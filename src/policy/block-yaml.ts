// A fast reader for the YAML that policies are written in: block maps and lists, one-line flow maps and
// lists, plain and quoted one-line scalars, block scalars, comments. It builds the `yaml` package's own
// nodes with the ranges that package's parser gives them, in a fraction of its time (a 5,000-line
// policy: a few ms against about 50). Anything else — anchors, aliases, merge keys, keys that are not
// text (`007:`, `true:`), tags, multi-line plain or quoted scalars, several documents, tabs, mixed line
// ends, odd indentation, duplicate keys, anything that may be an error — makes it answer `undefined`, and the caller parses with `yaml` itself, so both always agree (a
// differential test checks it on thousands of mutated files).
import { LineCounter, type Node, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { makeMap, makePair, makeScalar, makeSeq, plainValue } from './yaml-nodes';
import { readBlockScalar } from './yaml-block-scalar';
import { LineIndex } from './yaml-lines';
import { resolvePlain, unescapeDoubleQuoted } from './yaml-scalars';

export interface BlockYaml {
  contents: YAMLMap;
  lineCounter: LineCounter;
  /** The contents as plain JavaScript, as `toJS` gives it. */
  value: Record<string, unknown>;
}

/** Thrown inside the reader when the text leaves the subset it reads; not an Error, so it costs no stack. */
const OUTSIDE_SUBSET = Symbol('outside the subset');

// Characters the reader leaves to `yaml`: tabs, other controls, NEL, line and paragraph separators, BOM.
const UNSUPPORTED_CHARS = /[\x00-\x09\x0b\x0c\x0e-\x1f\x7f\x85\u2028\u2029\ufeff]/;
// Line ends must be all LF or all CRLF.
const MIXED_LINE_ENDS = /\r(?!\n)|(?<!\r)\n/;
// The first characters of a plain scalar that mean something else, or that the reader does not take.
const NOT_PLAIN_START = new Set([...'-?:,[]{}#&*!|>\'"%@`']);
const FLOW_INDICATORS = new Set([...',[]{}']);
const MAX_KEY_LENGTH = 1024;
const MERGE_KEY = '<<';
// Collections nested deeper than this are left to yaml: the reader recurses, and no policy nests so deep.
const MAX_DEPTH = 64;
// A block map's keys are checked for duplicates by a scan up to this many, then with a Set.
const SCAN_KEYS = 16;

export function readBlockYaml(text: string): BlockYaml | undefined {
  if (UNSUPPORTED_CHARS.test(text)) return undefined;
  if (text.includes('\r') && MIXED_LINE_ENDS.test(text)) return undefined;
  try {
    return new Reader(text).read();
  } catch (error) {
    if (error === OUTSIDE_SUBSET) return undefined;
    throw error;
  }
}

function outside(): never {
  throw OUTSIDE_SUBSET;
}

const SPACE = 32;
const NEWLINE = 10;
const RETURN = 13;
const COLON = 58;
const HASH = 35;


class Reader {
  private readonly lines: LineIndex;
  /** The line being read. */
  private line = 0;
  /** How many collections enclose the one being read. */
  private depth = 0;

  constructor(private readonly text: string) {
    this.lines = new LineIndex(text);
  }

  read(): BlockYaml {
    this.line = this.nextContentLine(0);
    if (this.line >= this.lines.lineCount || this.lines.indents[this.line] !== 0) outside();
    if (this.lines.charAt(this.line, 0) === '-') outside(); // a list at the top: not a policy, let yaml say so
    const contents = this.readMap(this.lines.starts[this.line]!, 0, -1, true);
    const lineCounter = new LineCounter();
    for (const start of this.lines.starts) lineCounter.addNewLine(start);
    return { contents, lineCounter, value: plainValue(contents) as Record<string, unknown> };
  }

  /** The first line from `from` on with content; document markers are left to yaml. */
  private nextContentLine(from: number): number {
    const line = this.lines.nextContentLine(from);
    if (this.lines.isDocumentMarker(line)) outside();
    return line;
  }

  // --- block collections

  /** A block collection whose first entry starts at `offset` (column `indent`) on the current line. */
  private readCollection(offset: number, indent: number, parentIndent: number): YAMLMap | YAMLSeq {
    if (++this.depth > MAX_DEPTH) outside();
    const collection = this.text[offset] === '-' && this.isSpaceOrEnd(offset + 1) ? this.readSeq(offset, indent, parentIndent) : this.readMap(offset, indent, parentIndent, false);
    this.depth--;
    return collection;
  }

  private readMap(offset: number, indent: number, parentIndent: number, top: boolean): YAMLMap {
    const map = makeMap(false);
    let seen: Set<string> | undefined; // the keys, once there are too many to scan
    let end = offset;
    let first = true;
    for (;;) {
      const lineStart = this.lines.starts[this.line]!;
      const at = first ? offset : lineStart + indent;
      if (!first && this.text[at] === '-' && this.isSpaceOrEnd(at + 1)) outside(); // a list item among keys
      const key = this.readKey(at);
      if (seen ? seen.has(key.value as string) : hasKey(map, key.value as string)) outside(); // a duplicate: yaml reports it
      const value = this.readValue(key.range![1] + 1, indent);
      map.items.push(makePair(key, value));
      if (seen) seen.add(key.value as string);
      else if (map.items.length === SCAN_KEYS) seen = new Set(map.items.map((pair) => (pair.key as Scalar).value as string));
      end = value.range![2];
      first = false;
      const next = this.nextContentLine(this.line + 1);
      if (next >= this.lines.lineCount) break;
      const nextIndent = this.lines.indentOf(next);
      if (nextIndent > indent) outside(); // a continuation line or bad indentation
      if (nextIndent < indent) {
        if (nextIndent > parentIndent) outside(); // between this map and its parent
        break;
      }
      this.line = next;
    }
    const lastLine = this.lines.lineOf(end);
    map.range = [offset, end, top ? end : this.lines.commentEnd(lastLine, end, indent, false)];
    return map;
  }

  private readSeq(offset: number, indent: number, parentIndent: number): YAMLSeq {
    const seq = makeSeq(false);
    let end = offset;
    let first = true;
    for (;;) {
      const at = first ? offset : this.lines.starts[this.line]! + indent;
      if (this.text[at] !== '-' || !this.isSpaceOrEnd(at + 1)) outside(); // a key among list items
      const item = this.readItem(at + 1, indent);
      seq.items.push(item);
      end = item.range![2];
      first = false;
      const next = this.nextContentLine(this.line + 1);
      if (next >= this.lines.lineCount) break;
      const nextIndent = this.lines.indentOf(next);
      if (nextIndent > indent) outside();
      if (nextIndent < indent) {
        if (nextIndent > parentIndent) outside(); // between this list and its parent
        break;
      }
      this.line = next;
    }
    seq.range = [offset, end, this.lines.commentEnd(this.lines.lineOf(end), end, indent, false)];
    return seq;
  }

  /** A list item's content, after its `-`. */
  private readItem(from: number, indent: number): Node {
    const at = this.skipSpaces(from);
    const c = this.text[at];
    if (c === undefined || c === '\n' || c === '\r' || c === '#') return this.readNested(from, at, indent);
    if (c === '-' && this.isSpaceOrEnd(at + 1)) outside(); // a list in a list item
    if (c !== '{' && c !== '[' && this.startsKey(at)) return this.readCollection(at, at - this.lines.starts[this.line]!, indent);
    return this.readInline(at, indent);
  }

  /** A map value, after its `:`. */
  private readValue(from: number, indent: number): Node {
    const at = this.skipSpaces(from);
    const c = this.text[at];
    if (c === undefined || c === '\n' || c === '\r' || c === '#') return this.readNested(from, at, indent);
    if (c !== '{' && c !== '[' && this.startsKey(at)) outside(); // `a: b: c`
    return this.readInline(at, indent);
  }

  /** The value on the lines below a key or `-` with nothing after it, or an empty value. */
  private readNested(from: number, at: number, indent: number): Node {
    const line = this.line;
    const next = this.nextContentLine(line + 1);
    const nextIndent = next < this.lines.lineCount ? this.lines.indentOf(next) : -1;
    if (nextIndent > indent) {
      this.line = next;
      const start = this.lines.starts[next]! + nextIndent;
      const c = this.text[start];
      return c === '{' || c === '[' ? this.readInline(start, indent) : this.readCollection(start, nextIndent, indent);
    }
    if (nextIndent === indent && this.lines.charAt(next, indent) === '-' && this.text[from - 1] === ':') outside(); // a list at its key's indent
    // An empty value: yaml places it after the spaces; comments or spaces on the lines after it change its
    // range, so those are left to yaml.
    if (this.text[at] === '#' || this.hasTextBetween(line + 1, next) || this.followsComment(line)) outside();
    return this.scalar(null, 'PLAIN', at, at, at);
  }

  /** Whether comment lines come between the line and the content above it. */
  private followsComment(line: number): boolean {
    for (let above = line - 1; above >= 0 && this.lines.isTrivia(above); above--) if (this.lines.isComment(above)) return true;
    return false;
  }

  private hasTextBetween(from: number, to: number): boolean {
    for (let line = from; line < to && line < this.lines.lineCount; line++) if (this.lines.endOf(line) > this.lines.starts[line]!) return true;
    return false;
  }

  /** A scalar or a flow collection on one line, then nothing but a comment. */
  private readInline(at: number, indent: number): Node {
    const line = this.line;
    const c = this.text[at]!;
    if (c === '|' || c === '>') {
      const block = readBlockScalar(this.lines, this.text, at, line, indent) ?? outside();
      const scalar = this.scalar(block.value, block.type, at, block.end, block.end);
      scalar.source = block.value;
      this.line = block.lastLine;
      return scalar;
    }
    const node: Node = c === '{' || c === '[' ? this.readFlow(at) : c === '"' || c === "'" ? this.readQuoted(at) : this.readPlainValue(at);
    const end = node.range![1];
    const rest = this.skipSpaces(end);
    const r = this.text[rest];
    if (r !== undefined && r !== '\n' && r !== '\r' && !(r === '#' && rest > end)) outside();
    node.range = [node.range![0], node.range![1], this.lines.commentEnd(line, this.lines.afterLine(line), indent, true)];
    return node;
  }

  // --- keys and scalars

  /** Whether a key (`key:` followed by a space or the line's end) starts at `at`. */
  private startsKey(at: number): boolean {
    const lineEnd = this.lines.endOf(this.line);
    const c = this.text[at];
    if (c === '"' || c === "'") {
      const close = this.quotedEnd(at);
      return this.text[close] === ':';
    }
    for (let i = at; i < lineEnd; i++) {
      const ch = this.text.charCodeAt(i);
      if (ch === COLON && this.isSpaceOrEnd(i + 1)) return true;
      if (ch === HASH && this.text.charCodeAt(i - 1) === SPACE) return false;
    }
    return false;
  }

  private readKey(at: number): Scalar {
    const c = this.text[at];
    let key: Scalar;
    if (c === '"' || c === "'") {
      key = this.readQuoted(at);
    } else {
      if (c === undefined || NOT_PLAIN_START.has(c)) outside();
      const lineEnd = this.lines.endOf(this.line);
      let i = at;
      for (; i < lineEnd; i++) {
        const ch = this.text.charCodeAt(i);
        if (ch === COLON && this.isSpaceOrEnd(i + 1)) break;
        if (ch === HASH && this.text.charCodeAt(i - 1) === SPACE) outside();
      }
      if (i >= lineEnd || this.text[i - 1] === ' ') outside(); // no `:`, or spaces before it
      const source = this.text.slice(at, i);
      // A key that is a number, true or null, or a merge key (`<<`): left to yaml and yaml-resolve.ts.
      if (typeof this.resolved(source) !== 'string' || source === MERGE_KEY) outside();
      key = this.scalar(source, 'PLAIN', at, i, i);
      key.source = source;
    }
    const end = key.range![1];
    if (this.text[end] !== ':' || !this.isSpaceOrEnd(end + 1) || end - at > MAX_KEY_LENGTH) outside();
    key.range = [at, end, end];
    return key;
  }

  /** A plain scalar in block context: up to a comment or the line's end. */
  private readPlainValue(at: number): Scalar {
    const c = this.text[at]!;
    if (NOT_PLAIN_START.has(c) && !(c === '-' && !this.isSpaceOrEnd(at + 1))) outside();
    const lineEnd = this.lines.endOf(this.line);
    let end = at;
    for (let i = at; i < lineEnd; i++) {
      const ch = this.text.charCodeAt(i);
      if (ch === HASH && this.text.charCodeAt(i - 1) === SPACE) break;
      if (ch === COLON && this.isSpaceOrEnd(i + 1)) outside();
      if (ch !== SPACE) end = i + 1;
    }
    const source = this.text.slice(at, end);
    const scalar = this.scalar(this.resolved(source), 'PLAIN', at, end, end);
    scalar.source = source;
    return scalar;
  }

  /** Where a one-line quoted scalar starting at `at` ends (past its closing quote). */
  private quotedEnd(at: number): number {
    const quote = this.text[at];
    const lineEnd = this.lines.endOf(this.line);
    for (let i = at + 1; i < lineEnd; i++) {
      const ch = this.text[i];
      if (quote === '"' && ch === '\\') i++;
      else if (ch === quote) {
        if (quote === "'" && this.text[i + 1] === "'") i++;
        else return i + 1;
      }
    }
    return outside(); // runs onto the next line
  }

  private readQuoted(at: number): Scalar {
    const end = this.quotedEnd(at);
    const inner = this.text.slice(at + 1, end - 1);
    let value: string;
    if (this.text[at] === "'") {
      value = inner.replaceAll("''", "'");
    } else {
      value = unescapeDoubleQuoted(inner) ?? outside();
    }
    const scalar = this.scalar(value, this.text[at] === "'" ? 'QUOTE_SINGLE' : 'QUOTE_DOUBLE', at, end, end);
    scalar.source = value;
    return scalar;
  }

  // --- flow collections, on one line

  private readFlow(at: number): YAMLMap | YAMLSeq {
    if (++this.depth > MAX_DEPTH) outside();
    const isMap = this.text[at] === '{';
    const close = isMap ? '}' : ']';
    const collection = isMap ? makeMap(true) : makeSeq(true);
    let i = this.skipSpaces(at + 1);
    if (this.text[i] !== close) {
      for (;;) {
        if (isMap) {
          const key = this.readFlowScalar(i, true);
          if (key.range![1] !== key.range![2] || this.text[key.range![1]] !== ':' || this.text[key.range![1] + 1] !== ' ') outside();
          // Keys are checked by a scan; a one-line map with many keys is left to yaml.
          if (typeof key.value !== 'string' || hasKey(collection as YAMLMap, key.value) || collection.items.length > SCAN_KEYS) outside();
          if (key.type === 'PLAIN' && key.value === MERGE_KEY) outside();
          const value = this.readFlowItem(this.skipSpaces(key.range![1] + 1));
          (collection as YAMLMap).items.push(makePair(key, value));
          i = value.range![2];
        } else {
          const item = this.readFlowItem(i);
          if (this.text[item.range![2]] === ':') outside(); // a pair in a list
          (collection as YAMLSeq).items.push(item);
          i = item.range![2];
        }
        if (this.text[i] === close) break;
        if (this.text[i] !== ',') outside();
        i = this.skipSpaces(i + 1);
        if (this.text[i] === close) outside(); // a trailing comma
      }
    }
    const end = i + 1;
    collection.range = [at, end, this.skipSpaces(end)];
    this.depth--;
    return collection;
  }

  private readFlowItem(at: number): Node {
    const c = this.text[at];
    if (c === '{' || c === '[') return this.readFlow(at);
    return this.readFlowScalar(at, false);
  }

  /** A quoted or plain scalar in a flow collection; its `range[2]` takes the spaces after it. */
  private readFlowScalar(at: number, isKey: boolean): Scalar {
    const c = this.text[at];
    let scalar: Scalar;
    if (c === '"' || c === "'") {
      scalar = this.readQuoted(at);
    } else {
      if (c === undefined || NOT_PLAIN_START.has(c)) outside();
      const lineEnd = this.lines.endOf(this.line);
      let end = at;
      let i = at;
      for (; i < lineEnd; i++) {
        const ch = this.text[i]!;
        if (FLOW_INDICATORS.has(ch)) break;
        if (ch === ':' || ch === '#') break;
        if (ch !== ' ') end = i + 1;
      }
      if (this.text[i] === '#' || (this.text[i] === ':' && !(isKey && end === i))) outside();
      const source = this.text.slice(at, end);
      scalar = this.scalar(this.resolved(source), 'PLAIN', at, end, end);
      scalar.source = source;
    }
    scalar.range = [scalar.range![0], scalar.range![1], isKey ? scalar.range![1] : this.skipSpaces(scalar.range![1])];
    return scalar;
  }

  // --- helpers

  private resolved(source: string): unknown {
    const value = resolvePlain(source);
    return value === undefined ? outside() : value;
  }

  private scalar(value: unknown, type: Scalar.Type, start: number, end: number, commentEnd: number): Scalar {
    return makeScalar(value, type, [start, end, commentEnd]);
  }

  private skipSpaces(from: number): number {
    let i = from;
    while (this.text.charCodeAt(i) === 32) i++;
    return i;
  }

  private isSpaceOrEnd(at: number): boolean {
    const c = this.text.charCodeAt(at);
    return c === SPACE || c === NEWLINE || c === RETURN || at >= this.text.length;
  }


}

/** Whether a map being read already has a key: most of a policy's maps are small, and a scan beats a Set. */
function hasKey(map: YAMLMap, key: string): boolean {
  for (const pair of map.items) if ((pair.key as Scalar).value === key) return true;
  return false;
}
