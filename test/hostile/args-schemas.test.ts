// `args` schemas fail closed. A schema that would check less than it says (an unknown keyword at any
// depth, an unknown format, a pattern the linear-time engine cannot run) is a policy error: `check`
// says so on the offending key, and the proxy refuses the policy (at start, and on reload it keeps the
// last good one). Patterns that make a backtracking engine take exponential time are decided at once
// through the real proxy, without stalling the calls next to them; the recording server sees only
// what passes, and the audit log holds every decision.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  auditLines,
  CLI,
  INITIALIZE,
  RECORDING,
  recorded,
  requireBundle,
  spawnRawProxy,
  tempDir,
  waitFor,
  writePolicy,
  yaml,
  type RawProxy,
} from '../proxy/helpers';

/** `mcp-warden check` on a policy: its exit code and output lines. */
function check(text: string): { status: number | null; lines: string[]; file: string } {
  requireBundle();
  const tmp = tempDir();
  try {
    const file = writePolicy(tmp.dir, text);
    const run = spawnSync(process.execPath, [CLI, 'check', file], { encoding: 'utf8' });
    return { status: run.status, lines: run.stdout.split('\n').filter(Boolean).map((l) => l.slice(file.length + 1)), file };
  } finally {
    tmp.cleanup();
  }
}

/** A policy whose server `rec` has one rule per entry: the tool's name and its `args` (flow YAML). */
function policyOf(rules: Record<string, string>, extra: string[] = []): string {
  return yaml('version: 1', 'servers:', '  rec:', '    tools:', ...Object.entries(rules).map(([tool, args]) => `      ${tool}: { args: ${args} }`), ...extra);
}

const text = (pattern: string) => `{ type: object, required: [text], properties: { text: { type: string, pattern: ${JSON.stringify(pattern)} } } }`;

