import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boundedEditDistance, closestMatches, editDistance } from '../../src/policy/suggest';

/** The textbook table, for reference. */
function reference(a: string, b: string): number {
  const table = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) table[i]![j] = Math.min(table[i - 1]![j]! + 1, table[i]![j - 1]! + 1, table[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return table[a.length]![b.length]!;
}

test('edit distances: exact, and bounded ones exact up to the bound and above it beyond', () => {
  assert.equal(editDistance('stop_scan', 'stop_scans'), 1);
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('', 'abc'), 3);
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const word = () => Array.from({ length: Math.floor(next() * 12) }, () => 'abcde_'[Math.floor(next() * 6)]).join('');
  for (let k = 0; k < 3000; k++) {
    const a = word();
    const b = word();
    const exact = reference(a, b);
    assert.equal(editDistance(a, b), exact, `${a} ${b}`);
    const max = Math.floor(next() * 5);
    const bounded = boundedEditDistance(a, b, max);
    if (exact <= max) assert.equal(bounded, exact, `${a} ${b} within ${max}`);
    else assert.ok(bounded > max, `${a} ${b} beyond ${max}`);
  }
  assert.equal(editDistance('a'.repeat(100), 'b'.repeat(90)), 100, 'longer than the reused rows');
});

test('closest matches: within a third of the length, case ignored, closest first', () => {
  assert.deepEqual(closestMatches('stop_scna', ['start_scan', 'stop_scan', 'get_findings']), ['stop_scan']);
  assert.deepEqual(closestMatches('Delete_Finding', ['delete_finding', 'delete_findings', 'list']), ['delete_finding', 'delete_findings']);
  assert.deepEqual(closestMatches('xyz', ['stop_scan']), []);
  // The closest first, ties in the candidates' order, at most `limit`.
  assert.deepEqual(closestMatches('tool_12', ['tool_2', 'tool_1', 'tool_12x', 'tool_12', 'tool_3'], 3), ['tool_12', 'tool_2', 'tool_1']);
  assert.deepEqual(closestMatches('tool_12', ['tool_2', 'tool_1', 'tool_12x', 'tool_12', 'tool_3'], 10), ['tool_12', 'tool_2', 'tool_1', 'tool_12x', 'tool_3']);
});
