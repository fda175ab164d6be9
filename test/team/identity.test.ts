// Who is calling: tokens from a tokens file (kept as hashes) and OIDC JWTs verified against an issuer's
// keys. Keys are made in the test; the JWKS URL is served by a real HTTP server on loopback. Every way a
// token can be wrong is refused with a 401 and a WWW-Authenticate header, and no refusal repeats the token.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { JWK, JWTPayload } from 'jose' with { 'resolution-mode': 'import' };
import { Identities, type IdentityResult } from '../../src/team/identity';
import { loadIdentities } from '../../src/team/identity-config';
import { OidcIdentities } from '../../src/team/identity-oidc';
import { newToken, parseTokensFile, tokenHash, TokenIdentities } from '../../src/team/identity-tokens';

const ISSUER = 'https://id.example.test/realms/team';
const AUDIENCE = 'mcp-warden-gateway';

type Jose = typeof import('jose', { with: { 'resolution-mode': 'import' } });
type Keys = Awaited<ReturnType<Jose['generateKeyPair']>>;
let jose: Jose;
let issuerKeys: Keys;
let strangerKeys: Keys;
let publicJwk: JWK;
const dir = mkdtempSync(join(tmpdir(), 'warden-identity-'));
after(() => rmSync(dir, { recursive: true, force: true }));

