// A policy means one thing: over generated policies written every way YAML allows (anchors, aliases,
// merge keys, quoted and numeric-looking keys, flow and block style, flow maps in flow maps), the
// engine decides every call as a small reference evaluator does over the plain value `yaml` resolves,
// or the policy is refused with an error — and only a policy with a key YAML reads as something other
// than text may be refused. The reference is written here from the documented semantics
// (docs/policy.md), not from the engine. Both readers of the text (the fast reader and `yaml`) give one
// model. Seeded: a failure names its seed, and `SEED=<n>` replays it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse as parseYamlValue } from 'yaml';
import { PolicyEngine } from '../../src/policy/engine';
import type { Policy } from '../../src/policy/model';
import { parsePlainPolicy, parsePolicy, parseYaml } from '../../src/policy/parse';
import { seededRandom } from '../seeded-random';

type Value = Record<string, unknown>;
type Decision = 'allow' | 'ask' | 'deny';
interface Call {
  server: string;
  tool: string;
  args?: Value;
}

// --- the reference: docs/policy.md, over a plain value

const own = (object: unknown, key: string): boolean => typeof object === 'object' && object !== null && Object.prototype.hasOwnProperty.call(object, key);
const isGlobKey = (key: string) => key.includes('*') || key.includes('?');
const literalCount = (key: string) => [...key].filter((c) => c !== '*' && c !== '?').length;

