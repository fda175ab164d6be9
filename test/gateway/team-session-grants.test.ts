// "Allow for this session" on the team's approvals page: three gateway instances share one redis-server.
// A call waiting on instance B is allowed for its session on instance A's page (in a real Chromium); later
// calls of that tool in that session go on without asking, while another session, another conversation
// and another user are still asked, the rate limit still counts, a policy that now denies the tool wins
// over the grant, and with Redis killed no call is allowed by a grant.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import Redis from 'ioredis';
import { chromium, type Browser } from 'playwright-core';
import { tokenHash } from '../../src/team/identity-tokens';
import { auditLines, RECORDING, recordedCalls, tempDir, textOf, writePolicy, yaml } from '../proxy/helpers';
import { RedisHarness, redisServerAvailable } from '../team/redis-harness';
import { connectServer, fetchRaw, startGateway, type Gateway } from './helpers';

const ALICE = 'alice-token-0123456789-abcdefghijklmnop';
const CAROL = 'carol-token-0123456789-abcdefghijklmnop';
const BOB = 'bob-token-0123456789-abcdefghijklmnopqr';
const BROWSER_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const CALL_TIMEOUT = { timeout: 90_000 };

assert.ok(redisServerAvailable(), 'redis-server is not installed (apt-get install redis-server)');

interface Listed {
  id: string;
  tool: string;
  caller: { name: string } | null;
  arguments: { path?: string };
  sessionGrant: boolean;
}

