import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineCounter, parseDocument } from 'yaml';
import { parsePolicy } from '../../src/policy/parse';
import { MENU_WHEN } from '../../src/workbench/context-value';
import { protectedServers } from '../../src/workbench/launch-entry';
import { buildTreeModel, type ServerRuntime, type TreeSource } from '../../src/workbench/tree-model';

const POLICY = `version: 1
servers:
  scanner:
    launch: { command: node, args: [scanner.js] }
  other:
    launch: { command: node, args: [other.js] }
`;

function source(extra: Partial<TreeSource>, runtime: Record<string, ServerRuntime> = {}): TreeSource {
  const counter = new LineCounter();
  const parsed = parsePolicy(POLICY, '/ws/.vscode/mcp-policy.yaml');
  return {
    servers: [],
    protectedServers: protectedServers(parseDocument(POLICY, { lineCounter: counter }), counter),
    listed: () => undefined,
    policy: { state: 'valid', policy: parsed.policy! },
    runtime: (server) => runtime[server],
    now: 0,
    ...extra,
  };
}

const matches = (when: string, value: string) => new RegExp(when.match(/=~ \/(.*)\/$/)![1]).test(value);

test('a protected server whose launch is not approved is shown held, with the reason and the Approve Launch action', () => {
  const model = buildTreeModel(source({ held: (server) => (server === 'scanner' ? 'launch not approved' : undefined) }));
  const scanner = model.servers.find((row) => row.name === 'scanner')!;
  assert.equal(scanner.state, 'held');
  assert.equal(scanner.held, 'launch not approved');
  assert.equal(scanner.contextValue, 'server:protected:held:stdio');
  assert.match(scanner.description, /^stdio · protected · launch not approved · /);
  assert.match(scanner.tooltip, /State: held — not started: launch not approved/);
  assert.ok(matches(MENU_WHEN.approveLaunch, scanner.contextValue));
  assert.ok(matches(MENU_WHEN.unprotectServer, scanner.contextValue), 'Unprotect stays offered');
  const other = model.servers.find((row) => row.name === 'other')!;
  assert.equal(other.state, 'stopped');
  assert.equal(other.held, undefined);
  assert.ok(!matches(MENU_WHEN.approveLaunch, other.contextValue));
  assert.deepEqual(model.notices, []);
});

test('a server that runs is shown running even if its entry is held now (it was approved when it started)', () => {
  const model = buildTreeModel(source({ held: () => 'launch not approved' }, { scanner: { state: 'running' } }));
  assert.equal(model.servers.find((row) => row.name === 'scanner')!.state, 'running');
});

test('an untrusted workspace says so at the top of the tree and on each protected server', () => {
  const model = buildTreeModel(source({ trusted: false, held: () => 'workspace not trusted' }));
  assert.equal(model.notices.length, 1);
  assert.match(model.notices[0].message, /not trusted: protected servers are not offered/);
  assert.deepEqual(model.servers.map((row) => [row.name, row.state, row.held]), [['other', 'held', 'workspace not trusted'], ['scanner', 'held', 'workspace not trusted']]);
  assert.deepEqual(buildTreeModel(source({ trusted: true })).notices, []);
});
