// Offsets in the text <-> zero-based line/character ranges.
import type { LineCounter, Node, Pair } from 'yaml';
import type { Range } from './model';

export function offsetRange(lineCounter: LineCounter, start: number, end: number): Range {
  const from = lineCounter.linePos(start);
  const to = lineCounter.linePos(Math.max(start, end));
  return {
    start: { line: from.line - 1, character: from.col - 1 },
    end: { line: to.line - 1, character: to.col - 1 },
  };
}

/** The range of a node's value, without trailing comments. */
export function nodeRange(lineCounter: LineCounter, node: Node | null | undefined, fallback: Range): Range {
  const range = node?.range;
  return range ? offsetRange(lineCounter, range[0], range[1]) : fallback;
}

export function keyRange(lineCounter: LineCounter, pair: Pair, fallback: Range): Range {
  return nodeRange(lineCounter, pair.key as Node | null, fallback);
}

/** From the start of the key to the end of the value. */
export function pairRange(lineCounter: LineCounter, pair: Pair, fallback: Range): Range {
  const key = (pair.key as Node | null)?.range;
  const value = (pair.value as Node | null)?.range;
  if (!key) return fallback;
  return offsetRange(lineCounter, key[0], value ? value[1] : key[1]);
}

export const START_OF_FILE: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
