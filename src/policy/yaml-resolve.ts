// The plain value of a YAML document, with aliases and merge keys (`<<`) resolved, and a diagnostic for
// everything that would make the policy mean something other than what its text shows. This value is the
// one the schema validates and the model is built from, so the two cannot differ.
//
// Resolved here rather than by `yaml`'s toJS, which may take exponential time (each merge converts its
// source again, a chain of doubled merges is a bomb) and whose guard against alias bombs refuses a policy
// that simply uses one anchor a hundred times. Here each node is resolved once, an alias shares its
// anchor's value, and the size the value would have written out in full is counted: beyond a bound, or on
// an alias inside the node it names, the file is refused with a diagnostic instead of being expanded.
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair } from 'yaml';
import type { Diagnostic } from './model';
import { nodeRange, START_OF_FILE } from './positions';

/** How many values a policy may hold once every alias is written out in full: no real policy comes near it. */
export const MAX_EXPANDED_VALUES = 200_000;

export const DUPLICATE_KEY = 'Duplicate key: each key may appear once in a map';

export interface Resolved {
  /** The document's plain value; undefined when it cannot be had (cycles, too large once expanded). */
  value: unknown;
  diagnostics: Diagnostic[];
}

/** Whether a pair's key is a YAML merge key: `<<` written plain. Quoted, `"<<"` is an ordinary key. */
export function isMergeKey(key: unknown): boolean {
  if (!isScalar(key)) return false;
  const value = key.value;
  return (typeof value === 'symbol' && value.description === '<<') || (value === '<<' && key.type === 'PLAIN');
}

export function resolveDocument(document: Document, lineCounter: LineCounter): Resolved {
  const resolver = new Resolver(lineCounter);
  const value = resolver.value(document.contents as Node | null);
  // Without aliases the value is no larger than the text: only aliases can multiply it.
  if (resolver.aliases > 0 && resolver.expanded(value) > MAX_EXPANDED_VALUES) {
    resolver.report(undefined, 'alias-bomb', `With its aliases written out in full, this policy would hold more than ${MAX_EXPANDED_VALUES.toLocaleString('en')} values (aliases of lists of aliases multiply): it is refused rather than expanded`);
    return { value: undefined, diagnostics: resolver.diagnostics };
  }
  // An alias that names nothing (or its own map) has no value: checking a stand-in would only add noise.
  return { value: resolver.failed.size > 0 ? undefined : value, diagnostics: resolver.diagnostics };
}

class Resolver {
  readonly diagnostics: Diagnostic[] = [];
  /** The node each anchor names at the point being read: the last one written before it. */
  private readonly anchors = new Map<string, Node>();
  private readonly values = new Map<Node, unknown>();
  /** Anchored collections being read: an alias to one of them is inside it. */
  private readonly open = new Set<Node>();
  /** Aliases reported as naming nothing or a map they are inside (whose value would never end). */
  readonly failed = new Set<Node>();
  /** How many aliases were read. */
  aliases = 0;
  /** Size of each collection, counting every alias in full; shared values are counted once each. */
  private readonly sizes = new Map<object, number>();

  constructor(private readonly lineCounter: LineCounter) {}

  report(node: Node | undefined, code: string, message: string): void {
    this.diagnostics.push({ range: nodeRange(this.lineCounter, node, START_OF_FILE), severity: 'error', code, message });
  }

