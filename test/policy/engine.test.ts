import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineState, PolicyEngine } from '../../src/policy/engine';
import { RateLimiter } from '../../src/policy/rate-limiter';
import { policyOf, yaml } from './helpers';

const EXAMPLE = yaml(
  'version: 1',
  'default: allow',
  'servers:',
  '  security-agent:',
  '    default: ask',
  '    tools:',
  '      stop_scan:',
  '        action: deny',
  '        reason: Stopping a running security scan can hide an attack.',
  '      start_security_scan:',
  '        rate_limit: { max: 2, window: 60s }',
  '      "get_*":',
  '        action: allow',
  '      delete_finding:',
  '        action: ask',
  '        args:',
  '          type: object',
  '          required: [finding_id]',
  '          properties:',
  '            finding_id: { type: string, pattern: "^F-[0-9]+$" }',
  '      debug_*:',
  '        hide: true',
  '      run_query:',
  '        risk: { category: execute, level: critical }',
  '  quiet:',
  '    tools: {}',
);

function engineWithClock(text: string) {
  let now = 1_000_000;
  const state = new EngineState(new RateLimiter(() => now));
  return { engine: new PolicyEngine(policyOf(text), state), advance: (ms: number) => (now += ms) };
}

describe('PolicyEngine.decide', () => {
  const engine = new PolicyEngine(policyOf(EXAMPLE));

  test('deny answers with the rule reason, rule and line', () => {
    assert.deepEqual(engine.decide({ server: 'security-agent', tool: 'stop_scan' }), {
      decision: 'deny',
      reason: 'Stopping a running security scan can hide an attack.',
      rule: 'stop_scan',
      line: 7,
      rateLimit: null,
      hidden: false,
    });
  });

  test('a deny without reason names the rule', () => {
    const e = new PolicyEngine(policyOf(yaml('version: 1', 'servers:', '  s:', '    tools:', '      "x*":', '        action: deny')));
    assert.equal(e.decide({ server: 's', tool: 'xyz' }).reason, 'Tool "xyz" is denied by rule "x*"');
  });

  test('a glob rule applies, and a rule without action allows', () => {
    const d = engine.decide({ server: 'security-agent', tool: 'get_scan_status' });
    assert.equal(d.decision, 'allow');
    assert.equal(d.rule, 'get_*');
    assert.equal(d.line, 12);
    assert.equal(engine.decide({ server: 'security-agent', tool: 'run_query' }).decision, 'allow');
  });

  test('no rule: the server default, then the top-level default', () => {
    const d = engine.decide({ server: 'security-agent', tool: 'list_findings' });
    assert.equal(d.decision, 'ask');
    assert.equal(d.rule, null);
    assert.equal(d.line, 5);
    assert.match(d.reason!, /default for server "security-agent" is ask/);
    const q = engine.decide({ server: 'quiet', tool: 'anything' });
    assert.equal(q.decision, 'allow');
    assert.equal(q.line, 2);
    assert.equal(engine.decide({ server: 'not-in-policy', tool: 'x' }).decision, 'allow');
  });

  test('no default anywhere: allow', () => {
    const e = new PolicyEngine(policyOf(yaml('version: 1')));
    assert.deepEqual(e.decide({ server: 's', tool: 't' }), { decision: 'allow', reason: null, rule: null, line: null, rateLimit: null, hidden: false });
  });

  test('a top-level deny default', () => {
    const e = new PolicyEngine(policyOf(yaml('version: 1', 'default: deny')));
    const d = e.decide({ server: 's', tool: 't' });
    assert.equal(d.decision, 'deny');
    assert.equal(d.reason, `No rule matches tool "t"; the policy's default is deny`);
  });

  test('hide denies and reports hidden', () => {
    const d = engine.decide({ server: 'security-agent', tool: 'debug_dump' });
    assert.equal(d.decision, 'deny');
    assert.equal(d.hidden, true);
    assert.equal(d.rule, 'debug_*');
    assert.ok(engine.isHidden('security-agent', 'debug_dump'));
    assert.ok(!engine.isHidden('security-agent', 'stop_scan'));
  });

  test('ask with valid arguments asks; invalid arguments are denied naming each', () => {
    assert.equal(engine.decide({ server: 'security-agent', tool: 'delete_finding', args: { finding_id: 'F-12' } }).decision, 'ask');
    const bad = engine.decide({ server: 'security-agent', tool: 'delete_finding', args: { finding_id: 'X' } });
    assert.equal(bad.decision, 'deny');
    assert.equal(bad.reason, 'Arguments rejected by rule "delete_finding": argument "finding_id" must match pattern "^F-[0-9]+$"');
    const missing = engine.decide({ server: 'security-agent', tool: 'delete_finding' });
    assert.equal(missing.reason, 'Arguments rejected by rule "delete_finding": missing required argument "finding_id"');
  });

  test('several failing arguments are all named', () => {
    const e = new PolicyEngine(
      policyOf(
        yaml(
          'version: 1',
          'servers:',
          '  fs:',
          '    tools:',
          '      write_file:',
          '        args:',
          '          type: object',
          '          additionalProperties: false',
          '          properties:',
          '            path: { type: string, pattern: "^/tmp/" }',
          '            mode: { enum: [overwrite, append] }',
        ),
      ),
    );
    const d = e.decide({ server: 'fs', tool: 'write_file', args: { path: '/etc/passwd', mode: 'x', extra: 1 } });
    assert.equal(d.decision, 'deny');
    assert.match(d.reason!, /unexpected argument "extra"/);
    assert.match(d.reason!, /argument "path" must match pattern "\^\/tmp\/"/);
    assert.match(d.reason!, /argument "mode" must be one of "overwrite", "append"/);
  });
});

