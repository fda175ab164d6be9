// Comment-preserving edits of YAML mappings by splicing the source text.
// yaml's Document.toString() re-renders the whole file: it realigns trailing comments, moves a key's
// trailing comment onto a line of its own, respaces flow maps and drops CRLF. So the parsed Document
// is used here only to find offsets, and an edit rewrites no byte outside the entries it changes.
import { isMap, isScalar, isSeq, parseDocument, Scalar, stringify } from 'yaml';
import type { Document, Node, Pair, YAMLMap } from 'yaml';

/** An edit was refused because the text could not be understood; the message says why. */
export class YamlEditError extends Error {
  override name = 'YamlEditError';
}

/** A value to write. Maps render in block style unless `flow` is set (or they are empty). */
export type NewValue = string | number | boolean | NewMap;
export interface NewMap {
  readonly entries: ReadonlyArray<readonly [string, NewValue]>;
  readonly flow: boolean;
}

export const blockMap = (entries: ReadonlyArray<readonly [string, NewValue]>): NewMap => ({ entries, flow: false });
export const flowMap = (entries: ReadonlyArray<readonly [string, NewValue]>): NewMap => ({ entries, flow: true });

/** Where a new key goes among its siblings. */
export type Placement = 'first' | 'last' | { after: string };

/** A map that exists, or an empty slot (empty document, or a key whose value is null) that can become one. */
interface Slot {
  map: YAMLMap | null;
  /** The pair holding the map; null for the document's top level. */
  owner: Pair | null;
  /** Whether `map` is, or sits inside, a flow collection: values placed in it are written inline. */
  flowContext: boolean;
  /** Whether the owner pair sits inside a flow collection, so its value cannot become block lines. */
  ownerInFlow: boolean;
}

type Lookup = { slot: Slot; pair: Pair } | { slot: Slot; pair: undefined; missingFrom: number };

interface Splice {
  start: number;
  end: number;
  insert: string;
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_./-]*$/;
// Words some YAML readers (1.1) turn into booleans or null even where yaml 1.2 keeps a string.
const RESERVED_WORD = /^(?:true|false|null|yes|no|on|off|y|n|~)$/i;

/** One parsed YAML text, ready to be edited. Every edit returns new text and leaves this object as it was. */
export class YamlText {
  readonly eol: '\n' | '\r\n';
  readonly indentStep: number;
  private readonly lineStarts: number[];

  private constructor(
    readonly text: string,
    readonly doc: Document.Parsed,
  ) {
    const firstBreak = text.indexOf('\n');
    this.eol = firstBreak > 0 && text[firstBreak - 1] === '\r' ? '\r\n' : '\n';
    this.lineStarts = [0];
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
    this.indentStep = this.detectIndentStep();
  }

  /** Parses `text`, refusing anything yaml reports as an error (syntax, duplicate keys, several documents). */
  static parse(text: string): YamlText {
    const doc = parseDocument(text, { keepSourceTokens: true, uniqueKeys: true });
    const error = doc.errors[0];
    if (error) {
      const firstLine = error.message.split('\n')[0].replace(/:$/, '');
      throw new YamlEditError(`The file is not valid YAML, so it was left unchanged: ${firstLine}.`);
    }
    return new YamlText(text, doc);
  }

  /** True when the document has no content at all (empty, blank or only comments). */
  isEmpty(): boolean {
    return isImplicitEmpty(this.doc.contents);
  }

  /** The pair at `path`, or undefined when some key on the way is missing. Throws when a step is not a map. */
  findPair(path: readonly string[]): Pair | undefined {
    return this.lookup(path).pair;
  }

  /** The map at `path` (undefined when missing or null). Throws when the value is not a map. */
  findMap(path: readonly string[]): YAMLMap | undefined {
    if (path.length === 0) return isMap(this.doc.contents) ? this.doc.contents : undefined;
    const pair = this.findPair(path);
    if (!pair || isNullValue(pair.value)) return undefined;
    if (!isMap(pair.value)) throw this.notAMap(path, pair.value);
    return pair.value;
  }

  /** One-based line of an offset. */
  lineNumber(offset: number): number {
    return this.lineIndex(offset) + 1;
  }