describe('mcp-warden check: what an args schema would not check is an error', () => {
  it('unknown keywords at several depths, each on its key, with the keyword meant', () => {
    const result = check(
      yaml(
        'version: 1',
        'servers:',
        '  rec:',
        '    tools:',
        '      write_note:',
        '        args:',
        '          type: object',
        '          requried: [path]',
        '          properties:',
        '            path: { type: string, patern: "^/tmp/" }',
        '            meta:',
        '              type: object',
        '              properties:',
        '                tags:',
        '                  type: array',
        '                  items: { type: string, maxLenght: 20 }',
        '            size: { anyOf: [{ type: integer }, { type: string, minLenght: 1 }] }',
        '          additionalProperties: { type: string, formt: email }',
        '          not: { requird: [force] }',
      ),
    );
    assert.equal(result.status, 1);
    assert.deepEqual(result.lines, [
      '8:11: error: Unknown JSON Schema keyword "requried" in "args"; did you mean "required"? [unknown-key]',
      '10:35: error: Unknown JSON Schema keyword "patern" in "args" at /properties/path; did you mean "pattern"? [unknown-key]',
      '16:42: error: Unknown JSON Schema keyword "maxLenght" in "args" at /properties/meta/properties/tags/items; did you mean "maxLength"? [unknown-key]',
      '17:64: error: Unknown JSON Schema keyword "minLenght" in "args" at /properties/size/anyOf/1; did you mean "minLength"? [unknown-key]',
      '18:49: error: Unknown JSON Schema keyword "formt" in "args" at /additionalProperties; did you mean "format"? [unknown-key]',
      '19:18: error: Unknown JSON Schema keyword "requird" in "args" at /not; did you mean "required"? [unknown-key]',
    ]);
  });

  it('unknown formats, on the value, with the format meant or the known ones', () => {
    const result = check(policyOf({ write_note: '{ properties: { path: { type: string, format: inside-workspace }, when: { type: string, format: date_time } } }' }));
    assert.equal(result.status, 1);
    assert.equal(result.lines.length, 2, result.lines.join('\n'));
    assert.match(result.lines[0], /^5:73: error: Unknown format "inside-workspace" in "args" at \/properties\/path: it would check nothing \(known formats: date, time, date-time, .*\) \[invalid-value\]$/);
    assert.equal(result.lines[1], '5:123: error: Unknown format "date_time" in "args" at /properties/when; did you mean "date-time"? [invalid-value]');
  });

  it('patterns RE2 cannot run are refused with the construct named; catastrophic ones it runs in linear time are fine', () => {
    const refused = check(
      policyOf({
        backreference: text('^(a+)\\1$'),
        named_backreference: text('^(?<w>a+)\\k<w>$'),
        lookahead: text('^(?=.*[0-9]).+$'),
        negative_lookahead: text('^(?!/etc/).*$'),
        lookbehind: text('(?<=secret)=.*'),
        property_key: '{ patternProperties: { "^(?<!x)y": { type: string } } }',
        invalid: text('(['),
      }),
    );
    assert.equal(refused.status, 1);
    const constructs = refused.lines.map((l) => /(uses .*?), which linear-time matching \(RE2\) does not support \[unsupported-pattern\]$/.exec(l)?.[1] ?? l);
    assert.deepEqual(constructs.slice(0, 6), [
      'uses a backreference (\\1)',
      'uses a backreference (\\k<w>)',
      'uses a lookahead (?=…)',
      'uses a negative lookahead (?!…)',
      'uses a lookbehind (?<=…)',
      'uses a negative lookbehind (?<!…)',
    ]);
    assert.match(refused.lines[6], /^11:\d+: error: "args" is not a valid JSON Schema: \/properties\/text\/pattern is not a valid regular expression \(.*\) \[invalid-pattern\]$/);
    const fine = check(policyOf({ words: text('^(\\w+\\s?)*$'), plus: text('(a+)+$'), alt: text('(a|aa)+$'), mixed: text('^(([a-z])+.)+[A-Z]([a-z])+$') }));
    assert.deepEqual(fine, { ...fine, status: 0, lines: [] });
  });

  it('what only the compiler sees (an unresolvable $ref, an "if" that would be ignored, $async) is an error too', () => {
    const result = check(policyOf({ a: '{ properties: { p: { $ref: "#/definitions/missing" } } }', b: '{ if: { required: [x] } }', c: '{ $async: true, type: object }' }));
    assert.equal(result.status, 1);
    assert.deepEqual(
      result.lines.map((l) => l.replace(/^\d+:\d+: /, '')),
      [
        `error: "args" cannot be used: can't resolve reference #/definitions/missing from id # [invalid-args-schema]`,
        'error: "args" cannot be used: strict mode: "if" without "then" and "else" is ignored [invalid-args-schema]',
        'error: "$async" is not supported in "args": arguments are checked as the call arrives [invalid-args-schema]',
      ],
    );
  });
});

/** The proxy over stdio in front of the recording server, initialized, with its record and audit log. */
class Proxied {
  readonly proxy: RawProxy;
  readonly record: string;
  readonly audit: string;
  private nextId = 100;

  constructor(
    readonly dir: string,
    readonly policy: string,
  ) {
    this.record = join(dir, 'record.jsonl');
    this.audit = join(dir, 'audit.jsonl');
    this.proxy = spawnRawProxy({ policy, server: 'rec', audit: this.audit, upstream: [process.execPath, RECORDING], env: { RECORD_FILE: this.record } });
  }

  async start(): Promise<this> {
    this.proxy.request({ id: 1, ...INITIALIZE });
    await this.proxy.waitForId(1);
    this.proxy.request({ method: 'notifications/initialized' });
    return this;
  }

  /** Sends the calls in one write; resolves with each answer and the time from the write to it. */
  async calls(...calls: { tool: string; args: unknown }[]): Promise<{ id: number; answer: Record<string, unknown>; ms: number }[]> {
    const ids = calls.map(() => this.nextId++);
    const start = performance.now();
    this.proxy.write(calls.map((c, i) => JSON.stringify({ jsonrpc: '2.0', id: ids[i], method: 'tools/call', params: { name: c.tool, arguments: c.args } }) + '\n').join(''));
    return Promise.all(ids.map(async (id) => ({ id, answer: await this.proxy.waitForId(id, 20_000), ms: performance.now() - start })));
  }

