// A YAML syntax error points at the token that is wrong, never at column 1 of a line or past the last line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePolicy } from '../../src/policy/parse';

/** The first syntax error as `line:column` (one-based) and the text it points at. */
function firstError(text: string): { at: string; token: string } {
  const error = parsePolicy(text).diagnostics.find((d) => d.code === 'yaml-syntax');
  assert.ok(error, 'a syntax error');
  const lines = text.split('\n');
  const { start, end } = error.range;
  assert.ok(start.line < lines.length && (start.line < lines.length - 1 || lines[start.line] !== ''), `points past the last line: ${JSON.stringify(error.range)}`);
  const token = start.line === end.line ? lines[start.line].slice(start.character, end.character) : lines[start.line].slice(start.character);
  return { at: `${start.line + 1}:${start.character + 1}`, token };
}

test('an unclosed quote points at the opening quote, not past the last line', () => {
  assert.deepEqual(firstError('version: 1\nservers:\n  s:\n    tools:\n      a:\n        reason: "unclosed\n'), { at: '6:17', token: '"unclosed' });
  assert.deepEqual(firstError("version: 1\nservers:\n  s:\n    tools:\n      a: { reason: 'it''s\n"), { at: '5:20', token: "'it''s" });
});

test('a key indented wrongly: the key, not column 1', () => {
  assert.deepEqual(firstError('version: 1\ndefault: allow\nservers:\n  s:\n    tools:\n      a:\n        action: deny\n       reason: bad indent\n'), { at: '8:8', token: 'reason' });
});

test('an unclosed flow collection: its opening bracket', () => {
  assert.deepEqual(firstError('version: 1\nservers: [a, b\n'), { at: '2:10', token: '[' });
  assert.deepEqual(firstError('version: 1\nservers:\n  s:\n    tools:\n      a: { action: deny\n      b: x\n'), { at: '5:10', token: '{' });
});

test('an error already on its token stays there', () => {
  assert.deepEqual(firstError('version: 1\nkey: value: other\n'), { at: '2:6', token: 'v' });
});

test('a thousand syntax errors in a large policy are placed in linear time (the text is lexed once, not once per error)', () => {
  // An agent can write any policy file: 16,000 lines that each hold an error (yaml reports close to a thousand).
  const text = 'version: 1\n' + Array.from({ length: 16_000 }, (_, i) => `k${i}: a: b\n`).join('');
  const started = performance.now();
  const errors = parsePolicy(text).diagnostics.filter((d) => d.code === 'yaml-syntax');
  const ms = performance.now() - started;
  assert.ok(errors.length >= 900, `${errors.length} errors`);
  // Lexed once per error this took over a minute; once, well under a second on an idle machine.
  assert.ok(ms < 15_000, `${Math.round(ms)} ms`);
});

test('a policy with an unclosed bracket and quote on each of 60,000 lines is read in linear time', () => {
  const text = 'version: 1\n' + Array.from({ length: 60_000 }, (_, i) => `k${i}: [a, "b\n`).join('');
  const started = performance.now();
  const errors = parsePolicy(text).diagnostics.filter((d) => d.code === 'yaml-syntax');
  const ms = performance.now() - started;
  assert.ok(errors.length >= 60_000, `${errors.length} errors`);
  // Every error placed by scanning the tokens took minutes; the first hundred placed, a few seconds at most.
  assert.ok(ms < 20_000, `${Math.round(ms)} ms`);
});
