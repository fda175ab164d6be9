import assert from 'node:assert/strict';
import { test } from 'node:test';
import { globMatcher } from '../../src/policy/glob';
import { sharedName } from '../../src/policy/glob-witness';
import { seededRandom } from '../seeded-random';

test('the shortest name two globs share', () => {
  assert.equal(sharedName('read_*', '*_file'), 'read_file');
  assert.equal(sharedName('a*', '*b'), 'ab');
  assert.equal(sharedName('*', '*'), '');
  assert.equal(sharedName('a?c', '?b?'), 'abc');
  assert.equal(sharedName('x**y', '*'), 'xy');
});

test('globs that share no name', () => {
  assert.equal(sharedName('a*', 'b*'), undefined);
  assert.equal(sharedName('??', '???*'), undefined);
  assert.equal(sharedName('*a', '*b'), undefined);
});

test('a pair too long to walk is given up, not walked for long', () => {
  const started = Date.now();
  assert.equal(sharedName(`${'a*'.repeat(2000)}`, `${'*b'.repeat(2000)}`), undefined);
  assert.ok(Date.now() - started < 1000);
});

test('over generated globs: a name found is matched by both, and none is found only when no short name matches both', () => {
  const random = seededRandom(11);
  const pick = (chars: string, length: number) => Array.from({ length }, () => chars[Math.floor(random() * chars.length)]).join('');
  // Every name of up to 5 letters over the globs' letters and one they do not write.
  let shortNames: string[] = [''];
  for (let length = 1, last = ['']; length <= 5; length++) {
    last = last.flatMap((name) => ['a', 'b', '\u0001'].map((ch) => name + ch));
    shortNames = shortNames.concat(last);
  }
  for (let round = 0; round < 400; round++) {
    const a = pick('ab*?', 1 + Math.floor(random() * 4));
    const b = pick('ab*?', 1 + Math.floor(random() * 4));
    const shared = sharedName(a, b);
    const [ma, mb] = [globMatcher(a), globMatcher(b)];
    if (shared !== undefined) {
      assert.ok(ma.test(shared) && mb.test(shared), `${a} ${b} -> ${JSON.stringify(shared)}`);
    } else {
      assert.ok(!shortNames.some((name) => ma.test(name) && mb.test(name)), `${a} ${b}: none found, but one exists`);
    }
  }
});
