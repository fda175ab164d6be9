// Fail closed on what the comparison does not read: a setting outside the parts it understands (a key
// a later policy language may add) cannot be judged, so any change to one counts as a loosening.
// `launch` entries and `args` schemas are compared whole elsewhere and are not walked here.
import { canonicalJson } from './canonical-json';

/** The keys understood at each level of a policy value; `*` stands for the names of servers and rules. */
interface Shape {
  [key: string]: Shape | true;
}

const RULE: Shape = { action: true, reason: true, hide: true, args: true, only: true, rate_limit: { max: true, window: true, scope: true }, risk: { category: true, level: true } };
const POLICY: Shape = { version: true, default: true, audit: { args: true }, pin: true, poisoning: true, servers: { '*': { default: true, launch: true, pin: true, poisoning: true, tools: { '*': RULE } } } };

export interface UnrecognisedChange {
  /** Where the setting is, e.g. `servers.sec.tools.scan.timeout`. */
  path: string[];
  before: string;
  after: string;
}

/** Every setting outside the understood shape whose value differs between two resolved policy values. */
export function unrecognisedChanges(before: unknown, after: unknown): UnrecognisedChange[] {
  const was = new Map<string, { path: string[]; value: string }>();
  const is = new Map<string, { path: string[]; value: string }>();
  collect(before, POLICY, [], was);
  collect(after, POLICY, [], is);
  const changes: UnrecognisedChange[] = [];
  for (const key of new Set([...was.keys(), ...is.keys()])) {
    const a = was.get(key);
    const b = is.get(key);
    if (a?.value === b?.value) continue;
    changes.push({ path: (a ?? b)!.path, before: a ? 'set' : 'none', after: b ? 'changed' : 'removed' });
  }
  return changes;
}

function collect(value: unknown, shape: Shape, path: string[], found: Map<string, { path: string[]; value: string }>): void {
  if (!isRecord(value)) return;
  for (const [key, child] of Object.entries(value)) {
    // Own keys only: a rule named `constructor` is a name, not something every object has.
    const known = Object.hasOwn(shape, key) ? shape[key] : Object.hasOwn(shape, '*') ? shape['*'] : undefined;
    const here = [...path, key];
    if (known === undefined) found.set(JSON.stringify(here), { path: here, value: canonicalJson(child) });
    else if (known !== true) collect(child, known, here, found);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
