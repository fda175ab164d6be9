// The team's gateway from the command line: identities (a tokens file and OIDC JWTs) checked on every
// request before any session is looked up, each session bound to the caller that opened it, rules and
// rate limits decided with the caller's principal, and (with --redis) the counts shared by every instance
// through one real redis-server, refused with the reason while Redis is away. Real parts throughout:
// the bundled CLI, three gateway processes, the recording fixture servers, redis-server and the SDK's
// Streamable HTTP client.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Redis from 'ioredis';
import type { JWK, JWTPayload } from 'jose' with { 'resolution-mode': 'import' };
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { tokenHash } from '../../src/team/identity-tokens';
import { RECORDING, recordedCalls, tempDir, textOf, writePolicy, yaml } from '../proxy/helpers';
import { RedisHarness, redisServerAvailable } from '../team/redis-harness';
import { connectServer, fetchRaw, INITIALIZE, serverUrl, startGateway, type Gateway } from './helpers';

const ISSUER = 'https://id.example.test/realms/team';
const AUDIENCE = 'mcp-warden-gateway';
const ALICE = 'alice-token-0123456789-abcdefghijklmnop';
const BOB = 'bob-token-0123456789-abcdefghijklmnopqr';

type Jose = typeof import('jose', { with: { 'resolution-mode': 'import' } });
type Keys = Awaited<ReturnType<Jose['generateKeyPair']>>;

/** A tokens file for alice (group security) and bob (group dev). */
function writeTokens(dir: string): string {
  const file = join(dir, 'tokens.yaml');
  writeFileSync(
    file,
    yaml('tokens:', `  - { sha256: ${tokenHash(ALICE)}, name: alice, groups: [security] }`, `  - { sha256: ${tokenHash(BOB)}, name: bob, groups: [dev] }`),
  );
  return file;
}

/** A policy with one recording server ("scans") and the given tool rules. */
function policyFor(dir: string, record: string, rules: string[], name = 'policy.yaml'): string {
  return writePolicy(
    dir,
    yaml(
      'version: 1',
      'default: allow',
      'servers:',
      '  scans:',
      '    launch:',
      '      command: node',
      `      args: [${JSON.stringify(RECORDING)}]`,
      `      env: { RECORD_FILE: ${JSON.stringify(record)} }`,
      '    tools:',
      ...rules.map((r) => `      ${r}`),
    ),
    name,
  );
}

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const post = (token: string | undefined, session?: string) => ({
  ...(token ? auth(token) : {}),
  ...(session ? { 'mcp-session-id': session } : {}),
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
});
const callBody = (id: number, name: string) => JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: { message: 'hi' } } });

