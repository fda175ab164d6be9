import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RE2JS } from 're2js';
import { linearRegExp, patternProblem } from '../../src/policy/linear-regex';
import { toRe2 } from '../../src/policy/re2-pattern';
import { seededRandom } from '../seeded-random';

/** What RE2 answers for `pattern` on `input`, through the translation. */
function re2Test(pattern: string, input: string): boolean {
  const translated = toRe2(pattern);
  assert.ok(translated.ok, `${pattern}: ${translated.ok ? '' : translated.problem}`);
  return RE2JS.compile(translated.source).test(input);
}

test('constructs RE2 cannot run in linear time are refused by name', () => {
  const refused: [string, RegExp][] = [
    ['(a)\\1', /backreference \(\\1\)/],
    ['(?<x>a)\\k<x>', /backreference \(\\k<x>\)/],
    ['a(?=b)', /lookahead \(\?=…\)/],
    ['a(?!b)', /negative lookahead \(\?!…\)/],
    ['(?<=a)b', /lookbehind \(\?<=…\)/],
    ['(?<!a)b', /negative lookbehind \(\?<!…\)/],
  ];
  for (const [pattern, message] of refused) {
    const translated = toRe2(pattern);
    assert.equal(translated.ok, false, pattern);
    assert.match(translated.ok ? '' : translated.problem, message, pattern);
    assert.match(patternProblem(pattern) ?? '', /which linear-time matching \(RE2\) does not support/, pattern);
  }
  // Inside a class the same characters are literals, and a backreference-looking escape is refused only where it is one.
  assert.deepEqual(toRe2('[(?=]'), { ok: true, source: '[(?=]' });
  assert.equal(re2Test('[(?=]+', '(?='), true);
});

