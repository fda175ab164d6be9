// A client that names a new conversation per call must not grow the rate limiter without bound, and
// bounding it must never let through a call the exact count would refuse.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineState, PolicyEngine } from '../../src/policy/engine';
import { MAX_WINDOWS_PER_SCOPE, RateLimiter } from '../../src/policy/rate-limiter';
import { MemoryState } from '../../src/team/memory-state';
import { policyOf, yaml } from './helpers';

const POLICY = yaml(
  'version: 1',
  'servers:',
  '  s:',
  '    tools:',
  '      per_session:',
  '        rate_limit: { max: 2, window: 60s }',
  '      per_server:',
  '        rate_limit: { max: 3, window: 60s, scope: server }',
);

const IDS = 100_000;

function engineWithClock() {
  let now = 1_000_000;
  const limiter = new RateLimiter(() => now);
  const engine = new PolicyEngine(policyOf(POLICY), new EngineState(limiter));
  return { engine, limiter, advance: (ms: number) => (now += ms) };
}

describe('rate-limit windows under a flood of conversation ids', () => {
  test('windows whose calls have all left their window are freed: 100,000 ids over time hold a bounded count', () => {
    const { engine, limiter, advance } = engineWithClock();
    let most = 0;
    for (let i = 0; i < IDS; i++) {
      assert.equal(engine.decide({ server: 's', tool: 'per_session', session: `c${i}` }).decision, 'allow');
      advance(10); // 6,000 calls fit in one 60 s window
      most = Math.max(most, limiter.size);
    }
    assert.ok(most <= 6_000 + 6_000 / 3 + 16, `held ${most} windows at most`);
    advance(60_000);
    for (let i = 0; i < 10_000; i++) engine.decide({ server: 's', tool: 'per_server', session: 'x' }, {});
    assert.ok(limiter.size <= 2, `every expired window is freed in time; ${limiter.size} left`);
  });

  test('at the cap, a call that needs a new window is refused with its reason; counted ones stay exact', () => {
    const { engine, limiter } = engineWithClock();
    const first = { server: 's', tool: 'per_session', session: 'first' };
    assert.equal(engine.decide(first).decision, 'allow');
    let refused = 0;
    let reason = '';
    for (let i = 0; i < IDS; i++) {
      const decision = engine.decide({ server: 's', tool: 'per_session', session: `c${i}` });
      if (decision.decision === 'deny') {
        refused++;
        reason = decision.reason!;
      }
    }
    assert.ok(limiter.size <= MAX_WINDOWS_PER_SCOPE + 1, `held ${limiter.size} windows`);
    assert.equal(refused, IDS - (MAX_WINDOWS_PER_SCOPE - 1));
    assert.match(reason, /rate limit of rule "per_session" could not be counted: .*10,000 .*windows.*; the call is refused/i);
    // A conversation already counted keeps its exact count: one more call, then refused.
    assert.equal(engine.decide(first).decision, 'allow');
    assert.match(engine.decide(first).reason!, /^Rate limit of 2 calls per 1m reached in this session/);
    // Every id that got a window is still held to its limit (none was dropped to make room).
    assert.equal(engine.decide({ server: 's', tool: 'per_session', session: 'c0' }).decision, 'allow');
    assert.equal(engine.decide({ server: 's', tool: 'per_session', session: 'c0' }).decision, 'deny');
    // Another scope has its own cap: the server's count still works.
    for (let i = 0; i < 3; i++) assert.equal(engine.decide({ server: 's', tool: 'per_server', session: `n${i}` }).decision, 'allow');
    assert.match(engine.decide({ server: 's', tool: 'per_server' }).reason!, /for this server/);
  });

  test("a gateway's state in memory keeps the cap per scope too: a flood of conversations leaves the server's count alone", async () => {
    const state = new MemoryState(new RateLimiter(() => 1_000_000));
    const engine = new PolicyEngine(policyOf(POLICY));
    for (let i = 0; i < MAX_WINDOWS_PER_SCOPE + 10; i++) await engine.decideShared({ server: 's', tool: 'per_session', session: `c${i}` }, state);
    assert.match((await engine.decideShared({ server: 's', tool: 'per_session', session: 'late' }, state)).reason!, /could not be counted/);
    for (let i = 0; i < 3; i++) assert.equal((await engine.decideShared({ server: 's', tool: 'per_server' }, state)).decision, 'allow');
    assert.match((await engine.decideShared({ server: 's', tool: 'per_server' }, state)).reason!, /^Rate limit of 3 calls per 1m reached for this server/);
  });

  test('once the windows at the cap expire, new conversations are counted again', () => {
    const { engine, advance } = engineWithClock();
    for (let i = 0; i < MAX_WINDOWS_PER_SCOPE + 10; i++) engine.decide({ server: 's', tool: 'per_session', session: `c${i}` });
    assert.equal(engine.decide({ server: 's', tool: 'per_session', session: 'late' }).decision, 'deny');
    advance(60_000);
    assert.equal(engine.decide({ server: 's', tool: 'per_session', session: 'late' }).decision, 'allow');
  });

  test('a window is freed only when every call in it has left the window (exact counts across the sweep)', () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    assert.deepEqual(limiter.tryAcquire('a', 2, 1_000, 'session'), { ok: true });
    now = 500;
    assert.deepEqual(limiter.tryAcquire('a', 2, 1_000, 'session'), { ok: true });
    now = 999;
    for (let i = 0; i < 100; i++) limiter.tryAcquire(`other${i}`, 1, 1_000, 'session'); // sweeps go by 'a' many times
    assert.equal(limiter.tryAcquire('a', 2, 1_000, 'session').ok, false);
    now = 1_000; // the first call left; the second is still in the window
    assert.deepEqual(limiter.tryAcquire('a', 2, 1_000, 'session'), { ok: true });
    assert.equal(limiter.tryAcquire('a', 2, 1_000, 'session').ok, false);
  });

  test('a window kept under a shorter limit is not freed before the longest window it was counted with', () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    limiter.tryAcquire('a', 1, 10_000, 'session'); // a reload shortens the window, then restores it
    now = 2_000;
    for (let i = 0; i < 10; i++) limiter.tryAcquire(`o${i}`, 1, 1_000, 'session');
    limiter.tryAcquire('a', 1, 1_000, 'session'); // allowed under 1 s: a new stamp at 2 s
    now = 5_000;
    for (let i = 0; i < 10; i++) limiter.tryAcquire(`p${i}`, 1, 1_000, 'session');
    assert.equal(limiter.tryAcquire('a', 1, 10_000, 'session').ok, false);
  });
});