  /** The text the caller got back. */
  static textOf(answer: Record<string, unknown>): string {
    const result = answer.result as { content?: { text?: string }[] } | undefined;
    return result?.content?.[0]?.text ?? JSON.stringify(answer.error ?? answer);
  }

  /** The arguments of every tools/call the server received for `tool`. */
  atServer(tool: string): unknown[] {
    return recorded(this.record)
      .filter((m) => m.method === 'tools/call' && m.params?.name === tool)
      .map((m) => m.params?.arguments);
  }

  /** The audit lines of `tool`, once `count` of them are there. */
  async audited(tool: string, count: number): Promise<Record<string, unknown>[]> {
    const lines = () => auditLines(this.audit).filter((l) => l.tool === tool);
    await waitFor(() => lines().length >= count, 5000, `${count} audit lines for ${tool}`);
    return lines();
  }
}

// A backtracking engine takes exponential time on these; 27 characters was 3.5 s of frozen event loop.
const CATASTROPHIC: { tool: string; pattern: string; adversarial: string[]; matching: string }[] = [
  { tool: 'words', pattern: '^(\\w+\\s?)*$', adversarial: ['a'.repeat(27) + '!', 'ab '.repeat(20_000) + '!'], matching: 'hello big world' },
  { tool: 'plus', pattern: '(a+)+$', adversarial: ['a'.repeat(50_000) + '!'], matching: 'baaa' },
  { tool: 'alt', pattern: '(a|aa)+$', adversarial: ['a'.repeat(50_000) + '!'], matching: 'xaaa' },
  { tool: 'mixed', pattern: '^(([a-z])+.)+[A-Z]([a-z])+$', adversarial: ['a'.repeat(50_000) + '!', 'ab-'.repeat(15_000)], matching: 'ab-Cd' },
];
// Decisions are made in the proxy's one thread: this bounds how long any of them may hold it.
const DECIDE_MS = 100;
// From the write to the answer, on a shared machine: far above a normal round trip, far below a stall.
const ROUND_TRIP_MS = 1000;

