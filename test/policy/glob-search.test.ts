import assert from 'node:assert/strict';
import { test } from 'node:test';
import { globMatcher } from '../../src/policy/glob';
import { findName } from '../../src/policy/glob-search';
import { seededRandom } from '../seeded-random';

const NONE = new Set<string>();

function nameOf(result: ReturnType<typeof findName>): string | undefined {
  return typeof result === 'object' ? result.name : undefined;
}

test('a name two globs share, that a third does not match', () => {
  assert.equal(nameOf(findName(['read_*', '*_file'], [], NONE, 10_000)), 'read_file');
  assert.equal(findName(['read_*', '*_file'], ['read_*'], NONE, 10_000), 'none');
  const other = nameOf(findName(['*a*'], ['a*', '*a'], NONE, 10_000))!;
  assert.ok(globMatcher('*a*').test(other) && !globMatcher('a*').test(other) && !globMatcher('*a').test(other), JSON.stringify(other));
});

test('no glob required: a name none of the excluded globs matches', () => {
  assert.equal(nameOf(findName([], ['?*'], NONE, 10_000)), '');
  assert.equal(findName([], ['*'], NONE, 10_000), 'none');
  const name = nameOf(findName([], ['', '?', 'a*'], NONE, 10_000))!;
  assert.ok(name.length >= 2 && !name.startsWith('a'), JSON.stringify(name));
});

test('exact rule keys are passed over', () => {
  // Every name of a? but the three keys: any other letter will do.
  const other = nameOf(findName(['a?'], [], new Set(['aa', 'ab', 'a\u0001']), 10_000))!;
  assert.ok(globMatcher('a?').test(other) && !['aa', 'ab', 'a\u0001'].includes(other), JSON.stringify(other));
  const name = nameOf(findName(['a?'], [], new Set(['a\u0001']), 10_000))!;
  assert.ok(globMatcher('a?').test(name) && name !== 'a\u0001', JSON.stringify(name));
  assert.equal(findName(['a?'], ['a*'], NONE, 10_000), 'none');
});

test('more than the budget: unknown, quickly', () => {
  const words = ['delete', 'admin', 'file', 'scan', 'user', 'drop', 'exec', 'write', 'read', 'list', 'get', 'set', 'remove', 'kill'];
  const started = Date.now();
  // Names matching every one of the words as a pair, and none of the words alone at the start: far too many states to walk.
  const result = findName(words.map((w, i) => `*${w}*${words[(i + 5) % words.length]}*`), words.map((w) => `${w}*`), NONE, 50_000);
  assert.equal(result, 'unknown');
  assert.ok(Date.now() - started < 2000);
});

test('over generated globs: a name found qualifies, and none is found only when no short name qualifies', () => {
  const random = seededRandom(5);
  let shortNames = [''];
  for (let length = 1, last = ['']; length <= 6; length++) {
    last = last.flatMap((name) => ['a', 'b', '\u0002'].map((ch) => name + ch));
    shortNames = shortNames.concat(last);
  }
  const glob = () => Array.from({ length: 1 + Math.floor(random() * 3) }, () => 'ab*?'[Math.floor(random() * 4)]).join('');
  for (let round = 0; round < 500; round++) {
    const must = Array.from({ length: Math.floor(random() * 3) }, glob);
    const mustNot = Array.from({ length: Math.floor(random() * 4) }, glob);
    const avoid = new Set(shortNames.filter(() => random() < 0.02));
    const ok = (name: string) => !avoid.has(name) && must.every((g) => globMatcher(g).test(name)) && !mustNot.some((g) => globMatcher(g).test(name));
    const result = findName(must, mustNot, avoid, 1_000_000);
    const label = `must ${must} mustNot ${mustNot}`;
    assert.notEqual(result, 'unknown', label);
    if (result === 'none') assert.ok(!shortNames.some(ok), `${label}: none found, but ${JSON.stringify(shortNames.find(ok))} qualifies`);
    else if (typeof result === 'object') assert.ok(ok(result.name), `${label}: ${JSON.stringify(result.name)} does not qualify`);
  }
});
