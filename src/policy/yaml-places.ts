// Where each part of a policy's resolved value was written, found by following the YAML nodes alongside
// the value. The nodes give positions only, never meaning: a value that came through an alias or a merge
// key (`<<`) is placed at that alias or `<<`, where the text pulls it in.
import { isAlias, isMap, isScalar, type LineCounter, type Node, type Pair } from 'yaml';
import type { Range } from './model';
import { keyRange, nodeRange, pairRange, START_OF_FILE } from './positions';
import { isMergeKey } from './yaml-resolve';

export interface Place {
  /** The key (or the alias or `<<` the value came through). */
  keyRange: Range;
  /** From the key to the end of its value. */
  range: Range;
  /** The value's node while it is written in place: a map, list or scalar, or the alias it is read through. */
  node: Node | undefined;
  /** The pair that holds the value, while it is written in place. */
  pair: Pair | undefined;
  /** Where the parts of the value are placed when they have no node of their own: the alias or `<<`. */
  inside: Range;
}

export function rootPlace(lineCounter: LineCounter, contents: Node | null | undefined): Place {
  const inside = isAlias(contents) ? nodeRange(lineCounter, contents, START_OF_FILE) : START_OF_FILE;
  return { keyRange: START_OF_FILE, range: START_OF_FILE, node: contents ?? undefined, pair: undefined, inside };
}

/** The places of a map's keys: built once per map, so placing each of its keys costs a lookup. */
export class MapPlaces {
  private readonly pairs = new Map<string, Pair>();
  private merge: Pair | undefined;

  constructor(
    private readonly lineCounter: LineCounter,
    private readonly parent: Place,
  ) {
    const node = parent.node;
    if (!isMap(node)) return;
    for (const pair of node.items as Pair[]) {
      const key = pair.key;
      if (isMergeKey(key)) this.merge ??= pair;
      else if (isScalar(key) && typeof key.value === 'string' && !this.pairs.has(key.value)) this.pairs.set(key.value, pair);
    }
  }

  /** Where the value under `key` was written. */
  of(key: string): Place {
    const pair = this.pairs.get(key);
    if (pair) {
      const at = keyRange(this.lineCounter, pair, this.parent.inside);
      const value = (pair.value as Node | null) ?? undefined;
      const inside = isAlias(value) ? nodeRange(this.lineCounter, value, at) : at;
      return { keyRange: at, range: pairRange(this.lineCounter, pair, at), node: value, pair, inside };
    }
    // A merged key is placed at its `<<`; a key inside what an alias or `<<` brought, at that alias or `<<`.
    const at = this.merge ? keyRange(this.lineCounter, this.merge, this.parent.inside) : this.parent.inside;
    return { keyRange: at, range: at, node: undefined, pair: undefined, inside: at };
  }
}
