// The approved policies the editor hands its proxies: the welcome carries the text of the file the proxy
// named, `policy` messages every later one, and nothing else reaches a proxy of another file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ControlConnection } from '../../src/workbench/control-connection';
import { ControlCredentials } from '../../src/workbench/control-credentials';
import { ApprovedPolicies } from '../../src/workbench/control-policies';

const POLICY_FILE = '/ws/.vscode/mcp-policy.yaml';

function connection(policies: ApprovedPolicies, file = POLICY_FILE) {
  const credentials = new ControlCredentials();
  const sent: Record<string, unknown>[] = [];
  const control = new ControlConnection((presented) => credentials.admit(presented, 'c', () => false), { send: (line) => sent.push(JSON.parse(line)), end: () => undefined }, {}, (f) => policies.approved(f));
  const hello = { type: 'hello', protocol: 3, ticket: credentials.issue('scanner'), proxy: { pid: 7, server: 'scanner', policy: file, version: '1' } };
  return { control, sent, hello: () => control.receive(JSON.stringify(hello) + '\n') };
}

test('the welcome carries the approved text of the file the proxy named; none when there is none', () => {
  const policies = new ApprovedPolicies();
  const without = connection(policies);
  without.hello();
  assert.equal(without.sent[0].type, 'welcome');
  assert.equal('policy' in without.sent[0], false);

  policies.set(POLICY_FILE, 'version: 1\n');
  const withPolicy = connection(policies);
  withPolicy.hello();
  assert.deepEqual(withPolicy.sent[0].policy, { text: 'version: 1\n' });

  // The same file by another spelling of its absolute path.
  const other = connection(policies, '/ws/.vscode/../.vscode/mcp-policy.yaml');
  other.hello();
  assert.deepEqual(other.sent[0].policy, { text: 'version: 1\n' });

  const elsewhere = connection(policies, '/elsewhere/mcp-policy.yaml');
  elsewhere.hello();
  assert.equal('policy' in elsewhere.sent[0], false);
});

test('sendPolicy writes a policy message only once the proxy is welcomed', () => {
  const policies = new ApprovedPolicies();
  const { control, sent, hello } = connection(policies);
  control.sendPolicy('before');
  assert.deepEqual(sent, []);
  hello();
  control.sendPolicy('version: 1\ndefault: deny\n');
  assert.deepEqual(sent[1], { type: 'policy', text: 'version: 1\ndefault: deny\n' });
  control.closed();
  control.sendPolicy('after');
  assert.equal(sent.length, 2);
});

test('listeners hear of each new text once, keyed by the absolute path; the same text again is no change', () => {
  const policies = new ApprovedPolicies();
  const heard: string[] = [];
  const listening = policies.onDidChange((file, text) => heard.push(`${file}=${text}`));
  policies.set('/ws/a.yaml', 'one');
  policies.set('/ws/./a.yaml', 'one');
  policies.set('/ws/a.yaml', 'two');
  listening.dispose();
  policies.set('/ws/a.yaml', 'three');
  assert.deepEqual(heard, ['/ws/a.yaml=one', '/ws/a.yaml=two']);
  assert.equal(policies.get('/ws/a.yaml'), 'three');
  assert.equal(policies.get('/ws/b.yaml'), undefined);
});

test('the approved lockfile goes with the policy: in the welcome, and in a policy message when either changes', () => {
  const policies = new ApprovedPolicies({ awaitLocks: true });
  const heard: unknown[] = [];
  policies.onDidChange((file, text, lock) => heard.push([file, text, lock]));
  policies.set(POLICY_FILE, 'version: 1\n');
  // The lockfile not settled yet: a proxy welcomed now would enforce no pins, so it gets no policy at all.
  const early = connection(policies);
  early.hello();
  assert.equal('policy' in early.sent[0], false);
  assert.deepEqual(heard, []);

  policies.setLock(POLICY_FILE, '{"servers":{}}\n');
  assert.deepEqual(heard, [[POLICY_FILE, 'version: 1\n', '{"servers":{}}\n']]);
  const later = connection(policies);
  later.hello();
  assert.deepEqual(later.sent[0].policy, { text: 'version: 1\n', lock: '{"servers":{}}\n' });
  later.control.sendPolicy('version: 1\n', '{"servers":{"a":{}}}\n');
  assert.deepEqual(later.sent[1], { type: 'policy', text: 'version: 1\n', lock: '{"servers":{"a":{}}}\n' });

  // No lockfile approved (removed, and a person applied that): the policy goes without one.
  policies.setLock(POLICY_FILE, undefined);
  policies.setLock(POLICY_FILE, undefined);
  assert.deepEqual(heard.at(-1), [POLICY_FILE, 'version: 1\n', undefined]);
  assert.equal(heard.length, 2);
  const without = connection(policies);
  without.hello();
  assert.deepEqual(without.sent[0].policy, { text: 'version: 1\n' });
});
