// Rules for some callers only (`only:`) and limits counted per caller (`scope: user`): who is refused,
// with which reason, what a call with no identity gets, what the schema refuses, and that widening who
// may call is a loosening for the leash.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EngineState, PolicyEngine, type SharedLimiter } from '../../src/policy/engine';
import type { Principal } from '../../src/policy/model';
import { parsePolicy } from '../../src/policy/parse';
import { comparePolicyTexts } from '../../src/policy/policy-compare';
import { RateLimiter } from '../../src/policy/rate-limiter';
import { policyOf, yaml } from './helpers';

const ALICE: Principal = { name: 'alice', groups: [] };
const BOB_SECURITY: Principal = { name: 'bob', groups: ['dev', 'security'] };
const MALLORY: Principal = { name: 'mallory', groups: ['dev'] };

const TEAM = yaml(
  'version: 1',
  'servers:',
  '  sec:',
  '    tools:',
  '      stop_scan:',
  '        only: [group:security, alice]',
  '        reason: Only the security team may stop a scan.',
  '      "delete_*":',
  '        action: ask',
  '        only: ["user:carol:admin"]',
  '      start_scan:',
  '        rate_limit: { max: 2, window: 60s, scope: user }',
  '      get_finding: {}',
);

describe('only: callers', () => {
  const engine = new PolicyEngine(policyOf(TEAM));

  test('a listed user and a member of a listed group get the rule as written', () => {
    assert.equal(engine.decide({ server: 'sec', tool: 'stop_scan', principal: ALICE }).decision, 'allow');
    assert.equal(engine.decide({ server: 'sec', tool: 'stop_scan', principal: BOB_SECURITY }).decision, 'allow');
  });

  test('anyone else is denied with the rule\'s reason, the rule and its line', () => {
    const decision = engine.decide({ server: 'sec', tool: 'stop_scan', principal: MALLORY });
    assert.equal(decision.decision, 'deny');
    assert.equal(decision.rule, 'stop_scan');
    assert.equal(decision.line, 5);
    assert.match(decision.reason!, /^Only the security team may stop a scan\. \(rule "stop_scan" is only for group:security, alice; caller "mallory" is not among them\)$/);
  });

  test('a call with no caller identity is denied, saying so (a local proxy has none)', () => {
    const decision = engine.decide({ server: 'sec', tool: 'stop_scan' });
    assert.equal(decision.decision, 'deny');
    assert.match(decision.reason!, /this call has no caller identity/);
  });

  test('a name is matched exactly: not by case, not a group of the same name, not a prefix', () => {
    for (const principal of [{ name: 'Alice', groups: [] }, { name: 'mallory', groups: ['alice'] }, { name: 'mallory', groups: ['Security', 'security '] }, { name: 'alic', groups: [] }]) {
      assert.equal(engine.decide({ server: 'sec', tool: 'stop_scan', principal }).decision, 'deny', JSON.stringify(principal));
    }
    // A user name that looks like a group is a user: `group:security` names the group only.
    assert.equal(engine.decide({ server: 'sec', tool: 'stop_scan', principal: { name: 'group:security', groups: [] } }).decision, 'deny');
  });

  test('user: writes a name with a colon; a glob rule keeps its precedence and its list', () => {
    assert.equal(engine.decide({ server: 'sec', tool: 'delete_all', principal: { name: 'carol:admin', groups: [] } }).decision, 'ask');
    const refused = engine.decide({ server: 'sec', tool: 'delete_all', principal: ALICE });
    assert.equal(refused.decision, 'deny');
    assert.equal(refused.reason, 'Tool "delete_all" is only for user:carol:admin (rule "delete_*"); caller "alice" is not among them');
    // Rules without a list are for everyone, with or without an identity.
    assert.equal(engine.decide({ server: 'sec', tool: 'get_finding' }).decision, 'allow');
  });

  test('a refused caller is not counted against the rule\'s limit', () => {
    const limited = new PolicyEngine(policyOf(yaml('version: 1', 'servers:', '  s:', '    tools:', '      t:', '        only: [alice]', '        rate_limit: { max: 1, window: 60s, scope: server }')));
    for (let i = 0; i < 5; i++) assert.equal(limited.decide({ server: 's', tool: 't', principal: MALLORY }).decision, 'deny');
    assert.equal(limited.decide({ server: 's', tool: 't', principal: ALICE }).decision, 'allow');
  });

  test('the schema refuses an empty list, wildcards, spaces and a colon in a bare name', () => {
    for (const only of ['[]', '["*"]', '["group:sec*"]', '["a?"]', '[" alice"]', '["alice "]', '["x:y"]', '["group:"]', '["user: bob"]', '[""]', '[1]', 'alice']) {
      const parsed = parsePolicy(yaml('version: 1', 'servers:', '  s:', '    tools:', '      t:', `        only: ${only}`));
      assert.equal(parsed.policy, undefined, `only: ${only} should be refused`);
      assert.ok(parsed.diagnostics.some((d) => d.severity === 'error' && d.range.start.line === 5), `only: ${only}: ${JSON.stringify(parsed.diagnostics)}`);
    }
    const wildcard = parsePolicy(yaml('version: 1', 'servers:', '  s:', '    tools:', '      t:', '        only: [alice, "group:sec*"]')).diagnostics;
    assert.deepEqual(wildcard.map((d) => d.message), ['Invalid value "group:sec*" for an entry of "only": A user name (alice, or user:alice for a name that holds a colon) or a group (group:security). No wildcards, no surrounding spaces.']);
    assert.deepEqual(wildcard[0].range, { start: { line: 5, character: 22 }, end: { line: 5, character: 34 } });
    assert.equal(parsePolicy(yaml('version: 1', 'servers:', '  s:', '    tools:', '      t:', '        only: []')).diagnostics[0].message, '"only" must list at least 1 entry');
    for (const only of ['[alice]', '["group:security"]', '["user:urn:x:1"]', '["alice@example.com", "group:a b"]']) {
      assert.ok(parsePolicy(yaml('version: 1', 'servers:', '  s:', '    tools:', '      t:', `        only: ${only}`)).policy, `only: ${only} should be read`);
    }
  });
});