describe('catastrophic patterns through the proxy are decided at once', () => {
  let tmp: ReturnType<typeof tempDir>;
  let proxied: Proxied;
  before(async () => {
    tmp = tempDir();
    const rules = Object.fromEntries(CATASTROPHIC.map((c) => [c.tool, text(c.pattern)]));
    rules.keys = `{ type: object, patternProperties: { "^(a|aa)+$": { type: number } }, additionalProperties: false }`;
    rules.names = `{ type: object, propertyNames: { pattern: "^(\\\\w+\\\\s?)*$" } }`;
    // Tool names come from the agent too: a glob with several `*` is matched without backtracking.
    proxied = await new Proxied(tmp.dir, writePolicy(tmp.dir, policyOf(rules, ['      "a*a*a*a*a*a*b": { action: deny, reason: Not this family }']))).start();
  });
  after(async () => {
    await proxied?.proxy.close();
    tmp?.cleanup();
  });

  for (const { tool, pattern, adversarial, matching } of CATASTROPHIC) {
    it(`${pattern}: adversarial inputs are refused within ${DECIDE_MS} ms, a matching one passes, and a concurrent call is not stalled`, async () => {
      for (const input of adversarial) {
        const [refused, echo] = await proxied.calls({ tool, args: { text: input } }, { tool: 'echo', args: { message: `next to ${tool}` } });
        assert.match(Proxied.textOf(refused.answer), new RegExp(`^Blocked by policy: Arguments rejected by rule "${tool}": argument "text" must match pattern`));
        assert.ok(refused.ms < ROUND_TRIP_MS, `the refusal took ${refused.ms.toFixed(0)} ms`);
        assert.equal(Proxied.textOf(echo.answer), `Echo: next to ${tool}`);
        assert.ok(echo.ms < ROUND_TRIP_MS, `the concurrent call waited ${echo.ms.toFixed(0)} ms`);
      }
      const [allowed] = await proxied.calls({ tool, args: { text: matching } });
      assert.ok(allowed.ms < ROUND_TRIP_MS);
      // The server saw the matching call only.
      assert.deepEqual(proxied.atServer(tool), [{ text: matching }]);
      const lines = await proxied.audited(tool, adversarial.length + 1);
      assert.deepEqual(
        lines.map((l) => l.decision),
        [...adversarial.map(() => 'deny'), 'allow'],
      );
      for (const line of lines) assert.ok((line.latencyMs as number) < DECIDE_MS, `decided in ${String(line.latencyMs)} ms`);
    });
  }

  it('a hostile argument name against patternProperties and propertyNames is decided as fast', async () => {
    const longKey = 'a'.repeat(30_000) + '!';
    const results = await proxied.calls(
      { tool: 'keys', args: { [longKey]: 1 } },
      { tool: 'keys', args: { aaaa: 1 } },
      { tool: 'names', args: { ['ab '.repeat(10_000) + '!']: 1 } },
      { tool: 'names', args: { 'two words': 1 } },
    );
    for (const r of results) assert.ok(r.ms < ROUND_TRIP_MS, `${r.ms.toFixed(0)} ms`);
    assert.match(Proxied.textOf(results[0].answer), /^Blocked by policy: Arguments rejected by rule "keys": unexpected argument/);
    assert.match(Proxied.textOf(results[2].answer), /^Blocked by policy: Arguments rejected by rule "names": the arguments must match pattern "\^\(\\w\+\\s\?\)\*\$"; the arguments property name must be valid/);
    assert.deepEqual(proxied.atServer('keys'), [{ aaaa: 1 }]);
    assert.deepEqual(proxied.atServer('names'), [{ 'two words': 1 }]);
    const lines = [...(await proxied.audited('keys', 2)), ...(await proxied.audited('names', 2))];
    assert.deepEqual(
      lines.map((l) => l.decision),
      ['deny', 'allow', 'deny', 'allow'],
    );
    for (const line of lines) assert.ok((line.latencyMs as number) < DECIDE_MS, `decided in ${String(line.latencyMs)} ms`);
  });
  it('a hostile tool name against a glob with several * is decided as fast (88 s for a backtracking regex at 200 characters)', async () => {
    const near = 'a'.repeat(20_000);
    const hit = 'a'.repeat(20_000) + 'b';
    const [missed, matched] = await proxied.calls({ tool: near, args: {} }, { tool: hit, args: {} });
    for (const r of [missed, matched]) assert.ok(r.ms < ROUND_TRIP_MS, `${r.ms.toFixed(0)} ms`);
    assert.match(Proxied.textOf(matched.answer), /^Blocked by policy: Not this family/);
    assert.equal(proxied.atServer(near).length, 1, 'no rule matches: the default (allow) lets it through');
    assert.deepEqual(proxied.atServer(hit), []);
    const lines = [...(await proxied.audited(near, 1)), ...(await proxied.audited(hit, 1))];
    assert.deepEqual(
      lines.map((l) => [l.decision, l.rule]),
      [
        ['allow', null],
        ['deny', 'a*a*a*a*a*a*b'],
      ],
    );
    for (const line of lines) assert.ok((line.latencyMs as number) < DECIDE_MS, `decided in ${String(line.latencyMs)} ms`);
  });
});

describe('formats on long adversarial strings are decided at once', () => {
  it('email, uri, hostname, date-time, ipv6 and regex refuse 100 KB of near-misses within the bound', async () => {
    const tmp = tempDir();
    const formats: Record<string, string> = {
      email: 'a@' + 'a.'.repeat(50_000) + '!',
      uri: 'http://' + 'a'.repeat(100_000) + ' ',
      hostname: 'a-'.repeat(50_000) + '-',
      'date-time': '2020-01-01T' + '0'.repeat(100_000),
      ipv6: '0:'.repeat(50_000) + '!',
      regex: '('.repeat(50_000),
    };
    const rules = Object.fromEntries(Object.keys(formats).map((f) => [`fmt_${f.replace('-', '_')}`, `{ type: object, properties: { v: { type: string, format: ${f} } } }`]));
    const proxied = await new Proxied(tmp.dir, writePolicy(tmp.dir, policyOf(rules))).start();
    try {
      for (const [format, value] of Object.entries(formats)) {
        const tool = `fmt_${format.replace('-', '_')}`;
        const [refused] = await proxied.calls({ tool, args: { v: value } });
        assert.match(Proxied.textOf(refused.answer), new RegExp(`argument "v" must match format "${format}"`));
        assert.ok(refused.ms < ROUND_TRIP_MS, `${format}: ${refused.ms.toFixed(0)} ms`);
        const [line] = await proxied.audited(tool, 1);
        assert.equal(line.decision, 'deny');
        assert.ok((line.latencyMs as number) < DECIDE_MS, `${format}: decided in ${String(line.latencyMs)} ms`);
        assert.deepEqual(proxied.atServer(tool), []);
      }
    } finally {
      await proxied.proxy.close();
      tmp.cleanup();
    }
  });
});

