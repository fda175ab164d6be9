// The state contract, held by both stores: in memory (one process) and in Redis (three stores with
// their own connections sharing one real redis-server, as three gateway instances would). Limits are
// exact across instances, the first answer to an approval wins wherever it is given, and when Redis
// is gone or silent every decision that needs it is refused with the reason, until it is back.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Redis from 'ioredis';
import { PolicyEngine } from '../../src/policy/engine';
import type { Principal } from '../../src/policy/model';
import { MemoryState } from '../../src/team/memory-state';
import { RedisState } from '../../src/team/redis-state';
import type { TeamState } from '../../src/team/state';
import { policyOf, yaml } from '../policy/helpers';
import { RedisHarness, redisServerAvailable } from './redis-harness';

const POLICY = policyOf(
  yaml(
    'version: 1',
    'servers:',
    '  sec:',
    '    tools:',
    '      start_scan:',
    '        rate_limit: { max: 10, window: 60s, scope: user }',
    '      get_finding: {}',
  ),
);
const ALICE: Principal = { name: 'alice', groups: [] };
const BOB: Principal = { name: 'bob', groups: [] };

// Not skipped without it: .ci/run installs Debian's redis-server, and a test that cannot run must say so.
assert.ok(redisServerAvailable(), 'redis-server is not installed (apt-get install redis-server)');
let redis: RedisHarness | undefined;
let testPrefix = 0;
const opened: TeamState[] = [];
const logs: string[] = [];

before(async () => {
  redis = await RedisHarness.start();
});
after(async () => {
  await Promise.all(opened.map((state) => state.close()));
  await redis?.stop();
});

/** `count` stores sharing one state: a fresh key prefix per call, so tests do not see each other. */
async function redisStores(count: number, options: { timeoutMs?: number; approvalPollMs?: number } = {}): Promise<RedisState[]> {
  const prefix = `t${++testPrefix}:`;
  // A generous timeout (a busy machine is slow, not Redis down); the silent-Redis test sets its own.
  const stores = Array.from({ length: count }, () => new RedisState({ url: redis!.url, prefix, maxBackoffMs: 200, timeoutMs: 2000, log: (m) => logs.push(m), ...options }));
  opened.push(...stores);
  await Promise.all(stores.map((store) => store.ready()));
  return stores;
}

function memoryStores(count: number): TeamState[] {
  const one = new MemoryState();
  return Array.from({ length: count }, () => one);
}

const IMPLEMENTATIONS: [string, (count: number) => Promise<TeamState[]> | TeamState[]][] = [
  ['memory', memoryStores],
  ['redis', (count) => redisStores(count)],
];

