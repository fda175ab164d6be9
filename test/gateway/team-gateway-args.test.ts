// The team gateway's options as the command line reads them: identities and Redis, and the combinations
// that are refused before anything starts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseGatewayArgs } from '../../src/cli/gateway';

const BASE = ['--policy', 'p.yaml', '--listen', '127.0.0.1:0'];

describe('gateway options for a team', () => {
  it('reads --tokens, OIDC (a JWKS file or URL) and --redis with its timeout', () => {
    const file = parseGatewayArgs([...BASE, '--tokens', 't.yaml', '--oidc-issuer', 'https://id.example', '--oidc-audience', 'warden', '--jwks', 'keys.json', '--oidc-groups-claim', 'realm_access.roles', '--redis', 'redis://127.0.0.1:6379', '--redis-timeout', '0.5']);
    assert.deepEqual(file.identities, { tokensFile: 't.yaml', oidc: { issuer: 'https://id.example', audience: 'warden', jwksFile: 'keys.json', groupsClaim: 'realm_access.roles' } });
    assert.equal(file.redisUrl, 'redis://127.0.0.1:6379');
    assert.equal(file.redisTimeoutMs, 500);
    const url = parseGatewayArgs([...BASE, '--oidc-issuer', 'https://id.example', '--oidc-audience', 'warden', '--jwks', 'https://id.example/certs']);
    assert.deepEqual(url.identities?.oidc?.jwksUrl, 'https://id.example/certs');
  });

  it('reads --public-host names and refuses a URL or a name with a port', () => {
    assert.deepEqual(parseGatewayArgs([...BASE, '--public-host', 'warden.example.com', '--public-host', 'Warden.Example.Org'.toLowerCase()]).publicHosts, ['warden.example.com', 'warden.example.org']);
    assert.throws(() => parseGatewayArgs([...BASE, '--public-host', 'https://warden.example.com']), /--public-host takes a host name/);
    assert.throws(() => parseGatewayArgs([...BASE, '--public-host', 'warden.example.com:443']), /--public-host takes a host name/);
  });

  it('without identity options there are none (the one listener token stays)', () => {
    assert.equal(parseGatewayArgs(BASE).identities, undefined);
  });

  it('refuses a partial OIDC, --token-file beside identities, a bad Redis URL and --redis-timeout alone', () => {
    assert.throws(() => parseGatewayArgs([...BASE, '--oidc-issuer', 'https://id.example', '--jwks', 'k.json']), /both --oidc-issuer and --oidc-audience/);
    assert.throws(() => parseGatewayArgs([...BASE, '--oidc-issuer', 'https://id.example', '--oidc-audience', 'w']), /--jwks FILE or --jwks URL/);
    assert.throws(() => parseGatewayArgs([...BASE, '--tokens', 't.yaml', '--token-file', 'f']), /--token-file is the one token/);
    assert.throws(() => parseGatewayArgs([...BASE, '--redis', 'http://127.0.0.1:6379']), /redis:\/\/ or rediss:\/\//);
    assert.throws(() => parseGatewayArgs([...BASE, '--redis-timeout', '1']), /applies to --redis only/);
  });

  it('a listener that is not loopback needs no --token-file with identities (each caller has their own)', () => {
    assert.throws(() => parseGatewayArgs(['--policy', 'p.yaml', '--listen', '0.0.0.0:8930']), /needs --token-file/);
    assert.equal(parseGatewayArgs(['--policy', 'p.yaml', '--listen', '0.0.0.0:8930', '--tokens', 't.yaml']).listen.host, '0.0.0.0');
  });
});
