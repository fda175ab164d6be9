import assert from 'node:assert/strict';
import { test } from 'node:test';
import { globMatcher } from '../../src/policy/glob';
import { globRegions } from '../../src/policy/glob-regions';
import { seededRandom } from '../seeded-random';

/** For each name, the globs (by index) that match it, as a key. */
function matchedBy(globs: string[], name: string): string {
  return globs.map((glob, index) => (globMatcher(glob).test(name) ? index : -1)).filter((i) => i >= 0).join(',');
}

test('a name for each set of globs some name matches', () => {
  const globs = ['read_*', '*_file'];
  const regions = globRegions(globs, new Set())!;
  assert.deepEqual(new Set(regions.names.map((name) => matchedBy(globs, name))), new Set(['', '0', '1', '0,1']));
  assert.ok(regions.names.includes('read_file'));
  assert.ok(regions.names.includes(''));
});

test('no globs: one name, the empty one, for the tools the defaults decide', () => {
  assert.deepEqual(globRegions([], new Set())!.names, ['']);
});

test('names to avoid (exact rule keys) are passed over when another name matches the same globs', () => {
  const names = globRegions(['a?'], new Set(['', 'aa']))!.names;
  assert.ok(!names.includes('aa') && !names.includes(''), JSON.stringify(names));
  assert.deepEqual(new Set(names.map((name) => matchedBy(['a?'], name))), new Set(['', '0']));
});

test('too much to explore: undefined, quickly', () => {
  const globs = Array.from({ length: 400 }, (_, i) => `*${String.fromCharCode(0x4e00 + i)}*${i}*`);
  const started = Date.now();
  assert.equal(globRegions(globs, new Set(), 200_000), undefined);
  assert.ok(Date.now() - started < 2000, `${Date.now() - started} ms`);
});

test('over generated globs: every set of globs a short name matches has a name, and no name is needed twice', () => {
  const random = seededRandom(7);
  let shortNames = [''];
  for (let length = 1, last = ['']; length <= 6; length++) {
    last = last.flatMap((name) => ['a', 'b', '\u0002'].map((ch) => name + ch));
    shortNames = shortNames.concat(last);
  }
  for (let round = 0; round < 300; round++) {
    const globs = Array.from({ length: 1 + Math.floor(random() * 4) }, () =>
      Array.from({ length: 1 + Math.floor(random() * 3) }, () => 'ab*?'[Math.floor(random() * 4)]).join(''),
    );
    const regions = globRegions(globs, new Set())!;
    const covered = regions.names.map((name) => matchedBy(globs, name));
    assert.equal(new Set(covered).size, covered.length, `${globs}: two names for one set`);
    for (const name of shortNames) assert.ok(covered.includes(matchedBy(globs, name)), `${globs}: ${JSON.stringify(name)} matched by a set with no name`);
  }
});