  /**
   * Sets the value at `path`, creating the maps on the way. An existing scalar or flow value is replaced in
   * place (a string keeps its quote style); a new key is placed by `placement` among its siblings.
   */
  setIn(path: readonly string[], value: NewValue, placement: Placement = 'last'): string {
    const found = this.lookup(path);
    if (found.pair) return this.apply(this.replaceValue(found.pair, value, found.slot.flowContext, path));
    const rest = path.slice(found.missingFrom + 1);
    const nested = rest.reduceRight<NewValue>((inner, key) => blockMap([[key, inner]]), value);
    const where = rest.length === 0 ? placement : 'last';
    return this.apply(this.insertPair(found.slot, path[found.missingFrom], nested, where, path.slice(0, found.missingFrom)));
  }

  /** Removes the entry at `path` (a no-op when it is missing). A map left empty is written `{}`. */
  removeIn(path: readonly string[]): string {
    const found = this.lookup(path);
    if (!found.pair) return this.text;
    const map = found.slot.map!;
    const pair = found.pair;
    if (map.flow) return this.apply(this.removeFlowPair(map, pair, found.slot.owner !== null));
    const splices = [this.removeBlockPair(pair, map)];
    if (map.items.length === 1 && found.slot.owner) {
      splices.push({ start: this.afterColon(found.slot.owner), end: this.afterColon(found.slot.owner), insert: ' {}' });
    }
    return this.apply(splices);
  }

  // ---- finding ----

  private lookup(path: readonly string[]): Lookup {
    const root = this.doc.contents;
    if (!isMap(root) && !isImplicitEmpty(root)) throw new YamlEditError('The top level of the file is not a map of keys.');
    let slot: Slot = { map: isMap(root) ? root : null, owner: null, flowContext: isMap(root) && !!root.flow, ownerInFlow: false };
    for (let i = 0; i < path.length; i++) {
      if (!slot.map) return { slot, pair: undefined, missingFrom: i };
      const pair = findKey(slot.map, path[i], this.text);
      if (!pair) return { slot, pair: undefined, missingFrom: i };
      if (i === path.length - 1) return { slot, pair };
      const value = pair.value;
      const ownerInFlow = slot.flowContext;
      if (isMap(value)) slot = { map: value, owner: pair, flowContext: ownerInFlow || !!value.flow, ownerInFlow };
      else if (isNullValue(value)) slot = { map: null, owner: pair, flowContext: ownerInFlow, ownerInFlow };
      else throw this.notAMap(path.slice(0, i + 1), value);
    }
    throw new Error('lookup needs a non-empty path');
  }

  private notAMap(path: readonly string[], value: unknown): YamlEditError {
    const what = isSeq(value) ? 'a list' : isScalar(value) ? `the value ${JSON.stringify(value.toString())}` : 'not a map';
    const where = isScalar(value) || isSeq(value) ? ` (line ${this.lineNumber((value as Node).range![0])})` : '';
    return new YamlEditError(`"${path.join('.')}" should be a map of keys but is ${what}${where}.`);
  }

  // ---- inserting ----

  private insertPair(slot: Slot, key: string, value: NewValue, placement: Placement, mapPath: readonly string[]): Splice[] {
    const { map, owner } = slot;
    if (!map) {
      if (owner) return this.fillWithBlock(owner, [[key, value]], slot.ownerInFlow);
      return [this.appendToEmptyDocument(key, value)];
    }
    if (map.flow) {
      if (map.items.length === 0) {
        const asBlock = owner && !slot.ownerInFlow && isBlockValue(value);
        if (asBlock) return this.fillWithBlock(owner, [[key, value]], false);
        return [{ start: map.range![0], end: this.contentEnd(map), insert: `{ ${renderKey(key)}: ${renderInline(value, true)} }` }];
      }
      return [this.insertIntoFlowMap(map, key, value, placement)];
    }
    const column = this.column((map.items[0] as Pair<Node>).key.range![0]);
    const lines = this.renderBlockPair(key, value, column);
    if (placement === 'first') {
      const firstKeyStart = (map.items[0] as Pair<Node>).key.range![0];
      if (!owner) return [{ start: this.lineStarts[this.lineIndex(firstKeyStart)], end: this.lineStarts[this.lineIndex(firstKeyStart)], insert: lines + this.eol }];
      const ownerLine = this.lineIndex((owner.key as Node).range![0]);
      if (this.lineIndex(firstKeyStart) <= ownerLine) throw this.unsupported(mapPath);
      const at = this.lineEnd(ownerLine);
      return [{ start: at, end: at, insert: this.eol + lines }];
    }
    const anchor = (typeof placement === 'object' && findKey(map, placement.after, this.text)) || (map.items[map.items.length - 1] as Pair);
    const at = this.lineEnd(this.lastLineOfBlockPair(anchor, column));
    return [{ start: at, end: at, insert: this.eol + lines }];
  }

