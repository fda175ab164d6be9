// The team's approvals page: two gateway instances share one redis-server; a call that asks on one
// instance is listed on the other's page, in a real Chromium, to the policy's approvers only, with
// everything the agent wrote shown as text; "Approve once" there lets the call proceed on the first
// instance. A non-approver cannot answer, the page cannot be framed, and its data needs an identity.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { chromium, type Browser } from 'playwright-core';
import { tokenHash } from '../../src/team/identity-tokens';
import { auditLines, RECORDING, recordedCalls, tempDir, textOf, writePolicy, yaml } from '../proxy/helpers';
import { RedisHarness, redisServerAvailable } from '../team/redis-harness';
import { connectServer, fetchRaw, startGateway, type Gateway } from './helpers';

const ALICE = 'alice-token-0123456789-abcdefghijklmnop';
const BOB = 'bob-token-0123456789-abcdefghijklmnopqr';
const MALLORY = 'mallory-token-0123456789-abcdefghijklm';
const HOSTILE = '<img src=x onerror="document.title=\'pwned\'"><script>document.title="pwned"</script>';
const BROWSER_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

assert.ok(redisServerAvailable(), 'redis-server is not installed (apt-get install redis-server)');

describe('team gateway: the approvals page', () => {
  const tmp = tempDir();
  const records = [join(tmp.dir, 'notes-0.jsonl'), join(tmp.dir, 'notes-1.jsonl')];
  let redis: RedisHarness;
  let browser: Browser;
  const gateways: Gateway[] = [];
  const clients: Client[] = [];

  const pendingAs = async (gateway: Gateway, token: string) => {
    const answer = await fetchRaw(`${gateway.url}/approvals/api/pending`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(answer.status, 200, answer.body);
    return JSON.parse(answer.body) as { pending: { id: string; tool: string; caller: { name: string }; arguments: { path?: string } }[] };
  };

  before(async () => {
    redis = await RedisHarness.start();
    const tokens = join(tmp.dir, 'tokens.yaml');
    writeFileSync(
      tokens,
      yaml(
        'tokens:',
        `  - { sha256: ${tokenHash(ALICE)}, name: alice, groups: [dev] }`,
        `  - { sha256: ${tokenHash(BOB)}, name: bob, groups: [leads] }`,
        `  - { sha256: ${tokenHash(MALLORY)}, name: mallory, groups: [dev] }`,
      ),
    );
    for (const [i, record] of records.entries()) {
      const policy = writePolicy(
        tmp.dir,
        yaml('version: 1', 'approvers: [group:leads]', 'servers:', '  notes:', '    launch:', '      command: node', `      args: [${JSON.stringify(RECORDING)}]`, `      env: { RECORD_FILE: ${JSON.stringify(record)} }`, '    tools:', '      write_note: { action: ask }'),
        `policy-${i}.yaml`,
      );
      gateways.push(await startGateway(['--policy', policy, '--listen', '127.0.0.1:0', '--tokens', tokens, '--redis', redis.url, '--redis-timeout', '2', '--approval-timeout', '60', '--audit', join(tmp.dir, `audit-${i}.jsonl`)]));
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

  it('serves the page without a token but nothing of its data; the page cannot be framed and allows no inline script', async () => {
    const page = await fetchRaw(`${gateways[0].url}/approvals`);
    assert.equal(page.status, 200);
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(page.headers['x-frame-options'], 'DENY');
    assert.doesNotMatch(page.body, /<script(?![^>]*\ssrc=)[^>]*>|\son[a-z]+=/i, 'no inline script or handler');
    assert.equal((await fetchRaw(`${gateways[0].url}/approvals/api/pending`)).status, 401);
    const answer = await fetchRaw(`${gateways[0].url}/approvals/api/answer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":"x","approved":true}' });
    assert.equal(answer.status, 401);
    const foreign = await fetchRaw(`${gateways[0].url}/approvals/api/pending`, { headers: { authorization: `Bearer ${BOB}`, origin: 'http://evil.example' } });
    assert.equal(foreign.status, 403);
    assert.equal((await fetchRaw(`${gateways[0].url}/approvals`, { headers: { origin: 'http://evil.example' } })).status, 403);
  });

  it('a call asked on one instance is approved on the other instance’s page in Chromium, shown as text, and proceeds', async () => {
    const alice = await connectServer(gateways[0], 'notes', ALICE);
    clients.push(alice);
    const call = alice.callTool({ name: 'write_note', arguments: { path: 'notes/today.md', text: HOSTILE } }, undefined, { timeout: 90_000 });

    const page = await browser.newPage();
    try {
      await page.goto(`${gateways[1].url}/approvals`);
      await page.fill('#token', BOB);
      await page.click('#login button[type=submit]');
      const item = page.locator('li.call').first();
      await item.waitFor({ timeout: 30_000 });
      const text = await item.innerText();
      assert.match(text, /notes \/ write_note/);
      assert.match(text, /Asked by\s+alice/);
      assert.match(text, /Time left\s+\d+ s/);
      assert.match(text, /notes\/today\.md/);
      assert.ok(text.includes('<img src=x onerror=') && text.includes('<script>document.title='), 'the agent’s argument is shown as the text it is');
      assert.equal(await page.locator('li.call img, li.call script').count(), 0, 'nothing the agent wrote became markup');
      assert.notEqual(await page.title(), 'pwned');
      assert.match(await page.locator('#who').innerText(), /Signed in as bob/);
      assert.deepEqual(recordedCalls(records[0]), [], 'the call waits: nothing reached the server yet');

      await item.locator('button.approve').click();
      const result = await call;
      assert.match(textOf(result), /wrote \d+ characters to notes\/today\.md/);
      assert.deepEqual(recordedCalls(records[0]), ['write_note']);
      const line = auditLines(join(tmp.dir, 'audit-0.jsonl')).find((l) => l.tool === 'write_note');
      assert.equal(line?.decision, 'allow');
      assert.equal(line?.reason, 'approved by bob on the approvals page', 'the audit line names who approved');
      await page.locator('li.call').first().waitFor({ state: 'detached', timeout: 10_000 });
    } finally {
      await page.close();
    }
  });

  it('a non-approver sees nothing to answer and cannot answer; an approver’s Deny refuses the call and nothing is forwarded', async () => {
    const alice = await connectServer(gateways[1], 'notes', ALICE);
    clients.push(alice);
    const call = alice.callTool({ name: 'write_note', arguments: { path: 'x', text: 'y' } }, undefined, { timeout: 90_000 });
    let id = '';
    const until = Date.now() + 20_000;
    while (!id && Date.now() < until) {
      id = (await pendingAs(gateways[0], BOB)).pending.find((p) => p.caller.name === 'alice' && p.arguments.path === 'x')?.id ?? '';
      if (!id) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(id, 'the call is listed to an approver on the other instance');
    assert.deepEqual((await pendingAs(gateways[0], MALLORY)).pending, [], 'not listed to a non-approver');
    for (const [who, token] of [['mallory', MALLORY], ['alice (the caller herself)', ALICE]]) {
      const refused = await fetchRaw(`${gateways[0].url}/approvals/api/answer`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ id, approved: true }) });
      assert.equal(refused.status, 403, who);
    }
    const formPost = await fetchRaw(`${gateways[0].url}/approvals/api/answer`, { method: 'POST', headers: { authorization: `Bearer ${BOB}`, 'content-type': 'application/x-www-form-urlencoded' }, body: `id=${id}&approved=true` });
    assert.equal(formPost.status, 415);
    const denied = await fetchRaw(`${gateways[0].url}/approvals/api/answer`, { method: 'POST', headers: { authorization: `Bearer ${BOB}`, 'content-type': 'application/json' }, body: JSON.stringify({ id, approved: false }) });
    assert.equal(denied.status, 200, denied.body);
    const again = await fetchRaw(`${gateways[0].url}/approvals/api/answer`, { method: 'POST', headers: { authorization: `Bearer ${BOB}`, 'content-type': 'application/json' }, body: JSON.stringify({ id, approved: true }) });
    assert.equal(again.status, 409, 'the first answer wins');
    const result = await call;
    assert.match(textOf(result), /denied by bob on the approvals page/);
    assert.deepEqual(recordedCalls(records[1]), [], 'the denied call never reached the server');
  });
});