for (const [name, stores] of IMPLEMENTATIONS) {
  describe(`${name} state`, () => {
    test('50 concurrent decisions across three instances against 10 per user: exactly 10 allowed; each user has their own 10', async () => {
      const instances = await stores(3);
      const engines = instances.map((state) => ({ engine: new PolicyEngine(POLICY), state }));
      const decide = (i: number, principal: Principal) => {
        const { engine, state } = engines[i % 3];
        return engine.decideShared({ server: 'sec', tool: 'start_scan', principal, session: `s${i % 7}` }, state);
      };
      const decisions = await Promise.all(Array.from({ length: 50 }, (_, i) => decide(i, ALICE)));
      assert.equal(decisions.filter((d) => d.decision === 'allow').length, 10);
      assert.ok(decisions.filter((d) => d.decision === 'deny').every((d) => /^Rate limit of 10 calls per 1m reached for this caller \(rule "start_scan"\); retry in/.test(d.reason!)));
      const both = await Promise.all(Array.from({ length: 50 }, (_, i) => decide(i, i % 2 ? BOB : ALICE)));
      assert.equal(both.filter((d) => d.decision === 'allow').length, 10, 'alice had used hers; bob gets his 10');
      const carol = await Promise.all(Array.from({ length: 12 }, (_, i) => decide(i, { name: 'carol', groups: [] })));
      assert.equal(carol.filter((d) => d.decision === 'allow').length, 10);
    });

    test('the window slides: a call fits again once the oldest leaves it', async () => {
      const [state] = await stores(1);
      assert.deepEqual(await state.tryAcquire('slide', 2, 300), { ok: true });
      await new Promise((resolve) => setTimeout(resolve, 120));
      assert.deepEqual(await state.tryAcquire('slide', 2, 300), { ok: true });
      const refused = await state.tryAcquire('slide', 2, 300);
      assert.equal(refused.ok, false);
      assert.ok(!refused.ok && refused.retryAfterMs > 100 && refused.retryAfterMs <= 200, JSON.stringify(refused));
      await new Promise((resolve) => setTimeout(resolve, 220));
      assert.deepEqual(await state.tryAcquire('slide', 2, 300), { ok: true }, 'the first call left the window');
      assert.equal((await state.tryAcquire('slide', 2, 300)).ok, false, 'the second is still in it');
    });

    test('a session grant given on one instance holds on another, for that caller only, and ends with the session', async () => {
      const [a, b] = await stores(2);
      const alice = { session: 'conv-1', principal: 'alice' };
      assert.equal(await b.grants.has(alice, 'sec', 'start_scan'), false);
      await a.grants.grant(alice, 'sec', 'start_scan', 60_000);
      assert.equal(await b.grants.has(alice, 'sec', 'start_scan'), true);
      assert.equal(await b.grants.has(alice, 'sec', 'stop_scan'), false, 'one tool');
      assert.equal(await b.grants.has({ session: 'conv-2', principal: 'alice' }, 'sec', 'start_scan'), false, 'one session');
      // Another caller naming the same session (an agent chooses its conversation id) does not get it.
      assert.equal(await b.grants.has({ session: 'conv-1', principal: 'mallory' }, 'sec', 'start_scan'), false, 'one caller');
      assert.equal(await b.grants.has({ session: 'conv-1' }, 'sec', 'start_scan'), false, 'not without an identity');
      assert.equal(await b.grants.has({ session: 'conv-1', principal: 'alice\u0000conv-1' }, 'sec', 'start_scan'), false);
      await b.grants.endSession(alice);
      assert.equal(await a.grants.has(alice, 'sec', 'start_scan'), false);
      await a.grants.grant({ session: 'conv-3' }, 'sec', 't', 100);
      assert.equal(await b.grants.has({ session: 'conv-3' }, 'sec', 't'), true, 'the local user has grants too');
      await new Promise((resolve) => setTimeout(resolve, 150));
      assert.equal(await b.grants.has({ session: 'conv-3' }, 'sec', 't'), false, 'expired');
    });

    test('a grant for one conversation of a session is not one for another, and ends with its session whatever the conversation', async () => {
      const [a, b] = await stores(2);
      const inConversation = { session: 'mcp-1', principal: 'alice', conversation: 'conv-1' };
      await a.grants.grant(inConversation, 'sec', 'start_scan', 60_000);
      assert.equal(await b.grants.has(inConversation, 'sec', 'start_scan'), true);
      assert.equal(await b.grants.has({ ...inConversation, conversation: 'conv-2' }, 'sec', 'start_scan'), false, 'another conversation');
      assert.equal(await b.grants.has({ session: 'mcp-1', principal: 'alice' }, 'sec', 'start_scan'), false, 'the session without the conversation');
      assert.equal(await b.grants.has({ ...inConversation, principal: 'bob' }, 'sec', 'start_scan'), false, 'another caller naming it');
      assert.equal(await b.grants.has({ ...inConversation, session: 'mcp-2' }, 'sec', 'start_scan'), false, 'another session naming it');
      await a.grants.grant({ session: 'mcp-1', principal: 'alice' }, 'sec', 'get_finding', 60_000);
      await b.grants.endSession({ session: 'mcp-1', principal: 'alice' });
      assert.equal(await a.grants.has(inConversation, 'sec', 'start_scan'), false, 'ended with the session');
      assert.equal(await a.grants.has({ session: 'mcp-1', principal: 'alice' }, 'sec', 'get_finding'), false);
    });

    test('an approval asked on one instance is listed on another and answered on a third; the first answer wins', async () => {
      const [a, b, c] = await stores(3);
      const request = { server: 'sec', tool: 'stop_scan', arguments: { id: 'S-1' }, caller: 'mallory' };
      const id = await a.approvals.create(request, 10_000);
      const waiting = a.approvals.wait(id);
      const listed = await b.approvals.list();
      assert.deepEqual(listed.map((p) => [p.id, p.request]), [[id, request]]);
      assert.ok(listed[0].expiresAt - listed[0].createdAt === 10_000);
      assert.equal(await c.approvals.answer(id, { approved: true, by: 'lead' }), true);
      assert.equal(await b.approvals.answer(id, { approved: false, by: 'other' }), false, 'already answered');
      assert.deepEqual(await waiting, { approved: true, by: 'lead' });
      assert.deepEqual(await b.approvals.list(), []);
    });

    test('unanswered, an approval is denied at its expiry and a late answer is not taken; a withdrawn one likewise', async () => {
      const [a, b] = await stores(2);
      const id = await a.approvals.create({ tool: 'x' }, 300);
      const started = Date.now();
      const answer = await a.approvals.wait(id);
      assert.equal(answer.approved, false);
      assert.match(answer.reason!, /no answer/);
      assert.ok(Date.now() - started >= 250, 'not before its expiry');
      assert.equal(await b.approvals.answer(id, { approved: true, by: 'late' }), false);

      const withdrawn = await a.approvals.create({ tool: 'y' }, 10_000);
      const controller = new AbortController();
      const waiting = a.approvals.wait(withdrawn, controller.signal);
      controller.abort('the client cancelled the call');
      assert.deepEqual(await waiting, { approved: false, by: 'timeout', reason: 'the approval was withdrawn: the client cancelled the call' });
      assert.equal(await b.approvals.answer(withdrawn, { approved: true, by: 'late' }), false);
      assert.deepEqual(await b.approvals.list(), []);
    });

    test('audit lines are copied', async () => {
      const [a] = await stores(1);
      await a.audit.append('{"n":1}');
      await a.audit.append('{"n":2}');
      if (a instanceof MemoryState) assert.deepEqual(a.auditLines.slice(-2), ['{"n":1}', '{"n":2}']);
    });
  });
}

