// `explain --as USER --groups A,B`: the decision a caller identified by a gateway would get, from the
// built bundle as users run it; without --as the call has no identity, as in a local proxy.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, describe, test } from 'node:test';
import { CLI, requireBundle, tempDir, writePolicy, yaml } from '../proxy/helpers';

requireBundle();
const { dir, cleanup } = tempDir();
after(cleanup);

const POLICY = writePolicy(
  dir,
  yaml(
    'version: 1',
    'servers:',
    '  sec:',
    '    tools:',
    '      stop_scan:',
    '        only: [group:security, alice]',
    '        reason: Only the security team may stop a scan.',
    '      start_scan:',
    '        rate_limit: { max: 3, window: 1m, scope: user }',
  ),
);

function explain(...extra: string[]) {
  const result = spawnSync(process.execPath, [CLI, 'explain', POLICY, '--server', 'sec', ...extra], { encoding: 'utf8' });
  return { code: result.status, json: result.status === 0 ? JSON.parse(result.stdout) : undefined, stderr: result.stderr };
}

describe('explain --as', () => {
  test('a member of a listed group is allowed, and the caller is echoed', () => {
    const { code, json } = explain('--tool', 'stop_scan', '--as', 'bob', '--groups', 'dev, security');
    assert.equal(code, 0);
    assert.equal(json.decision, 'allow');
    assert.deepEqual(json.caller, { name: 'bob', groups: ['dev', 'security'] });
  });

  test('anyone else, and a call with no identity, are denied with the rule\'s reason', () => {
    const other = explain('--tool', 'stop_scan', '--as', 'mallory', '--groups', 'dev');
    assert.equal(other.json.decision, 'deny');
    assert.match(other.json.reason, /^Only the security team may stop a scan\. .*caller "mallory" is not among them/);
    const anonymous = explain('--tool', 'stop_scan');
    assert.equal(anonymous.json.decision, 'deny');
    assert.match(anonymous.json.reason, /no caller identity/);
    assert.equal(anonymous.json.caller, undefined);
    assert.equal(explain('--tool', 'stop_scan', '--as', 'alice').json.decision, 'allow');
  });

  test('--groups without --as, and an empty --as, are usage errors', () => {
    const groups = explain('--tool', 'stop_scan', '--groups', 'security');
    assert.equal(groups.code, 2);
    assert.match(groups.stderr, /--groups needs --as USER/);
    assert.equal(explain('--tool', 'stop_scan', '--as', ' ').code, 2);
  });
});