describe('rate_limit scope: user', () => {
  function clockEngine(text: string) {
    let now = 1_000_000;
    return { engine: new PolicyEngine(policyOf(text), new EngineState(new RateLimiter(() => now))), advance: (ms: number) => (now += ms) };
  }

  test('each caller has one count across their sessions; others have their own', () => {
    const { engine } = clockEngine(TEAM);
    const call = (principal: Principal | undefined, session: string) => engine.decide({ server: 'sec', tool: 'start_scan', principal, session }).decision;
    assert.equal(call(ALICE, 's1'), 'allow');
    assert.equal(call(ALICE, 's2'), 'allow');
    assert.equal(call(ALICE, 's3'), 'deny');
    assert.equal(call(BOB_SECURITY, 's3'), 'allow');
    assert.equal(call(BOB_SECURITY, 's1'), 'allow');
    assert.equal(call(BOB_SECURITY, 's4'), 'deny');
  });

  test('the refusal says it is per caller; calls with no identity share one count', () => {
    const { engine } = clockEngine(TEAM);
    engine.decide({ server: 'sec', tool: 'start_scan', principal: ALICE });
    engine.decide({ server: 'sec', tool: 'start_scan', principal: ALICE });
    assert.match(engine.decide({ server: 'sec', tool: 'start_scan', principal: ALICE }).reason!, /^Rate limit of 2 calls per 1m reached for this caller \(rule "start_scan"\); retry in/);
    assert.equal(engine.decide({ server: 'sec', tool: 'start_scan', session: 'a' }).decision, 'allow');
    assert.equal(engine.decide({ server: 'sec', tool: 'start_scan', session: 'b' }).decision, 'allow');
    assert.equal(engine.decide({ server: 'sec', tool: 'start_scan', session: 'c' }).decision, 'deny');
  });
});