describe('redis state when Redis fails', () => {
  test('the audit Stream is bounded: XADD with MAXLEN ~', async () => {
    const [a] = await redisStores(1);
    const prefix = `t${testPrefix}:`;
    const bounded = new RedisState({ url: redis!.url, prefix, auditMaxLength: 10, timeoutMs: 5000 });
    opened.push(bounded);
    await bounded.ready();
    await a.audit.append('first');
    await Promise.all(Array.from({ length: 1000 }, (_, i) => bounded.audit.append(`line ${i}`)));
    const raw = new Redis(redis!.url);
    try {
      const length = await raw.xlen(`${prefix}audit`);
      assert.ok(length >= 10 && length < 250, `stream length ${length}`);
      const [[, fields]] = await raw.xrevrange(`${prefix}audit`, '+', '-', 'COUNT', 1);
      assert.deepEqual(fields, ['line', 'line 999']);
    } finally {
      raw.disconnect();
    }
  });

  test('Redis killed mid-run: every decision that needs it is refused with the reason; restarted: decisions flow again by themselves', async () => {
    const instances = await redisStores(3);
    const engine = new PolicyEngine(POLICY);
    const decide = (i: number) => engine.decideShared({ server: 'sec', tool: 'start_scan', principal: { name: `u${i % 5}`, groups: [] } }, instances[i % 3]);
    const first = await Promise.all(Array.from({ length: 15 }, (_, i) => decide(i)));
    assert.equal(first.filter((d) => d.decision === 'allow').length, 15);

    const asked = await instances[0].approvals.create({ tool: 'stop_scan' }, 1500);
    const waiting = instances[0].approvals.wait(asked);
    logs.length = 0;
    await redis!.kill();
    const during = await Promise.all(Array.from({ length: 30 }, (_, i) => decide(i)));
    assert.deepEqual([...new Set(during.map((d) => d.decision))], ['deny'], 'nothing allowed while Redis is down');
    for (const d of during) assert.match(d.reason!, /^The rate limit of rule "start_scan" could not be counted: Redis is unreachable \(redis at redis:\/\/127\.0\.0\.1:\d+, rate limit\); the call is refused$/);
    // What needs no count goes on.
    assert.equal((await engine.decideShared({ server: 'sec', tool: 'get_finding' }, instances[0])).decision, 'allow');
    // Waiting for an approval with Redis gone ends in a denial at its deadline, never an approval.
    const answer = await waiting;
    assert.equal(answer.approved, false);
    assert.match(answer.reason!, /^no answer in time; Redis is unreachable/);
    await assert.rejects(instances[0].approvals.create({ tool: 'x' }, 200), /Redis is unreachable/);
    await assert.rejects(instances[1].grants.has({ session: 's', principal: 'u1' }, 'sec', 't'), /Redis is unreachable/);

    await redis!.restart();
    const until = Date.now() + 10_000;
    let flowing = false;
    while (!flowing && Date.now() < until) {
      flowing = (await decide(0)).decision === 'allow';
      if (!flowing) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(flowing, 'decisions flow again after Redis restarts');
    await Promise.all(instances.map((state) => state.ready()));
    const afterwards = await Promise.all(Array.from({ length: 12 }, (_, i) => decide(i * 5 + 1)));
    assert.equal(afterwards.filter((d) => d.decision === 'allow').length, 10, 'u1 has 10 in a fresh window');
    assert.ok(logs.some((m) => /connection lost|connection closed/.test(m)), logs.join('\n'));
    assert.ok(logs.some((m) => /unreachable; reconnecting in \d+ ms \(attempt 1, backing off up to 200 ms\)/.test(m)), logs.join('\n'));
    assert.ok(logs.some((m) => /connected again/.test(m)), logs.join('\n'));
  });

  test('Redis silent (stopped, connections open): decisions are refused once the timeout passes, and flow when it answers again', async () => {
    const [a, b] = await redisStores(2, { timeoutMs: 200 });
    const engine = new PolicyEngine(POLICY);
    const decide = (state: TeamState) => engine.decideShared({ server: 'sec', tool: 'start_scan', principal: ALICE }, state);
    assert.equal((await decide(a)).decision, 'allow');
    redis!.pause();
    try {
      const started = Date.now();
      const during = await Promise.all([decide(a), decide(b), decide(a)]);
      const took = Date.now() - started;
      for (const d of during) assert.match(d.reason!, /could not be counted: Redis did not answer within 200 ms/);
      assert.ok(took >= 150 && took < 2000, `refused after ${took} ms`);
    } finally {
      redis!.resume();
    }
    let flowing = false;
    for (let i = 0; i < 100 && !flowing; i++) {
      flowing = (await decide(b)).decision === 'allow';
      if (!flowing) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(flowing);
  });

  test('an approval whose answer comes while its asker waits through an outage is still seen', async () => {
    const [a, b] = await redisStores(2, { approvalPollMs: 100 });
    const id = await a.approvals.create({ tool: 'z' }, 20_000);
    const waiting = a.approvals.wait(id);
    // The announcement channel is not the only way: the waiter also reads the record.
    const raw = new Redis(redis!.url);
    try {
      await raw.hset(`t${testPrefix}:approval:${id}`, 'state', 'answered', 'answer', JSON.stringify({ approved: true, by: 'poll' }));
    } finally {
      raw.disconnect();
    }
    assert.deepEqual(await waiting, { approved: true, by: 'poll' });
    assert.equal(await b.approvals.answer(id, { approved: false, by: 'x' }), false);
  });

  test('a call whose instance died while it waited leaves the index once its record expired (the list reads no more of it)', async () => {
    const [a, b] = await redisStores(2);
    const prefix = `t${testPrefix}:`;
    const id = await a.approvals.create({ tool: 'z' }, 20_000);
    // Its instance died: nobody waits, so nobody closes it; the record then expires as its TTL says.
    const raw = new Redis(redis!.url);
    try {
      assert.equal(await raw.zcard(`${prefix}approvals`), 1);
      await raw.del(`${prefix}approval:${id}`);
      assert.deepEqual(await b.approvals.list(), []);
      assert.equal(await raw.zcard(`${prefix}approvals`), 0, 'the index no longer names it');
    } finally {
      raw.disconnect();
    }
  });
});
