import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PolicyEngine } from '../../src/policy/engine';
import { globMatcher } from '../../src/policy/glob';
import { parsePolicy } from '../../src/policy/parse';
import { seededRandom } from '../seeded-random';

/** The glob as the anchored `u` regex it always meant: `*` any run, `?` one code point, the rest literal. */
function reference(pattern: string): RegExp {
  let source = '^';
  for (const ch of pattern) source += ch === '*' ? '[^]*' : ch === '?' ? '[^]' : ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return new RegExp(source + '$', 'u');
}

test('globs: * any run, ? one code point, everything else literal and whole', () => {
  const cases: [string, string, boolean][] = [
    ['debug_*', 'debug_dump', true],
    ['debug_*', 'debug_', true],
    ['debug_*', 'xdebug_dump', false],
    ['*_delete', 'files_delete', true],
    ['*_delete', 'files_delete_all', false],
    ['read_?', 'read_a', true],
    ['read_?', 'read_ab', false],
    ['read_?', 'read_\u{1F600}', true],
    ['a.b', 'axb', false],
    ['*', '', true],
    ['?', '', false],
    ['**a**', 'bab', true],
    ['mcp__*__*', 'mcp__fs__read', true],
  ];
  for (const [pattern, name, expected] of cases) assert.equal(globMatcher(pattern).test(name), expected, `${pattern} on ${name}`);
});

test('property: over generated globs and names, the matcher answers as the anchored regex', () => {
  const random = seededRandom(4242);
  const pick = (chars: string[]) => chars[Math.floor(random() * chars.length)]!;
  const word = (chars: string[], max: number) => Array.from({ length: Math.floor(random() * max) }, () => pick(chars)).join('');
  for (let k = 0; k < 3000; k++) {
    const pattern = word(['a', 'b', '_', '*', '?', '\u{1F600}'], 7);
    const name = word(['a', 'b', '_', '\u{1F600}'], 9);
    assert.equal(globMatcher(pattern).test(name), reference(pattern).test(name), `${JSON.stringify(pattern)} on ${JSON.stringify(name)}`);
  }
});

test('a long hostile tool name against globs with several * is decided at once', () => {
  const cases: [string, string][] = [
    ['a*a*a*a*a*a*b', 'a'.repeat(200)], // 88 s with the backtracking regex
    ['*_delete_*x', '_delete_'.repeat(32_000)], // 3 s
    ['*a*a*a*a*a*a*a*a*b', 'a'.repeat(100_000)],
  ];
  for (const [pattern, name] of cases) {
    const start = performance.now();
    assert.equal(globMatcher(pattern).test(name), false);
    const ms = performance.now() - start;
    assert.ok(ms < 250, `${pattern} on ${name.length} characters took ${ms.toFixed(0)} ms`);
  }
  const policy = parsePolicy(['version: 1', 'servers:', '  s:', '    tools:', '      "a*a*a*a*a*a*b": { action: allow }', '    default: deny', ''].join('\n')).policy!;
  const start = performance.now();
  assert.equal(new PolicyEngine(policy).decide({ server: 's', tool: 'a'.repeat(5000) }).decision, 'deny');
  assert.ok(performance.now() - start < 250);
});
