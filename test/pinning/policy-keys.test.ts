import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePolicy } from '../../src/policy/parse';

const yaml = (...lines: string[]) => lines.join('\n') + '\n';

test('pin and poisoning are read at the top level and per server', () => {
  const { policy, diagnostics } = parsePolicy(yaml('version: 1', 'pin: warn', 'poisoning: deny', 'servers:', '  a:', '    pin: off', '    poisoning: warn', '  b: {}'));
  assert.deepEqual(diagnostics, []);
  assert.equal(policy!.pin, 'warn');
  assert.equal(policy!.poisoning, 'deny');
  assert.equal(policy!.servers.get('a')!.pin, 'off');
  assert.equal(policy!.servers.get('a')!.poisoning, 'warn');
  assert.equal(policy!.servers.get('b')!.pin, undefined);
  // Absent: nothing written (the proxy resolves the defaults).
  const plain = parsePolicy(yaml('version: 1')).policy!;
  assert.equal(plain.pin, undefined);
  assert.equal(plain.poisoning, undefined);
});

test('a value that is not a mode is an error, and the policy is not enforced', () => {
  for (const text of [yaml('version: 1', 'pin: strict'), yaml('version: 1', 'poisoning: block'), yaml('version: 1', 'servers:', '  a:', '    pin: true')]) {
    const { policy, diagnostics } = parsePolicy(text);
    assert.equal(policy, undefined, text);
    assert.ok(diagnostics.some((d) => d.severity === 'error' && d.code === 'invalid-value'), JSON.stringify(diagnostics));
  }
});