before(async () => {
  jose = await import('jose');
  issuerKeys = await jose.generateKeyPair('ES256', { extractable: true });
  strangerKeys = await jose.generateKeyPair('ES256');
  publicJwk = { ...(await jose.exportJWK(issuerKeys.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
});

const now = () => Math.floor(Date.now() / 1000);

async function jwt(claims: JWTPayload, options: { key?: Keys; kid?: string; noExp?: boolean } = {}): Promise<string> {
  const token = new jose.SignJWT({ sub: 'alice', groups: ['security'], ...claims })
    .setProtectedHeader({ alg: 'ES256', kid: options.kid ?? 'k1' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt();
  if (!options.noExp) token.setExpirationTime(now() + 600);
  if (claims.iss !== undefined) token.setIssuer(claims.iss);
  if (claims.aud !== undefined) token.setAudience(claims.aud as string);
  if (claims.exp !== undefined) token.setExpirationTime(claims.exp);
  return token.sign((options.key ?? issuerKeys).privateKey);
}

function oidc(extra: Partial<ConstructorParameters<typeof OidcIdentities>[0]> = {}): Identities {
  return new Identities([new OidcIdentities({ issuer: ISSUER, audience: AUDIENCE, jwks: { keys: { keys: [publicJwk] } }, ...extra })]);
}

function assertRefused(result: IdentityResult, message: RegExp, token?: string, status = 401): void {
  assert.equal(result.ok, false, `expected a refusal, got ${JSON.stringify(result)}`);
  if (result.ok) return;
  assert.equal(result.refusal.status, status);
  assert.match(result.refusal.message, message);
  assert.match(result.refusal.wwwAuthenticate, /^Bearer realm="mcp-warden"/);
  assert.doesNotMatch(result.refusal.wwwAuthenticate, /[\r\n]/);
  if (token) {
    assert.ok(!result.refusal.message.includes(token) && !result.refusal.wwwAuthenticate.includes(token), 'the refusal repeats the token');
  }
}

describe('the Authorization header', () => {
  const identities = new Identities([new TokenIdentities(new Map())]);

  test('missing: 401 with a bare challenge (RFC 6750: no error code when no credentials were sent)', async () => {
    const result = await identities.identify(undefined);
    assertRefused(result, /send a token as "Authorization: Bearer TOKEN"/);
    assert.equal(!result.ok && result.refusal.wwwAuthenticate, 'Bearer realm="mcp-warden"');
  });

  test('another scheme, two tokens, or junk: invalid_request', async () => {
    for (const header of ['Basic YWxpY2U6cHc=', 'Bearer a b', 'Bearer', 'Bearer "x"', 'bearer\ttoken']) {
      const result = await identities.identify(header);
      assertRefused(result, /must be "Bearer TOKEN"/);
      assert.match(!result.ok ? result.refusal.wwwAuthenticate : '', /error="invalid_request"/, header);
    }
  });
});

describe('--tokens FILE', () => {
  const alice = newToken('alice', ['security', 'dev']);
  const bob = newToken('bob', []);
  const file = join(dir, 'tokens.yaml');
  writeFileSync(file, `tokens:\n  - sha256: ${alice.entry.sha256}\n    name: alice\n    groups: [security, dev]\n  - { sha256: ${bob.entry.sha256}, name: bob, comment: laptop }\n`);

  test('a known token gives its principal; the file holds only hashes', async () => {
    const identities = loadIdentities({ tokensFile: file });
    assert.deepEqual(await identities.identify(`Bearer ${alice.token}`), { ok: true, principal: { name: 'alice', groups: ['security', 'dev'] }, via: 'tokens file' });
    assert.deepEqual(await identities.identify(`bearer  ${bob.token}`), { ok: true, principal: { name: 'bob', groups: [] }, via: 'tokens file' });
    assert.equal(alice.entry.sha256, tokenHash(alice.token));
    assert.equal(alice.token.length, 43);
  });

  test('an unknown token, or the hash itself sent as the token, is refused', async () => {
    const identities = loadIdentities({ tokensFile: file });
    const wrong = newToken('x', []).token;
    assertRefused(await identities.identify(`Bearer ${wrong}`), /the token is not known/, wrong);
    assertRefused(await identities.identify(`Bearer ${alice.entry.sha256}`), /the token is not known/);
    assertRefused(await identities.identify(`Bearer ${alice.token}x`), /the token is not known/);
  });

  test('a file with any problem is refused whole, each problem named', () => {
    const h = 'a'.repeat(64);
    const bad: [string, RegExp][] = [
      ['tokens: {}', /expected a map with one key, "tokens"/],
      ['tokens: []\nextra: 1', /expected a map with one key/],
      [`tokens:\n  - { sha256: ${h.toUpperCase()}, name: a }`, /tokens\[0\]: "sha256" must be 64 lower-case hex digits/],
      [`tokens:\n  - { sha256: ${h}, name: "" }`, /tokens\[0\]: no user name/],
      [`tokens:\n  - { sha256: ${h}, name: a, groups: security }`, /tokens\[0\]: the groups are not a list of names/],
      [`tokens:\n  - { sha256: ${h}, name: a, token: hunter2 }`, /tokens\[0\]: unknown key "token" \(a token is never written here, only its sha256\)/],
      [`tokens:\n  - { sha256: ${h}, name: a }\n  - { sha256: ${h}, name: b }`, /tokens\[1\]: the same sha256 as an earlier entry/],
      ['tokens: [', /not valid YAML or JSON/],
    ];
    for (const [text, message] of bad) assert.throws(() => parseTokensFile(text, 't.yaml'), message, text);
    assert.throws(() => loadIdentities({ tokensFile: join(dir, 'nope.yaml') }), /--tokens: .*nope\.yaml: not found/);
  });
});

describe('OIDC', () => {
  test('a valid token gives the principal from sub and groups', async () => {
    assert.deepEqual(await oidc().identify(`Bearer ${await jwt({})}`), { ok: true, principal: { name: 'alice', groups: ['security'] }, via: 'OIDC issuer' });
  });

  test('configurable claims, nested ones by a dotted path', async () => {
    const token = await jwt({ preferred_username: 'alice.w', realm_access: { roles: ['security', 'ops'] } });
    const result = await oidc({ nameClaim: 'preferred_username', groupsClaim: 'realm_access.roles' }).identify(`Bearer ${token}`);
    assert.deepEqual(result.ok && result.principal, { name: 'alice.w', groups: ['security', 'ops'] });
    const urlClaim = await jwt({ 'https://example.test/groups': ['a'] });
    const byUrl = await oidc({ groupsClaim: 'https://example.test/groups' }).identify(`Bearer ${urlClaim}`);
    assert.deepEqual(byUrl.ok && byUrl.principal.groups, ['a']);
  });

  test('expired, not yet valid, foreign issuer, wrong audience, no expiry: refused, saying which', async () => {
    const cases: [string, RegExp][] = [
      [await jwt({ exp: now() - 60 }), /the token has expired/],
      [await jwt({ nbf: now() + 3600 }), /the token is not valid yet/],
      [await jwt({ iss: 'https://evil.example.test/' }), /issued by another issuer/],
      [await jwt({ aud: 'another-service' }), /for another audience/],
      [await jwt({}, { noExp: true }), /the token has no expiry/],
    ];
    for (const [token, message] of cases) assertRefused(await oidc().identify(`Bearer ${token}`), message, token);
  });

  test('a bad signature, an unknown key, alg none, and a shared-secret algorithm: refused', async () => {
    const forged = await jwt({}, { key: strangerKeys });
    assertRefused(await oidc().identify(`Bearer ${forged}`), /signature does not verify/, forged);
    const unknownKey = await jwt({}, { key: strangerKeys, kid: 'k2' });
    assertRefused(await oidc().identify(`Bearer ${unknownKey}`), /signed with a key the issuer does not list/);
    const [header, payload, signature] = (await jwt({ sub: 'alice' })).split('.');
    const tampered = [header, Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: 'mallory' })).toString('base64url'), signature].join('.');
    assertRefused(await oidc().identify(`Bearer ${tampered}`), /signature does not verify/);

    const unsecured = new jose.UnsecuredJWT({ sub: 'alice', groups: ['security'] }).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('5m').encode();
    assert.match(unsecured, /\.$/);
    assertRefused(await oidc().identify(`Bearer ${unsecured}`), /signing algorithm is not accepted/);

    // HS256 keyed with the issuer's public key (the classic confusion): refused before any key is tried.
    const secret = new TextEncoder().encode(JSON.stringify(publicJwk));
    const hs = await new jose.SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'HS256', kid: 'k1' }).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('5m').sign(secret);
    assertRefused(await oidc().identify(`Bearer ${hs}`), /signing algorithm is not accepted/);
  });

  test('claims that give no principal are refused', async () => {
    assertRefused(await oidc().identify(`Bearer ${await jwt({ sub: '' })}`), /no user name/);
    assertRefused(await oidc().identify(`Bearer ${await jwt({ groups: 'security' })}`), /the groups are not a list of names/);
    assertRefused(await oidc().identify(`Bearer ${await jwt({ groups: ['security', 7] })}`), /the groups are not a list of names/);
    assertRefused(await oidc().identify(`Bearer ${await jwt({ sub: 'alice\u0000user:bob' })}`), /a user name with control characters/);
    assertRefused(await oidc().identify(`Bearer ${await jwt({ groups: ['security\nadmin'] })}`), /the groups are not a list of names/);
  });

  test('tokens file and issuer together: each token goes to the source that knows it', async () => {
    const file = join(dir, 'both.yaml');
    const carol = newToken('carol', ['ops']);
    writeFileSync(file, JSON.stringify({ tokens: [carol.entry] }));
    const jwksFile = join(dir, 'jwks.json');
    writeFileSync(jwksFile, JSON.stringify({ keys: [publicJwk] }));
    const identities = loadIdentities({ tokensFile: file, oidc: { issuer: ISSUER, audience: AUDIENCE, jwksFile } });
    assert.deepEqual((await identities.identify(`Bearer ${carol.token}`)).ok && 'carol', 'carol');
    const fromIssuer = await identities.identify(`Bearer ${await jwt({})}`);
    assert.equal(fromIssuer.ok && fromIssuer.principal.name, 'alice');
    // A JWT the issuer refuses gets the issuer's reason, not "not known".
    assertRefused(await identities.identify(`Bearer ${await jwt({ exp: now() - 60 })}`), /expired/);
  });

  test('a JWKS file with a private key, or none, is refused at start', async () => {
    const priv = join(dir, 'private.json');
    writeFileSync(priv, JSON.stringify({ keys: [await jose.exportJWK(issuerKeys.privateKey)] }));
    assert.throws(() => loadIdentities({ oidc: { issuer: ISSUER, audience: AUDIENCE, jwksFile: priv } }), /holds a private key/);
    const empty = join(dir, 'empty.json');
    writeFileSync(empty, '{"keys": []}');
    assert.throws(() => loadIdentities({ oidc: { issuer: ISSUER, audience: AUDIENCE, jwksFile: empty } }), /at least one key/);
    assert.throws(() => loadIdentities({ oidc: { issuer: ISSUER, audience: AUDIENCE, jwksUrl: 'http://keys.example.test/jwks' } }), /must be https/);
  });

  describe('keys from a JWKS URL', () => {
    let server: Server;
    let url = '';
    let served = 0;
    before(async () => {
      server = createServer((_req, res) => {
        served++;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ keys: [publicJwk] }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as { port: number }).port}/jwks`;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    test('fetched once and used for every token', async () => {
      const identities = loadIdentities({ oidc: { issuer: ISSUER, audience: AUDIENCE, jwksUrl: url } });
      for (let i = 0; i < 3; i++) assert.equal((await identities.identify(`Bearer ${await jwt({})}`)).ok, true);
      assert.equal(served, 1);
      assertRefused(await identities.identify(`Bearer ${await jwt({}, { key: strangerKeys })}`), /signature does not verify/);
    });

    test('keys that cannot be fetched refuse the token with 503: never an identity', async () => {
      const closed = new Identities([new OidcIdentities({ issuer: ISSUER, audience: AUDIENCE, jwks: { url: 'http://127.0.0.1:1/jwks', timeoutMs: 500 } })]);
      assertRefused(await closed.identify(`Bearer ${await jwt({})}`), /the issuer's keys could not be read/, undefined, 503);
    });
  });
});