describe('team gateway: "Allow for this session" on the approvals page', () => {
  const tmp = tempDir();
  const records = [0, 1, 2].map((i) => join(tmp.dir, `notes-${i}.jsonl`));
  const policies: string[] = [];
  let redis: RedisHarness;
  let browser: Browser;
  const gateways: Gateway[] = [];
  const clients: Client[] = [];
  /** Alice's session on instance B, where the grants are given. */
  let aliceOnB: Client;

  const policyText = (i: number, secretDebug: 'ask' | 'deny') =>
    yaml(
      'version: 1',
      'approvers: [group:leads]',
      'servers:',
      '  notes:',
      '    launch:',
      '      command: node',
      `      args: [${JSON.stringify(RECORDING)}]`,
      `      env: { RECORD_FILE: ${JSON.stringify(records[i])} }`,
      '    tools:',
      '      write_note: { action: ask, rate_limit: { max: 4, window: 1h, scope: session } }',
      `      secret_debug: { action: ${secretDebug} }`,
    );

  const pendingAs = async (gateway: Gateway, token: string): Promise<Listed[]> => {
    const answer = await fetchRaw(`${gateway.url}/approvals/api/pending`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(answer.status, 200, answer.body);
    return (JSON.parse(answer.body) as { pending: Listed[] }).pending;
  };
  const waitListed = async (gateway: Gateway, match: (p: Listed) => boolean): Promise<Listed> => {
    const until = Date.now() + 20_000;
    while (Date.now() < until) {
      const found = (await pendingAs(gateway, BOB)).find(match);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the call was not listed on the approvals page');
  };
  const answerAs = (gateway: Gateway, token: string, body: Record<string, unknown>) =>
    fetchRaw(`${gateway.url}/approvals/api/answer`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  /** A call that must go on without anyone asked: it returns although nobody answers on any page. */
  const unasked = (client: Client, name: string, args: Record<string, unknown>) => client.callTool({ name, arguments: args }, undefined, { timeout: 15_000 });

  before(async () => {
    redis = await RedisHarness.start();
    const tokens = join(tmp.dir, 'tokens.yaml');
    writeFileSync(
      tokens,
      yaml(
        'tokens:',
        `  - { sha256: ${tokenHash(ALICE)}, name: alice, groups: [dev] }`,
        `  - { sha256: ${tokenHash(CAROL)}, name: carol, groups: [dev] }`,
        `  - { sha256: ${tokenHash(BOB)}, name: bob, groups: [leads] }`,
      ),
    );
    for (const i of [0, 1, 2]) {
      policies.push(writePolicy(tmp.dir, policyText(i, 'ask'), `policy-${i}.yaml`));
      gateways.push(
        await startGateway(['--policy', policies[i], '--listen', '127.0.0.1:0', '--tokens', tokens, '--redis', redis.url, '--redis-timeout', '2', '--approval-timeout', '60', '--audit', join(tmp.dir, `audit-${i}.jsonl`)]),
      );
    }
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: BROWSER_ARGS });
  });
  after(async () => {
    await browser?.close();
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await Promise.all(gateways.map((g) => g.close()));
    await redis?.stop();
    tmp.cleanup();
  });

  it('allowed for the session on instance A’s page in Chromium: later calls of the tool in that session on instance B go on without asking', async () => {
    aliceOnB = await connectServer(gateways[1], 'notes', ALICE);
    clients.push(aliceOnB);
    const first = aliceOnB.callTool({ name: 'write_note', arguments: { path: 'one.md', text: 'a' } }, undefined, CALL_TIMEOUT);
    const page = await browser.newPage();
    try {
      await page.goto(`${gateways[0].url}/approvals`);
      await page.fill('#token', BOB);
      await page.click('#login button[type=submit]');
      const item = page.locator('li.call').first();
      await item.waitFor({ timeout: 30_000 });
      assert.match(await item.innerText(), /Asked by\s+alice/);
      await item.locator('button.allow-session').click();
      assert.match(textOf(await first), /wrote \d+ characters to one\.md/);
      await page.locator('li.call').first().waitFor({ state: 'detached', timeout: 10_000 });
    } finally {
      await page.close();
    }
    const granted = auditLines(join(tmp.dir, 'audit-1.jsonl')).find((l) => l.tool === 'write_note');
    assert.equal(granted?.reason, 'approved by bob on the approvals page, for this session');

    const second = await unasked(aliceOnB, 'write_note', { path: 'two.md', text: 'b' });
    assert.match(textOf(second), /wrote \d+ characters to two\.md/);
    assert.deepEqual(recordedCalls(records[1]), ['write_note', 'write_note']);
    const line = auditLines(join(tmp.dir, 'audit-1.jsonl')).filter((l) => l.tool === 'write_note')[1];
    assert.equal(line?.decision, 'allow');
    assert.equal(line?.policy, 'ask');
    assert.deepEqual(line?.approval, { by: 'team', answer: 'session' });
    assert.equal(line?.reason, 'allowed for this session on the approvals page');
  });

  it('another session of the same user, another conversation in the session, and another user are still asked', async () => {
    const aliceOnC = await connectServer(gateways[2], 'notes', ALICE);
    const carolOnB = await connectServer(gateways[1], 'notes', CAROL);
    clients.push(aliceOnC, carolOnB);
    const cases: [string, Promise<unknown>, (p: Listed) => boolean][] = [
      ['alice, another session', aliceOnC.callTool({ name: 'write_note', arguments: { path: 'other-session' } }, undefined, CALL_TIMEOUT), (p) => p.arguments.path === 'other-session'],
      [
        'alice, the same session, a conversation she names',
        aliceOnB.callTool({ name: 'write_note', arguments: { path: 'other-conversation' }, _meta: { 'vscode.conversationId': 'conversation-2' } }, undefined, CALL_TIMEOUT),
        (p) => p.arguments.path === 'other-conversation',
      ],
      ['carol, on the same instance', carolOnB.callTool({ name: 'write_note', arguments: { path: 'carol' } }, undefined, CALL_TIMEOUT), (p) => p.arguments.path === 'carol'],
    ];
    for (const [who, call, match] of cases) {
      const listed = await waitListed(gateways[0], match);
      assert.equal(listed.sessionGrant, true, who);
      const own = await answerAs(gateways[0], ALICE, { id: listed.id, approved: true, session: true });
      assert.equal(own.status, 403, `${who}: the caller cannot grant herself the session`);
      const bad = await answerAs(gateways[0], BOB, { id: listed.id, approved: false, session: true });
      assert.equal(bad.status, 400, `${who}: a denial is for one call`);
      assert.equal((await answerAs(gateways[0], BOB, { id: listed.id, approved: false })).status, 200, who);
      assert.match(textOf(await call), /denied by bob on the approvals page/, who);
    }
    assert.deepEqual(recordedCalls(records[2]), [], 'nothing of the other session reached its server');
    assert.deepEqual(recordedCalls(records[1]), ['write_note', 'write_note'], 'nothing more reached instance B’s server');
  });

  it('the grant approves no more than the rest of the policy allows: the session’s rate limit still counts', async () => {
    // Two calls of the session counted already (the denied one named another conversation, another session).
    for (const path of ['three.md', 'four.md']) assert.match(textOf(await unasked(aliceOnB, 'write_note', { path, text: 'c' })), /wrote/);
    const fifth = await unasked(aliceOnB, 'write_note', { path: 'five.md', text: 'd' });
    assert.match(textOf(fifth), /rate limit/i);
    assert.equal(recordedCalls(records[1]).length, 4);
  });

  it('a grant ends with its session', async () => {
    const raw = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await raw.connect();
    try {
      const grants = () => raw.keys('mcp-warden:grants:*');
      const held = (await grants()).length;
      const aliceOnA = await connectServer(gateways[0], 'notes', ALICE);
      const call = aliceOnA.callTool({ name: 'secret_debug', arguments: {} }, undefined, CALL_TIMEOUT);
      const listed = await waitListed(gateways[1], (p) => p.tool === 'secret_debug');
      assert.equal((await answerAs(gateways[1], BOB, { id: listed.id, approved: true, session: true })).status, 200);
      await call;
      assert.equal((await grants()).length, held + 1);
      await (aliceOnA.transport as StreamableHTTPClientTransport).terminateSession();
      await aliceOnA.close();
      const until = Date.now() + 10_000;
      while ((await grants()).length !== held && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal((await grants()).length, held, 'the session’s grants went with it');
    } finally {
      raw.disconnect();
    }
  });

  it('a policy that now denies the tool wins over the grant; with Redis killed no call is allowed by a grant', async () => {
    const call = aliceOnB.callTool({ name: 'secret_debug', arguments: {} }, undefined, CALL_TIMEOUT);
    const listed = await waitListed(gateways[2], (p) => p.tool === 'secret_debug');
    assert.equal((await answerAs(gateways[2], BOB, { id: listed.id, approved: true, session: true })).status, 200);
    assert.doesNotMatch(textOf(await call), /Blocked|Refused/);
    assert.doesNotMatch(textOf(await unasked(aliceOnB, 'secret_debug', {})), /Blocked|Refused/, 'granted on instance C’s page');
    const reached = recordedCalls(records[1]).length;

    const reloads = () => (gateways[1].stderr().match(/policy loaded/g) ?? []).length;
    const before = reloads();
    writeFileSync(policies[1], policyText(1, 'deny'));
    const until = Date.now() + 15_000;
    while (reloads() === before && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(reloads() > before, 'the gateway reloaded its policy');
    assert.match(textOf(await unasked(aliceOnB, 'secret_debug', {})), /Blocked by policy: .*denied by rule "secret_debug"/);
    assert.equal(recordedCalls(records[1]).length, reached, 'the denied call was not forwarded');

    const again = reloads();
    writeFileSync(policies[1], policyText(1, 'ask'));
    while (reloads() === again && Date.now() < until + 15_000) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.doesNotMatch(textOf(await unasked(aliceOnB, 'secret_debug', {})), /Blocked|Refused/, 'asking again, the grant holds');

    await redis.kill();
    const refused = textOf(await unasked(aliceOnB, 'secret_debug', {}));
    assert.match(refused, /could not be reached.*the call is refused/, refused);
    assert.equal(recordedCalls(records[1]).length, reached + 1, 'no call was allowed by a grant it could not read');
  });
});
