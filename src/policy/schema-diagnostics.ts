// Turns ajv's errors on the policy's resolved value into diagnostics placed where the text wrote the
// offending value, or the alias or merge key (`<<`) that brought it in.
import type { ErrorObject } from 'ajv';
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair } from 'yaml';
import { DURATION_HELP } from './duration';
import type { Diagnostic, Range } from './model';
import { keyRange, nodeRange, START_OF_FILE } from './positions';
import { closestMatches } from './suggest';
import { MapPlaces, rootPlace, type Place } from './yaml-places';

const TYPE_NAMES: Record<string, string> = {
  object: 'a map',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  null: 'nothing',
};

interface Located {
  /** The offending value's node, or the alias it was read through; undefined inside what an alias or `<<` brought. */
  node: Node | undefined;
  /** The pair whose value it is, when written in place. */
  pair: Pair | undefined;
  /** Where to report it. */
  place: Place;
}

/** Follows the error's path through the resolved value, placing it where the text wrote (or pulled in) that value. */
function locate(lineCounter: LineCounter, document: Document, segments: string[]): Located {
  let place = rootPlace(lineCounter, document.contents as Node | null);
  for (const segment of segments) {
    const node = place.node;
    if (isSeq(node)) {
      const item = node.items[Number(segment)] as Node | undefined;
      const range = nodeRange(lineCounter, item, place.inside);
      place = { keyRange: range, range, node: item, pair: undefined, inside: isAlias(item) ? range : place.inside };
    } else {
      place = new MapPlaces(lineCounter, place).of(segment);
    }
  }
  return { node: place.node, pair: place.pair, place };
}

/** The resolved value at a path. */
function valueAt(value: unknown, segments: string[]): unknown {
  let at = value;
  for (const segment of segments) at = typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[segment] : undefined;
  return at;
}

export function keyText(pair: Pair): string {
  const key = pair.key;
  return isScalar(key) ? String(key.value) : String(key);
}

function segmentsOf(instancePath: string): string[] {
  if (!instancePath) return [];
  return instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function describeValue(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
}

export function schemaDiagnostics(errors: ErrorObject[], document: Document, lineCounter: LineCounter, value: unknown): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  const add = (diagnostic: Diagnostic, identity: string) => {
    if (seen.has(identity)) return;
    seen.add(identity);
    diagnostics.push(diagnostic);
  };

  for (const error of errors) {
    const segments = segmentsOf(error.instancePath);
    const name = segments[segments.length - 1] ?? 'the policy';
    const { node, pair, place } = locate(lineCounter, document, segments);
    const where = pair ? keyRange(lineCounter, pair, START_OF_FILE) : place.keyRange;
    const at = nodeRange(lineCounter, node, where);
    const written = valueAt(value, segments);
    const params = error.params as Record<string, unknown>;

    if (name === 'window' && segments[segments.length - 2] === 'rate_limit' && error.keyword !== 'required') {
      add(
        { range: at, severity: 'error', code: 'bad-duration', message: `Invalid duration ${describeValue(written)}: ${DURATION_HELP}` },
        `${error.instancePath}:duration`,
      );
      continue;
    }

    switch (error.keyword) {
      case 'additionalProperties': {
        const unknown = String(params.additionalProperty);
        const known = Object.keys((error.parentSchema?.properties as object | undefined) ?? {});
        const keyPair = isMap(node) ? (node.items.find((item) => keyText(item) === unknown) as Pair | undefined) : undefined;
        const suggestions = closestMatches(unknown, known);
        const hint = suggestions.length > 0 ? `; did you mean "${suggestions[0]}"?` : known.length > 0 ? `; expected one of: ${known.join(', ')}` : '';
        add(
          { range: keyPair ? keyRange(lineCounter, keyPair, at) : at, severity: 'error', code: 'unknown-key', message: `Unknown key "${unknown}" in ${segments.length ? `"${name}"` : 'the policy'}${hint}`, suggestions },
          `${error.instancePath}/${unknown}:unknown`,
        );
        break;
      }
      case 'enum': {
        const allowed = (params.allowedValues as unknown[]).map(String);
        const close = closestMatches(String(written), allowed, allowed.length);
        add(
          { range: at, severity: 'error', code: 'invalid-value', message: `Invalid value ${describeValue(written)} for "${name}": expected one of ${allowed.join(', ')}`, suggestions: close.length ? close : allowed },
          `${error.instancePath}:enum`,
        );
        break;
      }
      case 'const':
        add(
          { range: at, severity: 'error', code: 'invalid-value', message: `"${name}" must be ${describeValue(params.allowedValue)}`, suggestions: [String(params.allowedValue)] },
          `${error.instancePath}:const`,
        );
        break;
      case 'type': {
        const expected = String(params.type).split(',').map((t) => TYPE_NAMES[t] ?? t).join(' or ');
        if (segments.length === 0) {
          add({ range: at, severity: 'error', code: 'invalid-type', message: 'A policy must be a map of keys: version, default, audit, servers' }, 'root:type');
          break;
        }
        add({ range: at, severity: 'error', code: 'invalid-type', message: `"${name}" must be ${expected}` }, `${error.instancePath}:type`);
        break;
      }
      case 'required': {
        const missing = String(params.missingProperty);
        const range: Range = segments.length === 0 ? firstLine(document, lineCounter) : where;
        add({ range, severity: 'error', code: 'missing-key', message: `Missing required key "${missing}"${segments.length ? ` in "${name}"` : ''}` }, `${error.instancePath}:required:${missing}`);
        break;
      }
      case 'minimum':
      case 'exclusiveMinimum':
      case 'maximum':
      case 'exclusiveMaximum': {
        const comparison = { minimum: 'at least', exclusiveMinimum: 'more than', maximum: 'at most', exclusiveMaximum: 'less than' }[error.keyword];
        add({ range: at, severity: 'error', code: 'invalid-value', message: `"${name}" must be ${comparison} ${String(params.limit)}` }, `${error.instancePath}:${error.keyword}`);
        break;
      }
      case 'pattern': {
        // The schema's description says what fits; an item of a list is named by its list.
        const owner = /^\d+$/.test(name) && segments.length > 1 ? `an entry of "${segments[segments.length - 2]}"` : `"${name}"`;
        const help = (error.parentSchema as { description?: unknown } | undefined)?.description;
        const message = typeof help === 'string' ? `Invalid value ${describeValue(written)} for ${owner}: ${help}` : `${owner} must match ${String(params.pattern)}`;
        add({ range: at, severity: 'error', code: 'invalid-value', message }, `${error.instancePath}:pattern`);
        break;
      }
      case 'minItems':
        add({ range: at, severity: 'error', code: 'invalid-value', message: `"${name}" must list at least ${String(params.limit)} ${params.limit === 1 ? 'entry' : 'entries'}` }, `${error.instancePath}:minItems`);
        break;
      case 'anyOf':
      case 'oneOf':
      case 'if':
        break; // their branches report the concrete problem
      default:
        add({ range: at, severity: 'error', code: 'schema', message: `"${name}" ${error.message ?? 'is invalid'}` }, `${error.instancePath}:${error.keyword}`);
    }
  }
  return diagnostics;
}

function firstLine(document: Document, lineCounter: LineCounter): Range {
  const contents = document.contents as Node | null;
  if (isMap(contents) && contents.items.length > 0) return keyRange(lineCounter, contents.items[0] as Pair, START_OF_FILE);
  return START_OF_FILE;
}