describe('the proxy refuses a policy whose args schema would not check what it says', () => {
  const good = policyOf({ write_note: '{ type: object, properties: { path: { type: string, pattern: "^/tmp/" } } }' });
  const typos: [string, string][] = [
    ['a misspelt keyword', policyOf({ write_note: '{ type: object, properties: { path: { type: string, patern: "^/tmp/" } } }' })],
    ['an unknown format', policyOf({ write_note: '{ type: object, properties: { path: { type: string, format: inside-workspace } } }' })],
    ['a lookahead', policyOf({ write_note: '{ type: object, properties: { path: { type: string, pattern: "^(?!/etc)" } } }' })],
  ];

  for (const [what, policyText] of typos) {
    it(`at start, ${what}: every call is refused with the reason, none reaches the server, each is audited`, async () => {
      const tmp = tempDir();
      const proxied = await new Proxied(tmp.dir, writePolicy(tmp.dir, policyText)).start();
      try {
        const answers = await proxied.calls({ tool: 'write_note', args: { path: '/etc/passwd', text: 'x' } }, { tool: 'echo', args: { message: 'hi' } });
        for (const { answer } of answers) assert.match(Proxied.textOf(answer), /^Blocked by policy: The policy has errors: .*policy\.yaml:5:\d+: .*(patern|inside-workspace|lookahead)/);
        assert.deepEqual(
          recorded(proxied.record).filter((m) => m.method === 'tools/call'),
          [],
        );
        const lines = [...(await proxied.audited('write_note', 1)), ...(await proxied.audited('echo', 1))];
        assert.deepEqual(
          lines.map((l) => [l.tool, l.decision]),
          [
            ['write_note', 'deny'],
            ['echo', 'deny'],
          ],
        );
        assert.match(proxied.proxy.stderr(), /policy has errors/);
      } finally {
        await proxied.proxy.close();
        tmp.cleanup();
      }
    });
  }

  it('on reload, a misspelt keyword keeps the last good policy: its check still holds', async () => {
    const tmp = tempDir();
    const policy = writePolicy(tmp.dir, good);
    const proxied = await new Proxied(tmp.dir, policy).start();
    try {
      const [first] = await proxied.calls({ tool: 'write_note', args: { path: '/etc/passwd' } });
      assert.match(Proxied.textOf(first.answer), /must match pattern "\^\/tmp\/"/);
      writeFileSync(policy, typos[0][1]);
      await waitFor(() => /keeping the last good policy/.test(proxied.proxy.stderr()), 5000, 'the reload report');
      assert.match(proxied.proxy.stderr(), /Unknown JSON Schema keyword "patern"/);
      const [denied, allowed] = await proxied.calls({ tool: 'write_note', args: { path: '/etc/passwd' } }, { tool: 'write_note', args: { path: '/tmp/ok', text: 'x' } });
      assert.match(Proxied.textOf(denied.answer), /must match pattern "\^\/tmp\/"/);
      assert.equal(Proxied.textOf(allowed.answer), 'wrote 1 characters to /tmp/ok');
      assert.deepEqual(proxied.atServer('write_note'), [{ path: '/tmp/ok', text: 'x' }]);
      assert.deepEqual(
        (await proxied.audited('write_note', 3)).map((l) => l.decision),
        ['deny', 'deny', 'allow'],
      );
    } finally {
      await proxied.proxy.close();
      tmp.cleanup();
    }
  });
});