function globMatches(pattern: string, name: string): boolean {
  // `*` any run of characters (none included), `?` exactly one; whole name, case-sensitive.
  const source = [...pattern].map((c) => (c === '*' ? '[\\s\\S]*' : c === '?' ? '[\\s\\S]' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${source}$`, 'u').test(name);
}

/** The rule deciding a tool: the exact name, else the matching glob with most literal characters, first written on a tie. */
function referenceRule(tools: Value, tool: string): Value | undefined {
  if (own(tools, tool) && !isGlobKey(tool)) return tools[tool] as Value;
  let best: string | undefined;
  for (const key of Object.keys(tools)) {
    if (!isGlobKey(key) || !globMatches(key, tool)) continue;
    if (best === undefined || literalCount(key) > literalCount(best)) best = key;
  }
  return best === undefined ? undefined : (tools[best] as Value);
}

/** The tiny subset of JSON Schema the generator writes: an object, `required`, and a `type` per property. */
function argsPass(schema: Value, args: Value | undefined): boolean {
  const value = args ?? {};
  for (const key of (schema.required as string[] | undefined) ?? []) if (!own(value, key)) return false;
  const properties = (schema.properties as Record<string, Value> | undefined) ?? {};
  for (const key of Object.keys(properties)) if (own(value, key) && typeof value[key] !== properties[key].type) return false;
  return true;
}

function reference(policy: Value, call: Call): { decision: Decision; hidden: boolean } {
  const servers = (policy.servers ?? {}) as Value;
  const server = own(servers, call.server) ? (servers[call.server] as Value) : undefined;
  const rule = server ? referenceRule((server.tools ?? {}) as Value, call.tool) : undefined;
  if (!rule) return { decision: ((server && own(server, 'default') ? server.default : undefined) ?? policy.default ?? 'allow') as Decision, hidden: false };
  if (rule.hide === true) return { decision: 'deny', hidden: true };
  if (rule.action === 'deny') return { decision: 'deny', hidden: false };
  if (rule.args && !argsPass(rule.args as Value, call.args)) return { decision: 'deny', hidden: false };
  return { decision: (rule.action ?? 'allow') as Decision, hidden: false };
}

// --- the generator: an intended value, then a text for it in a random style

const SERVER_NAMES = ['fx', 'fx2', 'api-server', '007', '7', '1e3', 'true', 'null', '0x1F', '12', 'yes'];
const TOOL_NAMES = ['echo', 'delete_all', 'drop_table', 'get_*', '*', '*_all', 'a?c', 'drop_?able', '007', '7', '1e3', '1000', 'true', 'null', '0x1F', '31', '~', '<<', 'on', '__proto__', 'constructor'];
const CALL_TOOLS = ['echo', 'delete_all', 'drop_table', 'get_x', 'get_', 'abc', 'aXc', 'wipe_all', '007', '7', '1e3', '1000', 'true', 'null', '0x1F', '31', '~', '<<', 'on', '', 'other', '__proto__', 'constructor', 'toString'];
const ACTIONS: Decision[] = ['allow', 'ask', 'deny'];
const ARG_KEYS = ['q', 'r', '007'];
const ARGS: (Value | undefined)[] = [undefined, {}, { q: 'x' }, { q: 5 }, { r: true }, { q: 'x', r: 1 }, { '007': 'x' }, { '7': 'x' }];

function generatePolicy(rand: () => number): Value {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)];
  const chance = (p: number) => rand() < p;
  // Few distinct bodies, so the same value recurs and may be written once and aliased.
  const schemas: Value[] = [
    { type: 'object', required: [pick(ARG_KEYS)] },
    { type: 'object', properties: { [pick(ARG_KEYS)]: { type: pick(['string', 'number', 'boolean']) } } },
    { type: 'object', required: ['q'], properties: { q: { type: 'string' }, r: { type: 'number' } } },
  ];
  const bodies: Value[] = Array.from({ length: 4 }, () => {
    const body: Value = {};
    if (chance(0.8)) body.action = pick(ACTIONS);
    if (chance(0.25)) body.hide = chance(0.5);
    if (chance(0.3)) body.reason = pick(['no', 'Stop: now', 'true', '#not a comment', "it's off"]);
    if (chance(0.35)) body.args = pick(schemas);
    return body;
  });
  const policy: Value = { version: 1 };
  if (chance(0.6)) policy.default = pick(ACTIONS);
  const servers: Value = {};
  let previous: Value | undefined;
  for (let s = 0, n = 1 + Math.floor(rand() * 3); s < n; s++) {
    const name = pick(SERVER_NAMES);
    if (own(servers, name)) continue;
    if (previous && chance(0.2)) {
      servers[name] = previous; // a server with the very same rules as another
      continue;
    }
    const server: Value = {};
    if (chance(0.5)) server.default = pick(ACTIONS);
    const tools: Value = {};
    for (let t = 0, m = Math.floor(rand() * 7); t < m; t++) define(tools, pick(TOOL_NAMES), pick(bodies));
    server.tools = tools;
    servers[name] = server;
    previous = server;
  }
  policy.servers = servers;
  return policy;
}

function define(object: Value, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
}

/** A key in JSON with sorted keys: equal values, equal text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Value)[k])}`).join(',')}}`;
  return JSON.stringify(value);
}

/** YAML 1.2 core schema: the plain scalars that are read as something other than text. */
const NOT_TEXT = [/^(?:~|null|Null|NULL|)$/, /^(?:true|True|TRUE|false|False|FALSE)$/, /^[-+]?[0-9]+$/, /^0o[0-7]+$/, /^0x[0-9a-fA-F]+$/, /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/, /^[-+]?\.(?:inf|Inf|INF)$/, /^\.(?:nan|NaN|NAN)$/];
const readAsText = (s: string) => !NOT_TEXT.some((re) => re.test(s));
/** Safe to write plain in block and flow context, as a key or a value (YAML would read other characters otherwise). */
const plainSafe = (s: string) => /^[A-Za-z0-9_][A-Za-z0-9_*?.-]*$/.test(s);

const MERGE = Symbol('<<');

class Writer {
  /** Anchored values by their canonical text. */
  private readonly anchors = new Map<string, string>();
  private readonly anchoredMaps: { name: string; value: Value }[] = [];
  private next = 0;
  /** Whether a key YAML reads as a number, boolean or null was written plain. */
  hostile = false;
  usedAnchors = false;
  /** The merge sources of the map whose entries `ordered` last gave. */
  private merging: (string | Value)[] = [];

  /** `plain`: no anchors, aliases or merge keys, the files the fast reader takes. */
  constructor(
    private readonly rand: () => number,
    private readonly plain: boolean,
  ) {}

  private chance(p: number): boolean {
    return this.rand() < p;
  }

  private pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.rand() * list.length)];
  }

  key(key: string): string {
    if (key === '<<') return this.quote(key); // plain, it is a merge key
    if (!plainSafe(key)) return this.quote(key);
    if (readAsText(key)) return this.chance(0.7) ? key : this.quote(key);
    if (!this.chance(0.04)) return this.quote(key);
    this.hostile = true;
    return key;
  }

  private quote(text: string): string {
    return this.chance(0.5) ? JSON.stringify(text) : `'${text.replace(/'/g, "''")}'`;
  }

  private scalar(value: unknown): string {
    if (typeof value !== 'string') return String(value);
    return plainSafe(value) && readAsText(value) && this.chance(0.6) ? value : this.quote(value);
  }

  /** An alias of an equal value written before, or an anchor for this one (registered once written). */
  private aliasOrAnchor(value: unknown): { alias?: string; anchor?: string } {
    if (this.plain || !this.chance(0.5)) return {};
    const known = this.anchors.get(canonical(value));
    if (known && this.chance(0.8)) return { alias: `*${known}` };
    if (this.chance(0.4)) return { anchor: `a${this.next++}` };
    return {};
  }

  private register(anchor: string | undefined, value: unknown): void {
    if (!anchor) return;
    this.usedAnchors = true;
    this.anchors.set(canonical(value), anchor);
    if (isMap(value)) this.anchoredMaps.push({ name: anchor, value });
  }

  /**
   * A map's entries as written: some may come from merge keys (`<<`). Returns the merge sources (each an
   * alias or a map to write) and the entries written explicitly, in order, with the place of `<<`.
   */
  private plan(map: Value): { merges: (string | Value)[]; explicit: [string, unknown][]; at: number } {
    const entries = Object.keys(map).map((k): [string, unknown] => [k, map[k]]);
    if (this.plain || entries.length === 0 || !this.chance(0.3)) return { merges: [], explicit: entries, at: 0 };
    this.usedAnchors = true;
    const merges: (string | Value)[] = [];
    let explicit = entries;
    // An anchored map whose keys all belong here: merge it, and write what differs.
    const base = this.anchoredMaps.filter(({ value }) => Object.keys(value).every((k) => own(map, k)));
    if (base.length > 0 && this.chance(0.5)) {
      const { name, value } = this.pick(base);
      merges.push(`*${name}`);
      explicit = entries.filter(([k, v]) => !own(value, k) || canonical(value[k]) !== canonical(v));
    } else {
      // Split off some entries into inline maps, with decoys that must lose: a later source's value for
      // a key an earlier one has, and a merged value for a key written explicitly.
      const moved = entries.filter(() => this.chance(0.5));
      explicit = entries.filter((e) => !moved.includes(e));
      const first: Value = {};
      const second: Value = {};
      for (const [k, v] of moved) define(this.chance(0.5) ? first : second, k, v);
      for (const [k, v] of [...moved, ...explicit]) {
        const decoy = decoyOf(v);
        if (decoy === undefined || !this.chance(0.4)) continue;
        if (own(first, k) && !own(second, k)) define(second, k, decoy);
        else if (!own(first, k) && !own(second, k) && explicit.some(([e]) => e === k)) define(first, k, decoy);
      }
      for (const part of [first, second]) if (Object.keys(part).length > 0 || this.chance(0.2)) merges.push(part);
    }
    return { merges, explicit, at: Math.floor(this.rand() * (explicit.length + 1)) };
  }

  /** A value in flow style (one line). */
  flow(value: unknown): string {
    const { alias, anchor } = isCollection(value) || this.chance(0.3) ? this.aliasOrAnchor(value) : {};
    if (alias) return alias;
    const prefix = anchor ? `&${anchor} ` : '';
    let text: string;
    if (Array.isArray(value)) text = `[${value.map((v) => this.flow(v)).join(', ')}]`;
    else if (isMap(value)) {
      text = this.flowMap(value);
    } else text = this.scalar(value);
    this.register(anchor, value);
    return prefix + text;
  }

  private mergeValue(merges: (string | Value)[]): string {
    const written = merges.map((m) => (typeof m === 'string' ? m : this.flow(m)));
    return written.length === 1 && this.chance(0.6) ? written[0] : `[${written.join(', ')}]`;
  }

  /** A map's entries in block style at `indent`. */
  block(map: Value, indent: number): string[] {
    const pad = ' '.repeat(indent);
    const entries = this.ordered(map);
    const merges = this.merging;
    return entries.flatMap((entry) => {
      if (entry !== MERGE) return this.blockEntry(this.key(entry[0]), entry[1], indent);
      const only = merges.length === 1 ? merges[0] : undefined;
      if (only !== undefined && typeof only !== 'string' && Object.keys(only).length > 0 && this.chance(0.5)) return [`${pad}<<:`, ...this.block(only, indent + 2)];
      return [`${pad}<<: ${this.mergeValue(merges)}`];
    });
  }

  private blockEntry(key: string, value: unknown, indent: number): string[] {
    const pad = ' '.repeat(indent);
    const { alias, anchor } = this.aliasOrAnchor(value);
    if (alias) return [`${pad}${key}: ${alias}`];
    const prefix = anchor ? ` &${anchor}` : '';
    let lines: string[];
    if (isMap(value) && Object.keys(value).length > 0 && this.chance(0.6)) lines = [`${pad}${key}:${prefix}`, ...this.block(value, indent + 2)];
    else if (Array.isArray(value) && value.length > 0 && this.chance(0.5)) lines = [`${pad}${key}:${prefix}`, ...value.map((v) => `${pad}  - ${this.scalar(v)}`)];
    else lines = [`${pad}${key}:${prefix} ${this.flowWithout(value)}`]; // in flow style, with the entry's anchor
    this.register(anchor, value);
    return lines;
  }

  /** A value in flow style without an anchor or alias of its own (its entry has them). */
  private flowWithout(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map((v) => this.flow(v)).join(', ')}]`;
    if (!isMap(value)) return this.scalar(value);
    return this.flowMap(value);
  }

  /** A map's entries in flow style, written in the order they appear (anchors come before their aliases). */
  private flowMap(map: Value): string {
    const entries = this.ordered(map);
    const merges = this.merging;
    const parts = entries.map((entry) => (entry === MERGE ? `<<: ${this.mergeValue(merges)}` : `${this.key(entry[0])}: ${this.flow(entry[1])}`));
    return `{${parts.join(', ')}}`;
  }

  /** The entries of a map in the order they are written, `MERGE` standing for the `<<` (its sources in `merging`). */
  private ordered(map: Value): (typeof MERGE | [string, unknown])[] {
    const { merges, explicit, at } = this.plan(map);
    const entries: (typeof MERGE | [string, unknown])[] = [...explicit];
    if (merges.length > 0) entries.splice(at, 0, MERGE);
    this.merging = merges;
    return entries;
  }
}

function isMap(value: unknown): value is Value {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCollection(value: unknown): boolean {
  return typeof value === 'object' && value !== null;
}

/** Another valid value for the same key, for merge precedence; undefined when there is none. */
function decoyOf(value: unknown): unknown {
  if (typeof value === 'boolean') return !value;
  if (value === 'allow' || value === 'ask' || value === 'deny') return value === 'deny' ? 'allow' : 'deny';
  return undefined;
}

function write(policy: Value, rand: () => number): { text: string; hostile: boolean; usedAnchors: boolean } {
  const writer = new Writer(rand, rand() < 0.4);
  const text = rand() < 0.1 ? writer.flow(policy) + '\n' : writer.block(policy, 0).join('\n') + '\n';
  return { text, hostile: writer.hostile, usedAnchors: writer.usedAnchors };
}

// --- the property

function comparable(policy: Policy | undefined): unknown {
  return policy && { ...policy, servers: [...policy.servers.values()] };
}

const SEED = Number(process.env.SEED ?? 20261206);
const POLICIES = process.env.SEED ? 1 : 600;

test('every generated policy is enforced as its plain resolved value means, or refused with an error', () => {
  const counts = { accepted: 0, refused: 0, fast: 0, anchored: 0, calls: 0 };
  for (let i = 0; i < POLICIES; i++) {
    const seed = SEED + i;
    const rand = seededRandom(seed);
    const intended = generatePolicy(rand);
    const { text, hostile, usedAnchors } = write(intended, rand);
    const context = `seed ${seed} (SEED=${seed} replays it):\n${text}`;
    const result = parsePolicy(text, 'p.yaml');
    const errors = result.diagnostics.filter((d) => d.severity === 'error');

    // Both readers: where the fast one reads the text, it reads what yaml reads.
    const viaYaml = parseYaml(text, 'p.yaml');
    const fast = parsePlainPolicy(text, 'p.yaml');
    if (fast) {
      counts.fast++;
      assert.deepEqual(comparable(fast.partial), comparable(viaYaml.partial), context);
      assert.deepEqual(fast.diagnostics, viaYaml.diagnostics, context);
    }
    assert.deepEqual(comparable(result.partial), comparable(viaYaml.partial), context);

    if (hostile) {
      assert.equal(result.policy, undefined, `a key YAML reads as a number, boolean or null was accepted; ${context}`);
      assert.ok(errors.some((d) => d.code === 'non-string-key' && /quote it/.test(d.message)), `${errors.map((d) => d.message).join('\n')}\n${context}`);
      counts.refused++;
      continue;
    }
    assert.ok(result.policy, `a valid policy was refused: ${errors.map((d) => `${d.range.start.line + 1}: ${d.message}`).join('; ')}\n${context}`);
    assert.deepEqual(errors, []);
    counts.accepted++;
    if (usedAnchors) counts.anchored++;

    // The plain value as `yaml` resolves it is the value the generator meant.
    const plain = parseYamlValue(text, { merge: true, maxAliasCount: -1 }) as Value;
    assert.deepEqual(plain, intended, context);

    const engine = new PolicyEngine(result.policy);
    const servers = [...new Set([...Object.keys(intended.servers as Value), ...SERVER_NAMES.slice(0, 5)])];
    const r = seededRandom(seed * 7 + 1);
    for (let c = 0; c < 60; c++) {
      const call: Call = { server: servers[Math.floor(r() * servers.length)], tool: CALL_TOOLS[Math.floor(r() * CALL_TOOLS.length)] };
      const args = ARGS[Math.floor(r() * ARGS.length)];
      if (args !== undefined) call.args = args;
      const expected = reference(plain, call);
      const decided = engine.decide(call, { dryRun: true });
      assert.equal(decided.decision, expected.decision, `${JSON.stringify(call)} decided ${decided.decision} by ${decided.rule ?? 'the default'}, the value means ${expected.decision}; ${context}`);
      assert.equal(engine.isHidden(call.server, call.tool), expected.hidden, `${JSON.stringify(call)} hidden; ${context}`);
      counts.calls++;
    }
  }
  if (!process.env.SEED) {
    // The generator reaches every kind of file it is meant to.
    assert.ok(counts.refused > 10 && counts.accepted > 300 && counts.fast > 100 && counts.anchored > 200, JSON.stringify(counts));
  }
});
