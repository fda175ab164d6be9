import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Policy } from '../../src/policy/model';
import { parsePolicy } from '../../src/policy/parse';
import { unknownNameNotes, type KnownNames } from '../../src/policy/unknown-names';

const POLICY = parsePolicy(`version: 1
default: allow
servers:
  security-scanner:
    tools:
      stop_scan: { action: deny }
      delete_*: { action: deny }
  everything:
    default: ask
`).policy as Policy;

const KNOWN: KnownNames = {
  servers: ['security-scanner', 'everything', 'github'],
  tools: (server) => (server === 'security-scanner' ? ['stop_scan', 'start_security_scan', 'list_findings'] : undefined),
};

test('a mistyped server, unknown to the policy and to the editor, is named with the closest known one', () => {
  assert.deepEqual(unknownNameNotes(POLICY, { server: 'security-scaner', tool: 'stop_scan' }, KNOWN), [
    'Server "security-scaner" is neither in the policy nor among the servers VS Code knows: the top-level default decides (allow). Did you mean "security-scanner"?',
  ]);
  assert.deepEqual(unknownNameNotes(POLICY, { server: 'jira', tool: 'x' }, KNOWN), [
    'Server "jira" is neither in the policy nor among the servers VS Code knows: the top-level default decides (allow).',
  ]);
});

test('a known server without a policy entry is said to fall to the top-level default', () => {
  assert.deepEqual(unknownNameNotes(POLICY, { server: 'github', tool: 'get_issue' }, KNOWN), ['Server "github" has no entry in the policy: the top-level default decides (allow).']);
});

test('a mistyped tool: no rule matches and the server never listed it; the closest rule or listed tool is offered', () => {
  assert.deepEqual(unknownNameNotes(POLICY, { server: 'security-scanner', tool: 'stop_scna' }, KNOWN), [
    'Tool "stop_scna" matches no rule of "security-scanner" and is not among its 3 listed tools: the top-level default decides (allow). Did you mean "stop_scan"?',
  ]);
  assert.deepEqual(unknownNameNotes(POLICY, { server: 'everything', tool: 'ech' }, KNOWN), [], 'the tools of everything were never listed, and no rule is close');
});

test('names the policy decides, or the editor lists, get no note', () => {
  assert.deepEqual(unknownNameNotes(POLICY, { server: 'security-scanner', tool: 'stop_scan' }, KNOWN), []);
  assert.deepEqual(unknownNameNotes(POLICY, { server: 'security-scanner', tool: 'delete_finding' }, KNOWN), [], 'a glob rule decides it');
  assert.deepEqual(unknownNameNotes(POLICY, { server: 'security-scanner', tool: 'list_findings' }, KNOWN), []);
});

test('without what the editor knows (the command line), the policy alone names the mistakes', () => {
  assert.deepEqual(unknownNameNotes(POLICY, { server: 'security-scaner', tool: 'stop_scan' }), [
    'Server "security-scaner" is not in the policy: the top-level default decides (allow). Did you mean "security-scanner"?',
  ]);
  assert.deepEqual(unknownNameNotes(POLICY, { server: 'security-scanner', tool: 'stop_scna' }), [
    'Tool "stop_scna" matches no rule of "security-scanner": the top-level default decides (allow). Did you mean "stop_scan"?',
  ]);
  assert.deepEqual(unknownNameNotes(POLICY, { server: 'everything', tool: 'anything' }), [], 'no rule is close: the server default deciding is no mistake');
  assert.deepEqual(unknownNameNotes(POLICY, { server: 'everything', tool: 'stop_scan' }), [], "another server's rule is not a suggestion");
  assert.deepEqual(unknownNameNotes(undefined, { server: 'x', tool: 'y' }), [], 'a broken policy says so itself');
});
