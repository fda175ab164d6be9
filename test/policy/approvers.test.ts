// Who may answer a call on a team's approvals page: `approvers` at the top level, replaced per server;
// nobody without a list; and widening the list is a loosening for the leash (narrowing is not).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { approversOf, mayApprove } from '../../src/policy/approvers';
import { parsePolicy } from '../../src/policy/parse';
import { comparePolicyTexts } from '../../src/policy/policy-compare';
import { policyOf, yaml } from './helpers';

const TEAM = yaml('version: 1', 'approvers: [group:leads, bob]', 'servers:', '  sec:', '    approvers: [carol]', '  docs: {}');

describe('approvers', () => {
  const policy = policyOf(TEAM);

  test('the server’s list replaces the top level’s; a caller in a listed group or named may answer; nobody without an identity', () => {
    assert.equal(mayApprove(policy, 'docs', { name: 'bob', groups: [] }), true);
    assert.equal(mayApprove(policy, 'docs', { name: 'dana', groups: ['leads'] }), true);
    assert.equal(mayApprove(policy, 'docs', { name: 'mallory', groups: ['dev'] }), false);
    assert.equal(mayApprove(policy, 'docs', undefined), false);
    assert.equal(mayApprove(policy, 'sec', { name: 'carol', groups: [] }), true);
    assert.equal(mayApprove(policy, 'sec', { name: 'bob', groups: ['leads'] }), false, 'the server’s own list replaces the top level’s');
  });

  test('no list anywhere: nobody may answer', () => {
    const none = policyOf(yaml('version: 1', 'servers:', '  docs: {}'));
    assert.equal(approversOf(none, 'docs'), undefined);
    assert.equal(mayApprove(none, 'docs', { name: 'bob', groups: ['leads'] }), false);
  });

  test('the schema refuses an empty list, a wildcard and a list of non-strings', () => {
    for (const bad of ['approvers: []', 'approvers: ["group:*"]', 'approvers: [1]', 'approvers: group:leads']) {
      const parsed = parsePolicy(yaml('version: 1', bad), '/p.yaml');
      assert.equal(parsed.policy, undefined, bad);
    }
  });

  test('widening who may approve is a loosening, at the top and per server; narrowing or respelling is not', () => {
    const loosened = (before: string, after: string) => {
      const result = comparePolicyTexts(before, after, '/p.yaml', new Map());
      assert.ok(result.ok);
      return result.loosened.filter((l) => l.what === 'approvers');
    };
    const base = yaml('version: 1', 'approvers: [group:leads]', 'servers:', '  sec: {}');
    assert.deepEqual(loosened(base, yaml('version: 1', 'approvers: [group:leads, mallory]', 'servers:', '  sec: {}')), [
      { server: '*', what: 'approvers', before: 'group:leads', after: 'group:leads, mallory' },
    ]);
    assert.deepEqual(loosened(yaml('version: 1', 'servers:', '  sec: {}'), base), [{ server: '*', what: 'approvers', before: 'nobody', after: 'group:leads' }]);
    assert.deepEqual(loosened(base, yaml('version: 1', 'approvers: [group:leads]', 'servers:', '  sec:', '    approvers: [group:dev]')), [
      { server: 'sec', what: 'approvers', before: 'group:leads', after: 'group:dev' },
    ]);
    assert.deepEqual(loosened(yaml('version: 1', 'approvers: [group:leads, bob]', 'servers:', '  sec: {}'), base), [], 'an entry removed');
    assert.deepEqual(loosened(yaml('version: 1', 'approvers: [bob]', 'servers:', '  sec: {}'), yaml('version: 1', 'approvers: [user:bob]', 'servers:', '  sec: {}')), [], 'respelled');
    assert.deepEqual(loosened(base, yaml('version: 1', 'servers:', '  sec: {}')), [], 'the list removed: nobody may answer');
  });
});
