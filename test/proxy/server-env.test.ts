// The server's variables carried to the proxy in one variable: applied to the server's environment only,
// null unsetting; a carrier that is not an object of strings and nulls is refused with the reason.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { carriedServerEnv, SERVER_ENV_VAR, takeServerEnvironment } from '../../src/proxy/server-env';

test('the carried variables apply to the server’s environment and leave the proxy’s without the carrier', () => {
  const own: NodeJS.ProcessEnv = { PATH: '/bin', DROP: 'x', ...carriedServerEnv({ NODE_OPTIONS: '--require evil.js', DROP: null }) };
  const server = takeServerEnvironment(own);
  assert.deepEqual(server, { PATH: '/bin', NODE_OPTIONS: '--require evil.js' });
  assert.deepEqual(own, { PATH: '/bin', DROP: 'x' }, 'the carrier is taken out; nothing it carries is set here');
  assert.equal(takeServerEnvironment({ PATH: '/bin' }), undefined);
  assert.deepEqual(carriedServerEnv({}), {});
});

test('a carrier that is not an object of strings and nulls is refused', () => {
  for (const [carried, why] of [['{', /not JSON/], ['[1]', /not a JSON object/], ['null', /not a JSON object/], ['{"A":1}', /value of A is not a string or null/]] as const) {
    assert.throws(() => takeServerEnvironment({ [SERVER_ENV_VAR]: carried }), why);
  }
});