describe('decideShared', () => {
  const engine = new PolicyEngine(policyOf(TEAM));

  test('the shared limiter counts, with the key of the rule\'s scope', async () => {
    const keys: string[] = [];
    const limiter: SharedLimiter = { tryAcquire: async (key, max, windowMs) => (keys.push(`${key}|${max}|${windowMs}`), keys.length <= 1 ? { ok: true } : { ok: false, retryAfterMs: 1500 }) };
    assert.equal((await engine.decideShared({ server: 'sec', tool: 'start_scan', principal: ALICE }, limiter)).decision, 'allow');
    const refused = await engine.decideShared({ server: 'sec', tool: 'start_scan', principal: ALICE }, limiter);
    assert.equal(refused.decision, 'deny');
    assert.match(refused.reason!, /retry in 2s/);
    assert.deepEqual(keys, ['sec\u0000start_scan\u0000user:alice|2|60000', 'sec\u0000start_scan\u0000user:alice|2|60000']);
  });

  test('a limiter that cannot count refuses the call with its reason: never allowed uncounted', async () => {
    const limiter: SharedLimiter = { tryAcquire: async () => { throw new Error('Redis is unreachable (connect ECONNREFUSED 127.0.0.1:1)'); } };
    const decision = await engine.decideShared({ server: 'sec', tool: 'start_scan', principal: ALICE }, limiter);
    assert.equal(decision.decision, 'deny');
    assert.equal(decision.reason, 'The rate limit of rule "start_scan" could not be counted: Redis is unreachable (connect ECONNREFUSED 127.0.0.1:1); the call is refused');
  });

  test('what needs no count never asks the limiter (a store outage does not refuse it)', async () => {
    const limiter: SharedLimiter = { tryAcquire: async () => assert.fail('counted') };
    assert.equal((await engine.decideShared({ server: 'sec', tool: 'get_finding' }, limiter)).decision, 'allow');
    assert.equal((await engine.decideShared({ server: 'sec', tool: 'stop_scan', principal: MALLORY }, limiter)).decision, 'deny');
    assert.equal((await engine.decideShared({ server: 'sec', tool: 'start_scan', principal: ALICE }, limiter, { dryRun: true })).decision, 'allow');
  });
});

describe('the leash: who may call', () => {
  const rule = (only: string | undefined, extra = '') => {
    const body = [...(only ? [`        only: ${only}`] : []), ...(extra ? [`        ${extra}`] : [])];
    return yaml('version: 1', 'servers:', '  sec:', '    tools:', body.length > 0 ? '      stop_scan:' : '      stop_scan: {}', ...body, '      "x_*":', '        action: ask', '        only: [alice]');
  };
  const compare = (a: string, b: string) => {
    const result = comparePolicyTexts(a, b, '/p.yaml', new Map([['sec', ['stop_scan', 'x_1']]]));
    assert.ok(result.ok);
    return result.loosened;
  };

  test('a caller added, a group added, or the list dropped is a loosening', () => {
    assert.deepEqual(compare(rule('[group:security]'), rule('[group:security, alice]')), [{ server: 'sec', tool: 'stop_scan', what: 'callers', before: 'group:security', after: 'group:security, alice' }]);
    assert.deepEqual(compare(rule('[alice]'), rule('[group:dev]')), [{ server: 'sec', tool: 'stop_scan', what: 'callers', before: 'alice', after: 'group:dev' }]);
    assert.deepEqual(compare(rule('[group:security]'), rule(undefined)), [{ server: 'sec', tool: 'stop_scan', what: 'callers', before: 'group:security', after: 'everyone' }]);
  });

  test('a glob\'s list widened is a loosening of that glob', () => {
    const before = rule('[alice]');
    const after = before.replace('        only: [alice]\n', '        only: [alice, bob]\n').replace(/(x_\*":\n        action: ask\n        only: )\[alice\]/, '$1[alice, group:ops]');
    assert.ok(compare(before, after).some((l) => l.tool === 'x_*' && l.what === 'callers' && l.after === 'alice, group:ops'), JSON.stringify(compare(before, after)));
  });

  test('narrowing, respelling (alice as user:alice) or reordering the list is not', () => {
    assert.deepEqual(compare(rule('[group:security, alice]'), rule('[group:security]')), []);
    assert.deepEqual(compare(rule(undefined), rule('[alice]')), []);
    assert.deepEqual(compare(rule('[alice, group:security]'), rule('["group:security", "user:alice"]')), []);
  });

  test('a user limit made per session is a loosening; per session made per user is not', () => {
    const limit = (scope: string) => rule(undefined, `rate_limit: { max: 3, window: 60s, scope: ${scope} }`);
    assert.deepEqual(compare(limit('user'), limit('session')), [{ server: 'sec', tool: 'stop_scan', what: 'rate limit', before: '3 per 1m per user', after: '3 per 1m per session' }]);
    assert.deepEqual(compare(limit('session'), limit('user')), []);
    assert.deepEqual(compare(limit('server'), limit('user')).map((l) => l.what), ['rate limit']);
    assert.deepEqual(compare(limit('user'), limit('server')), []);
  });
});