  private insertIntoFlowMap(map: YAMLMap, key: string, value: NewValue, placement: Placement): Splice {
    const entry = `${renderKey(key)}: ${renderInline(value, true)}`;
    const items = map.items as Pair<Node, Node | null>[];
    if (placement === 'first') {
      const start = items[0].key.range![0];
      return { start, end: start, insert: `${entry}, ` };
    }
    const anchor = (typeof placement === 'object' && (findKey(map, placement.after, this.text) as Pair<Node, Node | null> | undefined)) || items[items.length - 1];
    const end = this.pairContentEnd(anchor);
    const next = /^\s*,/.exec(this.text.slice(end));
    if (next) return { start: end + next[0].length, end: end + next[0].length, insert: ` ${entry},` };
    return { start: end, end, insert: `, ${entry}` };
  }

  /** Turns `key:`, `key: ~` or `key: {}` into a block map holding `entries`. */
  private fillWithBlock(owner: Pair, entries: ReadonlyArray<readonly [string, NewValue]>, inFlow: boolean): Splice[] {
    const colon = this.afterColon(owner);
    if (inFlow) {
      const value = owner.value as Node | null;
      const end = value && hasSource(value) ? this.contentEnd(value) : colon;
      return [{ start: colon, end, insert: ` ${renderInline(flowMap(entries), true)}` }];
    }
    const value = owner.value as Node | null;
    const column = this.column((owner.key as Node).range![0]) + this.indentStep;
    const lines = entries.map(([k, v]) => this.renderBlockPair(k, v, column)).join(this.eol);
    const splices: Splice[] = [];
    let lastOffset = colon;
    if (value && hasSource(value)) {
      lastOffset = this.contentEnd(value);
      splices.push({ start: colon, end: lastOffset, insert: '' });
    }
    const at = this.lineEnd(this.lineIndex(lastOffset));
    splices.push({ start: at, end: at, insert: this.eol + lines });
    return splices;
  }

  private appendToEmptyDocument(key: string, value: NewValue): Splice {
    const lines = this.renderBlockPair(key, value, 0) + this.eol;
    if (this.text.trim() === '') return { start: 0, end: this.text.length, insert: lines };
    const needsBreak = !this.text.endsWith('\n');
    return { start: this.text.length, end: this.text.length, insert: (needsBreak ? this.eol : '') + lines };
  }

  // ---- replacing ----

  private replaceValue(pair: Pair, value: NewValue, inFlow: boolean, path: readonly string[]): Splice[] {
    const old = pair.value as Node | null;
    const emptyish = isNullValue(old) || (isMap(old) && old.flow && old.items.length === 0);
    if (isBlockValue(value)) {
      if (!emptyish) throw new YamlEditError(`"${path.join('.')}" already has a value that cannot be replaced.`);
      return this.fillWithBlock(pair, (value as NewMap).entries, inFlow);
    }
    if (!old || !hasSource(old)) {
      const at = this.afterColon(pair);
      return [{ start: at, end: at, insert: ` ${renderInline(value, inFlow)}` }];
    }
    if ((isMap(old) || isSeq(old)) && !old.flow) {
      const kind = isSeq(old) ? 'list' : 'map';
      throw new YamlEditError(`"${path.join('.')}" is a block ${kind} (line ${this.lineNumber(old.range![0])}) that this editor does not replace; edit it by hand.`);
    }
    const rendered = isScalar(old) && typeof value === 'string' ? renderStringLike(old, value, inFlow) : renderInline(value, inFlow);
    return [{ start: old.range![0], end: this.contentEnd(old), insert: rendered }];
  }

