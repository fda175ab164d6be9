// `pin` and `poisoning` under the policy's leash: a step down (enforce -> warn/off, deny -> warn), at the
// top level or for a server, lets held-back tools through and waits for a person; a step up applies at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { comparePolicyTexts, type Loosening } from '../../src/policy/policy-compare';

const FILE = '/work/.vscode/mcp-policy.yaml';

function loosened(approved: string | undefined, proposed: string): Loosening[] {
  const result = comparePolicyTexts(approved, proposed, FILE, new Map([['sec', ['scan']]]));
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return result.loosened;
}

function policy(top: string[], server: string[] = []): string {
  return ['version: 1', 'default: allow', ...top, 'servers:', '  sec:', ...server.map((line) => `    ${line}`), '    tools:', '      scan: { action: allow }', ''].join('\n');
}

test('pin: enforce -> warn or off at the top level loosens; so does the default (absent) -> off', () => {
  assert.deepEqual(loosened(policy(['pin: enforce']), policy(['pin: warn'])), [{ server: '*', what: 'pin', before: 'enforce', after: 'warn' }]);
  assert.deepEqual(loosened(policy([]), policy(['pin: off'])), [{ server: '*', what: 'pin', before: 'enforce', after: 'off' }]);
  assert.deepEqual(loosened(policy(['pin: warn']), policy(['pin: off'])), [{ server: '*', what: 'pin', before: 'warn', after: 'off' }]);
});

test('poisoning: deny -> warn loosens, at the top level and for a server', () => {
  assert.deepEqual(loosened(policy(['poisoning: deny']), policy([])), [{ server: '*', what: 'poisoning', before: 'deny', after: 'warn' }]);
  assert.deepEqual(loosened(policy([], ['poisoning: deny']), policy([], ['poisoning: warn'])), [{ server: 'sec', what: 'poisoning', before: 'deny', after: 'warn' }]);
});

test("a server's own pin: a step down, or removing it under a weaker top level, loosens", () => {
  assert.deepEqual(loosened(policy([], ['pin: enforce']), policy([], ['pin: off'])), [{ server: 'sec', what: 'pin', before: 'enforce', after: 'off' }]);
  assert.deepEqual(loosened(policy(['pin: off'], ['pin: enforce']), policy(['pin: off'])), [{ server: 'sec', what: 'pin', before: 'enforce', after: 'off' }]);
});

test('steps up and unchanged settings apply at once', () => {
  assert.deepEqual(loosened(policy(['pin: off']), policy(['pin: enforce'])), []);
  assert.deepEqual(loosened(policy([]), policy(['poisoning: deny'], ['pin: enforce'])), []);
  assert.deepEqual(loosened(policy(['pin: warn'], ['poisoning: deny']), policy(['pin: warn'], ['poisoning: deny'])), []);
  // Read, not an unrecognised setting: a step up is not asked about.
  assert.deepEqual(loosened(policy(['pin: warn'], ['pin: warn']), policy(['pin: enforce'], ['pin: enforce'])), []);
});