describe('rule precedence', () => {
  const engine = new PolicyEngine(
    policyOf(
      yaml(
        'version: 1',
        'servers:',
        '  s:',
        '    default: deny',
        '    tools:',
        '      "*":',
        '        action: ask',
        '      "get_*":',
        '        action: allow',
        '      "get_secret*":',
        '        action: deny',
        '      get_secret_public:',
        '        action: allow',
        '      "?at_y":',
        '        action: deny',
        '      "c?t_y":',
        '        action: allow',
      ),
    ),
  );
  const ruleOf = (tool: string) => engine.ruleFor('s', tool)?.pattern;

  test('an exact name beats any glob', () => assert.equal(ruleOf('get_secret_public'), 'get_secret_public'));
  test('the glob with more literal characters wins', () => {
    assert.equal(ruleOf('get_secret_key'), 'get_secret*');
    assert.equal(ruleOf('get_status'), 'get_*');
    assert.equal(ruleOf('delete'), '*');
  });
  test('equal literal characters: the earlier rule wins', () => {
    assert.equal(ruleOf('cat_y'), '?at_y');
    assert.equal(ruleOf('cut_y'), 'c?t_y');
  });
  test('? matches exactly one character', () => {
    assert.equal(ruleOf('at_y'), '*');
    assert.equal(ruleOf('caat_y'), '*');
  });
  test('hyphens, dots and brackets in globs are literal', () => {
    const e = new PolicyEngine(policyOf(yaml('version: 1', 'servers:', '  s:', '    tools:', '      "toggle-*":', '        action: deny', '      "a[b]{2}|c^$+/*":', '        action: ask')));
    assert.equal(e.decide({ server: 's', tool: 'toggle-simulated-logging' }).decision, 'deny');
    assert.equal(e.decide({ server: 's', tool: 'toggleX' }).decision, 'allow');
    assert.equal(e.decide({ server: 's', tool: 'a[b]{2}|c^$+/x' }).decision, 'ask');
    assert.equal(e.decide({ server: 's', tool: 'abb|c^$+/x' }).decision, 'allow');
  });
  test("past the resolved-rule cache's bound (25,000 invented names) tools still resolve to the right rule", () => {
    for (let i = 0; i < 25_000; i++) assert.equal(ruleOf(`get_secret_${i}`), 'get_secret*');
    assert.equal(ruleOf('get_secret_public'), 'get_secret_public');
  });
  test('glob characters in names are literal otherwise', () => {
    const e = new PolicyEngine(policyOf(yaml('version: 1', 'servers:', '  s:', '    tools:', '      "a.b(c)*":', '        action: deny')));
    assert.equal(e.decide({ server: 's', tool: 'a.b(c)d' }).decision, 'deny');
    assert.equal(e.decide({ server: 's', tool: 'aXb(c)d' }).decision, 'allow');
  });
});

