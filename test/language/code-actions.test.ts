import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryCatalogue } from '../../src/language/catalogue';
import { codeActions } from '../../src/language/code-actions';
import { suggestDuration } from '../../src/language/duration-fix';
import { applyEdits, textEdit } from '../../src/language/text-edit';
import type { Range } from '../../src/policy/model';
import { parsePolicy } from '../../src/policy/parse';
import { snapshotOf, testCatalogue, yaml } from './helpers';

const catalogue = testCatalogue();
const lineRange = (line: number): Range => ({ start: { line, character: 0 }, end: { line, character: 200 } });

function fixes(text: string, line: number, on = catalogue) {
  return codeActions(snapshotOf(text), lineRange(line), on).map((a) => ({ title: a.title, preferred: a.isPreferred === true, code: a.diagnostic?.code, result: applyEdits(text, a.edits) }));
}

test('an invalid value: change it to a valid one', () => {
  const text = yaml('version: 1', 'default: "dney"', 'servers: {}');
  const found = fixes(text, 1);
  assert.deepEqual(found.map((f) => [f.title, f.preferred]), [['Change to "deny"', true], ['Change to "ask"', false], ['Change to "allow"', false]]);
  assert.equal(found[0].result, yaml('version: 1', 'default: deny', 'servers: {}'));
});

test('a misspelt key, server and tool are renamed to the suggestion', () => {
  const text = yaml('version: 1', 'default: deny', 'servers:', '  securty-agent:', '    tools:', '      stop_scan:', '        acton: deny', '  files:', '    tools:', '      raed_file: {}');
  assert.equal(fixes(text, 6)[0].result.split('\n')[6], '        action: deny');
  assert.equal(fixes(text, 3)[0].result.split('\n')[3], '  security-agent:');
  assert.equal(fixes(text, 9)[0].result.split('\n')[9], '      read_file: {}');
});

test('a bad duration: the duration that was meant', () => {
  const text = yaml('version: 1', 'servers:', '  files:', '    tools:', '      run_command:', '        rate_limit: { max: 5, window: 5 minutes }');
  const found = fixes(text, 5);
  assert.equal(found[0].title, 'Change to 5m');
  assert.ok(parsePolicy(found[0].result).policy, 'the fixed file is valid');
  assert.deepEqual([suggestDuration('60 sec'), suggestDuration('"1hr"'), suggestDuration('1.5 h'), suggestDuration('soon'), suggestDuration('0s')], ['60s', '1h', '1.5h', undefined, undefined]);
});

test('an unruled execute tool: ask with a rate limit, or deny; comments kept', () => {
  const text = yaml('version: 1', 'default: allow', 'servers:', '  files:   # local files', '    tools:', '      # writing is fine', '      write_file: { action: allow }');
  const found = fixes(text, 3);
  assert.deepEqual(found.map((f) => [f.title, f.preferred]), [
    ['Ask before each call of "run_command", at most 10 a minute', true],
    ['Deny "run_command"', false],
  ]);
  const fixed = parsePolicy(found[0].result);
  assert.ok(fixed.policy);
  const rule = fixed.policy.servers.get('files')!.tools.find((t) => t.pattern === 'run_command')!;
  assert.deepEqual([rule.action, rule.rateLimit], ['ask', { max: 10, windowSeconds: 60, scope: 'session' }]);
  assert.ok(found[0].result.includes('  files:   # local files\n    tools:\n      # writing is fine\n'));
});

test('a server the policy leaves out: add it asking before its high-risk tools', () => {
  const text = yaml('version: 1', 'servers:', '  security-agent:', '    default: deny');
  const found = fixes(text, 1);
  assert.deepEqual(found.map((f) => f.title), ['Add "files" with approval for its 1 high-risk tool']);
  const files = parsePolicy(found[0].result).policy!.servers.get('files')!;
  assert.deepEqual(files.tools.map((t) => [t.pattern, t.action]), [['run_command', 'ask']]);
});

test('an unreachable rule can be removed', () => {
  const text = yaml('version: 1', 'default: deny', 'servers:', '  github:', '    tools:', '      "get_*": { action: allow }', '      "get_?*": { action: deny }');
  const found = fixes(text, 6);
  assert.equal(found[0].title, 'Remove the unreachable rule "get_?*"');
  assert.equal(found[0].result, yaml('version: 1', 'default: deny', 'servers:', '  github:', '    tools:', '      "get_*": { action: allow }'));
});

test('missing version: add it; an empty file: a starter policy from the catalogue', () => {
  const found = fixes(yaml('# mine', 'default: ask'), 1);
  assert.deepEqual(found.map((f) => f.title), ['Add "version: 1"']);
  assert.equal(found[0].result, yaml('# mine', 'version: 1', 'default: ask'));
  const empty = fixes('', 0).filter((f) => f.code === 'missing-key');
  assert.deepEqual(empty.map((f) => [f.title, f.preferred]), [
    ['Write a starter policy from the known servers and tools', true],
    ['Add "version: 1"', false],
  ]);
  assert.ok(parsePolicy(empty[0].result).policy);
});

test('fixes only for problems in the requested range', () => {
  const text = yaml('version: 1', 'default: dney', 'servers: {}');
  assert.deepEqual(fixes(text, 2, new MemoryCatalogue()), []);
});

test('a text edit spans only what changed', () => {
  assert.deepEqual(textEdit('a\nbc\nd\n', 'a\nbXc\nd\n'), { range: { start: { line: 1, character: 1 }, end: { line: 1, character: 1 } }, newText: 'X' });
  assert.equal(applyEdits('a\nbc\nd\n', [textEdit('a\nbc\nd\n', 'z\n')]), 'z\n');
});