  value(node: Node | null | undefined): unknown {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) return this.alias(node);
    if (node.anchor) this.anchors.set(node.anchor, node);
    let value: unknown;
    if (isScalar(node)) {
      value = node.value;
      if (typeof value === 'symbol') value = value.description ?? null; // a `<<` where it is no key
      // JSON has no NaN or infinity: written out (as null) they would compare and cache as another value.
      if (typeof value === 'number' && !Number.isFinite(value)) {
        this.report(node, 'non-finite-number', `${node.source ?? String(value)} is not a number a policy can hold (JSON has no NaN or infinity)`);
      }
    } else if (isMap(node) || isSeq(node)) {
      if (node.anchor) this.open.add(node);
      value = isMap(node) ? this.map(node.items as Pair[]) : node.items.map((item) => this.value(item as Node));
      if (node.anchor) this.open.delete(node);
    } else {
      value = null;
    }
    if (node.anchor) this.values.set(node, value);
    return value;
  }

  private alias(alias: Node & { source: string }): unknown {
    this.aliases++;
    const target = this.anchors.get(alias.source);
    if (!target) {
      this.failed.add(alias);
      this.report(alias, 'unresolved-alias', `Alias *${alias.source} names no anchor: write &${alias.source} on a value above it`);
      return null;
    }
    if (this.open.has(target)) {
      this.failed.add(alias);
      this.report(alias, 'recursive-alias', `Alias *${alias.source} is inside the value it names, which would never end`);
      return null;
    }
    return this.values.get(target);
  }

  /**
   * A map as `yaml` builds it with merge keys: a `<<` adds, where it stands, the keys of its maps that
   * are not there yet (earlier maps first); a key written after it replaces a merged one in its place.
   */
  private map(pairs: Pair[]): Record<string, unknown> {
    const object: Record<string, unknown> = {};
    const written = new Set<string>();
    for (const pair of pairs) {
      const keyNode = pair.key as Node | null;
      if (isMergeKey(keyNode)) {
        for (const source of this.mergeSources(pair)) {
          for (const key of Object.keys(source)) if (!Object.prototype.hasOwnProperty.call(object, key)) define(object, key, source[key]);
        }
        continue;
      }
      const key = this.key(keyNode);
      const value = this.value(pair.value as Node | null);
      if (key === undefined) continue;
      if (written.has(key)) {
        // Found here, in one pass, rather than by yaml's uniqueKeys, which compares each key with all before it.
        this.report(keyNode ?? undefined, 'duplicate-key', DUPLICATE_KEY);
        continue; // the first counts, as in the editor
      }
      written.add(key);
      define(object, key, value);
    }
    return object;
  }

  /** A key's text; undefined (and a diagnostic) for a key that is not plain text. */
  private key(node: Node | null): string | undefined {
    if (isAlias(node)) {
      this.alias(node);
      this.report(node, 'complex-key', `A key may not be an alias (*${node.source}): write the key itself`);
      return undefined;
    }
    const value = this.value(node);
    if (typeof value === 'string') return value;
    if (!isScalar(node)) {
      this.report(node ?? undefined, 'complex-key', 'A key must be text, not a list or a map');
      return undefined;
    }
    const written = typeof node.source === 'string' ? node.source : String(value);
    const read = value === null ? 'as nothing (null)' : typeof value === 'boolean' ? `as the boolean ${value}` : `as the number ${String(value)}`;
    this.report(node, 'non-string-key', `Key ${written} is read ${read}, not as the name "${written}": quote it ("${written}")`);
    return undefined;
  }

  /** The maps a merge key brings in, in order; a diagnostic for anything else. */
  private mergeSources(pair: Pair): Record<string, unknown>[] {
    const node = pair.value as Node | null;
    const value = this.value(node);
    const items: [Node | null, unknown][] = isSeq(node) ? node.items.map((item, i) => [item as Node | null, (value as unknown[])[i]]) : [[node, value]];
    const sources: Record<string, unknown>[] = [];
    for (const [item, itemValue] of items) {
      if (isPlainObject(itemValue) && (isMap(item) || isAlias(item))) sources.push(itemValue);
      else if (!this.failed.has(item as Node)) {
        // An alias that names nothing, or its own map, has its diagnostic already.
        this.report((item ?? pair.key) as Node, 'invalid-merge', 'A merge key (<<) takes a map, an alias of a map, or a list of them');
      }
    }
    return sources;
  }

  /** How many values `value` holds written out in full; shared (aliased) parts are counted at each use. */
  expanded(value: unknown): number {
    if (value === null || typeof value !== 'object') return 1;
    const known = this.sizes.get(value);
    if (known !== undefined) return known;
    this.sizes.set(value, Infinity); // a cycle, should one get here, counts as too large
    let size = 1;
    for (const child of Object.values(value)) {
      size += this.expanded(child);
      if (size > MAX_EXPANDED_VALUES) break;
    }
    this.sizes.set(value, size);
    return size;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets a key as `yaml` does: defined, so `__proto__` stays an own key and changes no prototype. */
function define(object: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
  else object[key] = value;
}