  // ---- removing ----

  private removeBlockPair(pair: Pair, map: YAMLMap): Splice {
    const keyStart = (pair.key as Node).range![0];
    const first = this.lineIndex(keyStart);
    const lineStart = this.lineStarts[first];
    if (this.text.slice(lineStart, keyStart).trim() !== '') {
      throw new YamlEditError(`The entry at line ${first + 1} is laid out in a way this editor does not change; edit it by hand.`);
    }
    const column = this.column((map.items[0] as Pair<Node>).key.range![0]);
    const last = this.lastLineOfBlockPair(pair, column);
    if (last + 1 < this.lineStarts.length) return { start: lineStart, end: this.lineStarts[last + 1], insert: '' };
    // The entry ends the text without a line break: drop the break before it instead.
    const start = first === 0 ? 0 : lineStart - (this.text[lineStart - 2] === '\r' ? 2 : 1);
    return { start, end: this.text.length, insert: '' };
  }

  private removeFlowPair(map: YAMLMap, pair: Pair, hasOwner: boolean): Splice[] {
    const items = map.items as Pair<Node, Node | null>[];
    const index = items.indexOf(pair as Pair<Node, Node | null>);
    if (items.length === 1 && hasOwner) return [{ start: map.range![0], end: this.contentEnd(map), insert: '{}' }];
    if (index < items.length - 1) return [{ start: items[index].key.range![0], end: items[index + 1].key.range![0], insert: '' }];
    return [{ start: this.pairContentEnd(items[index - 1]), end: this.pairContentEnd(items[index]), insert: '' }];
  }

  // ---- text geometry ----

  /** The last line of a block entry: its value, then any deeper-indented comment lines that follow it. */
  private lastLineOfBlockPair(pair: Pair, itemColumn: number): number {
    const keyStart = (pair.key as Node).range![0];
    let line = this.lineIndex(Math.max(keyStart, this.pairContentEnd(pair as Pair<Node, Node | null>) - 1));
    while (line + 1 < this.lineStarts.length) {
      const next = this.text.slice(this.lineStarts[line + 1], this.lineEnd(line + 1));
      const indent = next.length - next.trimStart().length;
      if (!next.trimStart().startsWith('#') || indent <= itemColumn) break;
      line++;
    }
    return line;
  }

  /** The offset just after the last character of a pair's content (its value, or its key). */
  private pairContentEnd(pair: Pair<Node, Node | null>): number {
    const value = pair.value;
    if (value && hasSource(value)) return this.contentEnd(value);
    return this.contentEnd(pair.key);
  }

  private contentEnd(node: Node): number {
    if ((isMap(node) || isSeq(node)) && !node.flow && node.items.length > 0) {
      const last = node.items[node.items.length - 1] as Node | Pair<Node, Node | null>;
      return isMap(node) ? this.pairContentEnd(last as Pair<Node, Node | null>) : this.contentEnd(last as Node);
    }
    const [start, end] = node.range!;
    let at = end;
    while (at > start && /\s/.test(this.text[at - 1])) at--;
    return at;
  }

  /** The offset just after the `:` that follows a block or flow key. */
  private afterColon(pair: Pair): number {
    const keyEnd = (pair.key as Node).range![1];
    const match = /^\s*:/.exec(this.text.slice(keyEnd));
    if (!match) throw new YamlEditError(`The entry at line ${this.lineNumber(keyEnd)} has no ":" after its key; edit it by hand.`);
    return keyEnd + match[0].length;
  }

  private unsupported(path: readonly string[]): YamlEditError {
    return new YamlEditError(`"${path.join('.')}" is laid out in a way this editor does not change; edit it by hand.`);
  }

  private lineIndex(offset: number): number {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return low;
  }