describe('rate limits', () => {
  const LIMITED = yaml(
    'version: 1',
    'servers:',
    '  s:',
    '    tools:',
    '      per_session:',
    '        rate_limit: { max: 2, window: 60s }',
    '      per_server:',
    '        rate_limit: { max: 2, window: 1m, scope: server }',
    '      "limited_*":',
    '        action: ask',
    '        rate_limit: { max: 1, window: 10 }',
    '      denied:',
    '        action: deny',
    '        rate_limit: { max: 1, window: 10 }',
    '      checked:',
    '        rate_limit: { max: 1, window: 10 }',
    '        args: { type: object, required: [ok] }',
  );

  test('over the limit the call is denied with the limit and when to retry; the window slides', () => {
    const { engine, advance } = engineWithClock(LIMITED);
    const call = { server: 's', tool: 'per_session', session: 'a' };
    assert.equal(engine.decide(call).decision, 'allow');
    advance(30_000);
    const second = engine.decide(call);
    assert.equal(second.decision, 'allow');
    assert.deepEqual(second.rateLimit, { max: 2, windowSeconds: 60 });
    const third = engine.decide(call);
    assert.equal(third.decision, 'deny');
    assert.equal(third.reason, 'Rate limit of 2 calls per 1m reached in this session (rule "per_session"); retry in 30s');
    advance(30_000); // the first call leaves the window; the second is still in it
    assert.equal(engine.decide(call).decision, 'allow');
    assert.equal(engine.decide(call).decision, 'deny');
  });

  test('no double burst at a calendar boundary', () => {
    const { engine, advance } = engineWithClock(LIMITED);
    const call = { server: 's', tool: 'per_session', session: 'a' };
    advance(59_000);
    engine.decide(call);
    engine.decide(call);
    advance(2_000); // a calendar window would have reset here
    assert.equal(engine.decide(call).decision, 'deny');
  });

  test('session scope counts per session; server scope across sessions', () => {
    const { engine } = engineWithClock(LIMITED);
    for (const session of ['a', 'b']) {
      assert.equal(engine.decide({ server: 's', tool: 'per_session', session }).decision, 'allow');
      assert.equal(engine.decide({ server: 's', tool: 'per_session', session }).decision, 'allow');
    }
    assert.equal(engine.decide({ server: 's', tool: 'per_server', session: 'a' }).decision, 'allow');
    assert.equal(engine.decide({ server: 's', tool: 'per_server', session: 'b' }).decision, 'allow');
    const over = engine.decide({ server: 's', tool: 'per_server', session: 'c' });
    assert.equal(over.decision, 'deny');
    assert.match(over.reason!, /for this server/);
  });

  test('a glob rule limits all the tools it matches together', () => {
    const { engine } = engineWithClock(LIMITED);
    assert.equal(engine.decide({ server: 's', tool: 'limited_a' }).decision, 'ask');
    assert.equal(engine.decide({ server: 's', tool: 'limited_b' }).decision, 'deny');
  });

  test('only calls the rule would let through are counted', () => {
    const { engine } = engineWithClock(LIMITED);
    assert.equal(engine.decide({ server: 's', tool: 'checked', args: {} }).decision, 'deny'); // bad args: not counted
    assert.equal(engine.decide({ server: 's', tool: 'checked', args: { ok: 1 } }).decision, 'allow');
    assert.equal(engine.decide({ server: 's', tool: 'checked', args: { ok: 1 } }).decision, 'deny');
    assert.match(engine.decide({ server: 's', tool: 'denied' }).reason!, /denied by rule/);
  });

  test('dry runs are not counted', () => {
    const { engine } = engineWithClock(LIMITED);
    for (let i = 0; i < 5; i++) engine.decide({ server: 's', tool: 'limited_a' }, { dryRun: true });
    assert.equal(engine.decide({ server: 's', tool: 'limited_a' }).decision, 'ask');
  });

  test('exact under concurrency: of 1,000 simultaneous calls exactly max go through', async () => {
    const engine = new PolicyEngine(policyOf(yaml('version: 1', 'servers:', '  s:', '    tools:', '      t:', '        rate_limit: { max: 37, window: 1h }')));
    const results = await Promise.all(
      Array.from({ length: 1000 }, () => new Promise<string>((resolve) => setImmediate(() => resolve(engine.decide({ server: "s", tool: "t", session: "x" }).decision)))),
    );
    assert.equal(results.filter((d) => d === 'allow').length, 37);
  });

  test('counts survive a policy reload that shares the state; a session can be forgotten', () => {
    const state = new EngineState();
    const text = yaml('version: 1', 'servers:', '  s:', '    tools:', '      t:', '        rate_limit: { max: 1, window: 1h }');
    new PolicyEngine(policyOf(text), state).decide({ server: 's', tool: 't', session: 'a' });
    const reloaded = new PolicyEngine(policyOf(text), state);
    assert.equal(reloaded.decide({ server: 's', tool: 't', session: 'a' }).decision, 'deny');
    state.endSession('a');
    assert.equal(reloaded.decide({ server: 's', tool: 't', session: 'a' }).decision, 'allow');
  });
});
