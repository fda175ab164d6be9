// A rule's `args` problems (args-schema.ts) as diagnostics, each on the key or value it is about.
import { isSeq, type LineCounter, type Node } from 'yaml';
import { argsSchemaProblems, type SchemaPath } from './args-schema';
import type { Diagnostic } from './model';
import { nodeRange } from './positions';
import { MapPlaces, type Place } from './yaml-places';

/** `args` is the place of the rule's `args` key; empty when `schema` can be enforced as written. */
export function argsSchemaDiagnostics(schema: Record<string, unknown>, args: Place, lineCounter: LineCounter): Diagnostic[] {
  return argsSchemaProblems(schema).map((problem) => {
    const place = placeOf(problem.path, args, lineCounter);
    const range = problem.on === 'key' || !place.node ? place.keyRange : nodeRange(lineCounter, place.node, place.keyRange);
    return { range, severity: 'error', code: problem.code, message: problem.message, ...(problem.suggestions?.length ? { suggestions: problem.suggestions } : {}) };
  });
}

function placeOf(path: SchemaPath, args: Place, lineCounter: LineCounter): Place {
  let place = args;
  for (const part of path) place = typeof part === 'number' ? itemPlace(place, part, lineCounter) : new MapPlaces(lineCounter, place).of(part);
  return place;
}

/** A list item's place: the item itself, or what the list came through (an alias) when it is not written here. */
function itemPlace(list: Place, index: number, lineCounter: LineCounter): Place {
  const item = isSeq(list.node) ? ((list.node.items[index] as Node | null) ?? undefined) : undefined;
  if (!item) return { keyRange: list.inside, range: list.inside, node: undefined, pair: undefined, inside: list.inside };
  const at = nodeRange(lineCounter, item, list.inside);
  return { keyRange: at, range: at, node: item, pair: undefined, inside: at };
}