describe('team gateway: identities and sessions', () => {
  const tmp = tempDir();
  const record = join(tmp.dir, 'scans.jsonl');
  let gateway: Gateway;
  let jose: Jose;
  let issuer: Keys;
  let stranger: Keys;

  async function jwt(claims: JWTPayload, options: { key?: Keys; issuer?: string; expiresAt?: number } = {}): Promise<string> {
    return new jose.SignJWT({ sub: 'carol', groups: ['security'], ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(options.issuer ?? ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(options.expiresAt ?? Math.floor(Date.now() / 1000) + 600)
      .sign((options.key ?? issuer).privateKey);
  }

  before(async () => {
    jose = await import('jose');
    issuer = await jose.generateKeyPair('ES256', { extractable: true });
    stranger = await jose.generateKeyPair('ES256');
    const jwk: JWK = { ...(await jose.exportJWK(issuer.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    const jwks = join(tmp.dir, 'jwks.json');
    writeFileSync(jwks, JSON.stringify({ keys: [jwk] }));
    const policy = policyFor(tmp.dir, record, ['delete_everything: { only: [group:security], reason: Only the security team may delete. }']);
    gateway = await startGateway(['--policy', policy, '--listen', '127.0.0.1:0', '--tokens', writeTokens(tmp.dir), '--oidc-issuer', ISSUER, '--oidc-audience', AUDIENCE, '--jwks', jwks, '--public-host', 'warden.example.test']);
  });
  after(async () => {
    await gateway.close();
    tmp.cleanup();
  });

  it('accepts the --public-host name in Host and Origin (a TLS terminator in front), and still no other', async () => {
    const health = (headers: Record<string, string>) => fetchRaw(`${gateway.url}/healthz`, { headers: { ...auth(ALICE), ...headers } });
    assert.equal((await health({ host: 'warden.example.test', origin: 'https://warden.example.test' })).status, 200);
    assert.equal((await health({ host: 'evil.example' })).status, 403);
    assert.equal((await health({ origin: 'https://evil.example' })).status, 403);
  });

  it('prints no listener token: every caller has their own', () => {
    assert.equal(gateway.token, '');
    assert.doesNotMatch(gateway.stderr(), /bearer token for this gateway/);
  });

  it('refuses a missing, wrong, expired or foreign-issuer token with 401 and WWW-Authenticate, and forwards nothing', async () => {
    const past = Math.floor(Date.now() / 1000) - 3600;
    const tokens: [string, string | undefined][] = [
      ['missing', undefined],
      ['wrong', 'not-a-known-token-0123456789-abcdefghij'],
      ['expired', await jwt({}, { expiresAt: past })],
      ['foreign issuer', await jwt({}, { issuer: 'https://evil.example.test/' })],
      ['signed by another key', await jwt({}, { key: stranger })],
    ];
    for (const [what, token] of tokens) {
      for (const body of [INITIALIZE, callBody(2, 'echo')]) {
        const answer = await fetchRaw(serverUrl(gateway, 'scans').href, { method: 'POST', headers: post(token), body });
        assert.equal(answer.status, 401, what);
        assert.match(String(answer.headers['www-authenticate']), /^Bearer realm="mcp-warden"/, what);
        if (token) assert.ok(!answer.body.includes(token), `${what}: the refusal does not repeat the token`);
      }
      for (const path of ['/servers', '/healthz']) assert.equal((await fetchRaw(`${gateway.url}${path}`, { headers: token ? auth(token) : {} })).status, 401, `${what} ${path}`);
    }
    assert.deepEqual(recordedCalls(record), [], 'nothing reached the server');
  });

  it('decides with the caller: only the security group (a token or a JWT) may call a rule with only:', async () => {
    const carol = await jwt({});
    const dave = await jwt({ sub: 'dave', groups: ['dev'] });
    const results: Record<string, string> = {};
    for (const [who, token] of [['alice', ALICE], ['bob', BOB], ['carol', carol], ['dave', dave]]) {
      const client = await connectServer(gateway, 'scans', token);
      try {
        results[who] = textOf(await client.callTool({ name: 'delete_everything', arguments: {} }));
      } finally {
        await client.close();
      }
    }
    assert.equal(results.alice, 'deleted everything');
    assert.equal(results.carol, 'deleted everything');
    assert.match(results.bob, /Only the security team may delete/);
    assert.match(results.dave, /Only the security team may delete/);
    assert.deepEqual(recordedCalls(record).filter((n) => n === 'delete_everything').length, 2);
  });

  it('binds a session to its opener: another identity on its id is refused (POST, GET, DELETE) and nothing is forwarded', async () => {
    const opened = await fetchRaw(serverUrl(gateway, 'scans').href, { method: 'POST', headers: post(ALICE), body: INITIALIZE });
    assert.equal(opened.status, 200);
    const session = String(opened.headers['mcp-session-id']);
    const before = recordedCalls(record).length;
    const ridden = await fetchRaw(serverUrl(gateway, 'scans').href, { method: 'POST', headers: post(BOB, session), body: callBody(7, 'delete_everything') });
    assert.equal(ridden.status, 403);
    assert.match(ridden.body, /opened by another caller/);
    const stream = await fetchRaw(serverUrl(gateway, 'scans').href, { headers: { ...auth(BOB), 'mcp-session-id': session, accept: 'text/event-stream' } });
    assert.equal(stream.status, 403);
    const removed = await fetchRaw(serverUrl(gateway, 'scans').href, { method: 'DELETE', headers: { ...auth(BOB), 'mcp-session-id': session } });
    assert.equal(removed.status, 403);
    assert.equal(recordedCalls(record).length, before, 'the ridden call never reached the server');
    // The opener's own session still works.
    const own = await fetchRaw(serverUrl(gateway, 'scans').href, { method: 'POST', headers: post(ALICE, session), body: callBody(8, 'echo') });
    assert.equal(own.status, 200);
    assert.match(own.body, /Echo: hi/);
    assert.equal((await fetchRaw(serverUrl(gateway, 'scans').href, { method: 'DELETE', headers: { ...auth(ALICE), 'mcp-session-id': session } })).status, 200);
  });
});

// Not skipped without it: .ci/run installs Debian's redis-server, and a test that cannot run must say so.
assert.ok(redisServerAvailable(), 'redis-server is not installed (apt-get install redis-server)');

describe('team gateway: three instances sharing one Redis', () => {
  const tmp = tempDir();
  const records = [0, 1, 2].map((i) => join(tmp.dir, `scans-${i}.jsonl`));
  let redis: RedisHarness;
  const gateways: Gateway[] = [];
  const clients: Client[] = [];

  const reached = (): number => records.reduce((sum, file) => sum + recordedCalls(file).filter((n) => n === 'echo').length, 0);

  /** One client per gateway for `token`. */
  async function clientsFor(token: string): Promise<Client[]> {
    const made = await Promise.all(gateways.map((g) => connectServer(g, 'scans', token)));
    clients.push(...made);
    return made;
  }

  /** `count` calls of echo at once, spread across the clients; the texts of their answers. */
  async function spread(of: Client[], count: number): Promise<string[]> {
    return Promise.all(Array.from({ length: count }, (_, i) => of[i % of.length].callTool({ name: 'echo', arguments: { message: `call ${i}` } }).then(textOf)));
  }

  before(async () => {
    redis = await RedisHarness.start();
    const tokens = writeTokens(tmp.dir);
    for (const [i, record] of records.entries()) {
      const policy = policyFor(tmp.dir, record, ['echo: { rate_limit: { max: 10, window: 1h, scope: user } }'], `policy-${i}.yaml`);
      // A busy machine's timeout: slow is not down (the timeout itself is tested with the state).
      gateways.push(await startGateway(['--policy', policy, '--listen', '127.0.0.1:0', '--tokens', tokens, '--redis', redis.url, '--redis-timeout', '2', '--audit', join(tmp.dir, `audit-${i}.jsonl`)]));
    }
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await Promise.all(gateways.map((g) => g.close()));
    await redis?.stop();
    tmp.cleanup();
  });

  it('50 concurrent calls across three instances against 10 per user: exactly 10 reach the servers; another user gets their own 10', async () => {
    const alice = await clientsFor(ALICE);
    const answers = await spread(alice, 50);
    assert.equal(answers.filter((t) => t.startsWith('Echo:')).length, 10);
    assert.equal(answers.filter((t) => /Rate limit of 10 calls per 1h reached for this caller/.test(t)).length, 40, answers.find((t) => !t.startsWith('Echo:')));
    assert.equal(reached(), 10);

    const bob = await clientsFor(BOB);
    const bobs = await spread(bob, 30);
    assert.equal(bobs.filter((t) => t.startsWith('Echo:')).length, 10);
    assert.equal(reached(), 20);

    // Every instance's audit lines also went to the one Stream.
    const raw = new Redis(redis.url);
    try {
      const until = Date.now() + 5000;
      while ((await raw.xlen('mcp-warden:audit')) < 80 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
      const entries = await raw.xrange('mcp-warden:audit', '-', '+');
      assert.equal(entries.length, 80);
      const lines = entries.map(([, fields]) => JSON.parse(fields[fields.indexOf('line') + 1]) as { decision: string; tool: string });
      assert.equal(lines.filter((l) => l.decision === 'allow').length, 20);
    } finally {
      raw.disconnect();
    }
  });

  it('Redis killed mid-run: calls are refused with the reason and none is forwarded; Redis back: calls flow again', async () => {
    const [g0, g1, g2] = gateways;
    const alice = clients.slice(0, 3);
    await redis.kill();
    const before = reached();
    const refused = await spread(alice, 6);
    for (const text of refused) assert.match(text, /could not be counted: .*Redis.*the call is refused/, text);
    assert.equal(reached(), before, 'no call was forwarded undecided');

    await redis.restart();
    // Redis restarted without its data starts every window afresh: calls flow again by themselves.
    let flowed: string[] = [];
    const until = Date.now() + 20_000;
    while (Date.now() < until) {
      flowed = await spread(alice, 3);
      if (flowed.every((t) => t.startsWith('Echo:'))) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.ok(flowed.every((t) => t.startsWith('Echo:')), `calls flow again: ${flowed.join(' | ')}`);
    for (const g of [g0, g1, g2]) assert.match(g.stderr(), /redis/i);
  });
});