  /** Offset of the end of a line's content (before its line break). */
  private lineEnd(line: number): number {
    if (line + 1 >= this.lineStarts.length) return this.text.length;
    const breakAt = this.lineStarts[line + 1] - 1;
    return this.text[breakAt - 1] === '\r' ? breakAt - 1 : breakAt;
  }

  private column(offset: number): number {
    return offset - this.lineStarts[this.lineIndex(offset)];
  }

  /** The file's indentation step: how far the first nested block map sits right of its key. 2 when none. */
  private detectIndentStep(): number {
    const visit = (map: YAMLMap): number | undefined => {
      for (const pair of map.items as Pair<Node, Node | null>[]) {
        const value = pair.value;
        if (!isMap(value) || value.flow || value.items.length === 0) continue;
        const step = this.column((value.items[0] as Pair<Node>).key.range![0]) - this.column(pair.key.range![0]);
        if (step > 0) return step;
        const inner = visit(value);
        if (inner) return inner;
      }
      return undefined;
    };
    const root = this.doc.contents;
    return (isMap(root) && !root.flow && visit(root)) || 2;
  }

  private renderBlockPair(key: string, value: NewValue, column: number): string {
    const head = ' '.repeat(column) + renderKey(key) + ':';
    if (!isBlockValue(value)) return `${head} ${renderInline(value, false)}`;
    const children = (value as NewMap).entries.map(([k, v]) => this.renderBlockPair(k, v, column + this.indentStep));
    return [head, ...children].join(this.eol);
  }

  private apply(splices: Splice[]): string {
    let text = this.text;
    for (const splice of [...splices].sort((a, b) => b.start - a.start)) {
      text = text.slice(0, splice.start) + splice.insert + text.slice(splice.end);
    }
    const check = parseDocument(text, { uniqueKeys: true });
    if (check.errors.length > 0) throw new Error(`Editing produced invalid YAML (${check.errors[0].message.split('\n')[0]}); the file was left unchanged.`);
    return text;
  }
}

function findKey(map: YAMLMap, key: string, text: string): Pair | undefined {
  return (map.items as Pair[]).find((pair) => {
    const node = pair.key;
    if (!isScalar(node)) return false;
    // A plain key is compared as written, so `1.0` or `true` match their own spelling; quoted keys by value.
    if (node.type === Scalar.PLAIN && node.range) return text.slice(node.range[0], node.range[1]) === key;
    return String(node.value) === key;
  });
}

function isImplicitEmpty(node: unknown): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null && !hasSource(node));
}

function isNullValue(node: unknown): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null);
}

function hasSource(node: Node): boolean {
  return !!node.range && node.range[1] > node.range[0];
}

function isBlockValue(value: NewValue): boolean {
  return typeof value === 'object' && !value.flow && value.entries.length > 0;
}

/** A key, quoted unless it is a plain word: globs (`get_*`) and names with `:`, `#` or spaces are quoted. */
export function renderKey(key: string): string {
  return PLAIN_KEY.test(key) && !RESERVED_WORD.test(key) ? key : JSON.stringify(key);
}

function renderInline(value: NewValue, inFlow: boolean): string {
  if (typeof value === 'object') {
    if (value.entries.length === 0) return '{}';
    return `{ ${value.entries.map(([k, v]) => `${renderKey(k)}: ${renderInline(v, true)}`).join(', ')} }`;
  }
  if (typeof value === 'string') return renderString(value, inFlow);
  return String(value);
}

/** A string as yaml would write it on one line (plain when it can be), else double-quoted. */
function renderString(value: string, inFlow: boolean): string {
  const written = stringify(value, { lineWidth: 0, minContentWidth: 0 }).replace(/\n$/, '');
  if (written.includes('\n') || (inFlow && /[,[\]{}]/.test(written) && !/^["']/.test(written))) return JSON.stringify(value);
  return written;
}

function renderStringLike(old: Scalar, value: string, inFlow: boolean): string {
  if (old.type === Scalar.QUOTE_DOUBLE) return JSON.stringify(value);
  if (old.type === Scalar.QUOTE_SINGLE && !/[\n\r]/.test(value)) return `'${value.replace(/'/g, "''")}'`;
  return renderString(value, inFlow);
}