test('what is not JSON Schema syntax, or what RE2 lacks, is said plainly', () => {
  assert.match(patternProblem('([') ?? '', /^is not a valid regular expression \(/);
  assert.match(patternProblem('\\q') ?? '', /^is not a valid regular expression/); // an identity escape `u` refuses
  assert.match(patternProblem('a{1001}') ?? '', /repeat count above 1000/);
  assert.match(patternProblem('\\p{Letter}') ?? '', /Unicode property RE2 does not know/);
  assert.equal(patternProblem('\\p{Script=Greek}+'), undefined);
  assert.equal(patternProblem('^(\\w+\\s?)*$'), undefined);
  assert.throws(() => linearRegExp('(a)\\1', 'u'), /pattern "\(a\)\\\\1" uses a backreference/);
});

test('the escapes and classes whose meaning differs between the engines match as in JavaScript', () => {
  const cases: [string, string, boolean][] = [
    ['^a.b$', 'a\rb', false], // `.` excludes every line terminator, not only \n
    ['^a.b$', 'a\u2028b', false],
    ['^a.b$', 'a\u00e9b', true],
    ['^a.b$', 'a\u{1F600}b', true], // one code point under `u`
    ['^\\s$', '\u00a0', true], // \s is Unicode white space
    ['^\\s$', '\u000b', true],
    ['^\\s$', '\ufeff', true],
    ['^\\S$', '\u3000', false],
    ['^[\\s]$', '\u2029', true],
    ['^[^\\S]$', '\u2003', true],
    ['^[^\\S]$', 'x', false],
    ['^[\\b]$', '\b', true], // a backspace inside a class
    ['\\bword\\b', 'a word.', true],
    ['^[]$', '', false],
    ['^[^]$', '\n', true],
    ['^[[]$', '[', true],
    ['^[a-z]+$', 'abc', true],
    ['^\\u{1F600}$', '\u{1F600}', true],
    ['^\\uD83D\\uDE00$', '\u{1F600}', true],
    ['^\\x41\\u0042\\cJ\\0$', 'AB\n\u0000', true],
    ['^(?<year>[0-9]{4})-\\d\\d$', '2024-05', true],
    ['^\\p{Script=Greek}+$', 'αβγ', true],
    ['^\\p{Lu}', 'Éa', true],
    ['^a$', 'a\n', false], // `$` is the end of the input, never before a final newline
    ['', 'anything', true],
    ['^F-[0-9]+$', 'F-12', true],
  ];
  for (const [pattern, input, expected] of cases) {
    assert.equal(new RegExp(pattern, 'u').test(input), expected, `JavaScript: ${pattern} on ${JSON.stringify(input)}`);
    assert.equal(re2Test(pattern, input), expected, `RE2: ${pattern} on ${JSON.stringify(input)}`);
  }
});

test('property: over generated patterns and inputs, RE2 through the translation answers as JavaScript does', () => {
  const random = seededRandom(1207);
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]!;
  const atoms = ['a', 'b', '1', ' ', '.', '\\s', '\\S', '\\d', '\\D', '\\w', '\\W', '[ab]', '[^a\\s]', '[\\S1]', '[a-c\\d]', '\\n', '\\r', '\\u2028', '\\x20', '\\.', '[^]', 'é'];
  const piece = (depth: number): string => {
    let text = depth > 0 && random() < 0.25 ? `(${alternation(depth - 1)})` : pick(atoms);
    if (random() < 0.35) text += pick(['*', '+', '?', '{1,2}', '*?', '{2}']);
    return text;
  };
  const sequence = (depth: number) => Array.from({ length: 1 + Math.floor(random() * 3) }, () => piece(depth)).join('');
  const alternation = (depth: number) => (random() < 0.25 ? `${sequence(depth)}|${sequence(depth)}` : sequence(depth));
  const alphabet = ['a', 'b', '1', ' ', '\n', '\r', '\t', '\u000b', '\u00a0', '\u2028', '\u2029', '\ufeff', '\u3000', '.', '_', 'é', '\u{1F600}'];
  let compared = 0;
  for (let k = 0; k < 400; k++) {
    const pattern = `${random() < 0.5 ? '^' : ''}${alternation(2)}${random() < 0.5 ? '$' : ''}`;
    const native = new RegExp(pattern, 'u');
    for (let j = 0; j < 15; j++) {
      const input = Array.from({ length: Math.floor(random() * 6) }, () => pick(alphabet)).join('');
      assert.equal(re2Test(pattern, input), native.test(input), `${pattern} on ${JSON.stringify(input)}`);
      compared++;
    }
  }
  assert.equal(compared, 6000);
});

test('the engine ajv is given: a RegExp-like whose identity is its pattern, with the code that would load it', () => {
  const regex = linearRegExp('^a+$', 'u');
  assert.equal(regex.test('aaa'), true);
  assert.equal(regex.test('aab'), false);
  assert.equal(String(regex), '/^a+$/u'); // ajv keeps one compiled pattern per toString()
  assert.notEqual(String(linearRegExp('^b+$', 'u')), String(regex));
  assert.equal(typeof linearRegExp.code, 'string');
});

test('catastrophic patterns run in linear time on long adversarial inputs', () => {
  const cases: [string, string][] = [
    ['^(\\w+\\s?)*$', 'a'.repeat(27) + '!'],
    ['(a+)+$', 'a'.repeat(100_000) + '!'],
    ['(a|aa)+$', 'a'.repeat(100_000) + '!'],
    ['^(([a-z])+.)+[A-Z]([a-z])+$', 'a'.repeat(100_000) + '!'],
    ['^(\\w+\\s?)*$', 'ab '.repeat(100_000) + '!'],
  ];
  for (const [pattern, input] of cases) {
    const regex = linearRegExp(pattern, 'u');
    const start = performance.now();
    const matched = regex.test(input);
    const ms = performance.now() - start;
    assert.equal(matched, false, pattern);
    assert.ok(ms < 250, `${pattern} on ${input.length} characters took ${ms.toFixed(1)} ms`);
  }
});
