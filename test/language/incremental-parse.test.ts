import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IncrementalPolicyParser } from '../../src/language/incremental-parse';
import { TextLines } from '../../src/language/text-lines';
import type { Diagnostic, Policy } from '../../src/policy/model';
import { parsePolicy } from '../../src/policy/parse';
import { policyOfLines } from '../../bench/policy-fixtures';
import { yaml } from './helpers';

function comparable(policy: Policy | undefined) {
  if (!policy) return undefined;
  return { ...policy, servers: [...policy.servers.values()] };
}

function sorted(diagnostics: Diagnostic[]) {
  return [...diagnostics].map((d) => `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.severity} ${d.code} ${d.message}`).sort();
}

/** A parser past its first text, so it reads a text in parts (a first text of plain YAML it reads whole). */
function partsParser(): IncrementalPolicyParser {
  const parser = new IncrementalPolicyParser('p.yaml');
  parser.parse(new TextLines('version: 1\n'));
  return parser;
}

/** The incremental parse must say what one whole parse says. */
function assertSameAsWhole(text: string, parser = partsParser()) {
  const whole = parsePolicy(text, 'p.yaml');
  const parts = parser.parse(new TextLines(text));
  assert.deepEqual(sorted(parts.diagnostics), sorted(whole.diagnostics));
  assert.deepEqual(comparable(parts.partial), comparable(whole.partial));
  assert.equal(parts.policy === undefined, whole.policy === undefined);
  return parts;
}

const VALID = yaml(
  '# a policy',
  'version: 1',
  'default: ask',
  'servers:',
  '  # the scanner',
  '  security-agent:',
  '    default: deny',
  '    tools:',
  '      stop_scan:',
  '        action: deny',
  '        reason: |',
  '          Stopping a scan',
  '          hides an attack.',
  '      "debug_*": { hide: true }',
  '# between servers, at column 0',
  '  files:',
  '    tools:',
  '      run_command:',
  '        rate_limit: { max: 5, window: 1m, scope: server }',
  '        args:',
  '          type: object',
  '          required: [command]',
  'audit:',
  '  args: true',
);

test('a valid policy parses to the same model, lines and all, as one whole parse', () => {
  const result = assertSameAsWhole(VALID);
  assert.ok(result.policy);
  assert.deepEqual([...result.sections.keys()], ['security-agent', 'files']);
  assert.equal(result.partial.servers.get('files')!.tools[0].line, 18);
  assert.equal(result.partial.defaultLine, 3);
});

test('a CRLF policy and an edit of it give the whole parse\'s result', () => {
  const text = policyOfLines(300).replaceAll('\n', '\r\n');
  const parser = new IncrementalPolicyParser('p.yaml');
  assertSameAsWhole(text, parser);
  const once = text.replace('Tool 3 of server 1 is denied.', 'Tool 3 of server 1 is refused.');
  assert.ok(assertSameAsWhole(once, parser).parsedSections > 3, 'read in parts');
  assert.equal(assertSameAsWhole(once.replace('Tool 4 of server 1 is denied.', 'Tool 4 of server 1 is refused.'), parser).parsedSections, 1);
});

test('schema errors in several servers and in the header are all reported at their lines', () => {
  const text = yaml('version: 2', 'defualt: allow', 'servers:', '  a:', '    tools:', '      x: { action: dney }', '  b:', '    default: maybe', '    tools:', '      y:', '        rate_limit: { max: 0, window: 60 s }', 'extra: 1');
  assertSameAsWhole(text);
});

test('a generated 5,000-line policy is read whole, then in parts at the first edit; an edit of one rule parses that rule again', () => {
  const generated = policyOfLines(5000);
  const parser = new IncrementalPolicyParser('p.yaml');
  assert.equal(assertSameAsWhole(generated, parser).parsedSections, 1, 'a plain text seen first is read whole');
  const text = generated.replace('Tool 5 of server 2 is denied.', 'Tool 5 of server 2 is refused.');
  const first = assertSameAsWhole(text, parser);
  const rules = [...first.partial.servers.values()].reduce((n, server) => n + server.tools.length, 0);
  assert.ok(first.parsedSections > first.partial.servers.size * 2 && first.parsedSections < rules, `rules are cut into pieces of a few (${first.parsedSections} parts for ${rules} rules)`);
  assert.ok(first.partial.servers.size > 40);
  const edited = text.replace('Tool 3 of server 7 is denied.', 'Tool 3 of server 7 is denied.\n        action: maybe');
  const second = assertSameAsWhole(edited, parser);
  assert.equal(second.parsedSections, 1);
  assert.equal(second.partial.servers.get('server-0'), first.partial.servers.get('server-0'), 'a block whose text and place stay is reused whole');
  assert.notEqual(second.partial.servers.get('server-7'), first.partial.servers.get('server-7'));
  const inserted = 'version: 1\n# a new comment line shifts every block\n' + edited.slice('# generated\nversion: 1\n'.length);
  const third = assertSameAsWhole(inserted, parser);
  assert.equal(third.parsedSections, 1, 'only the header changed; the blocks moved but are reused');
});

test('a server\'s rules, cut into parts: order, index, ranges and duplicates as one parse has them', () => {
  const text = yaml('version: 1', 'servers:', '  a:', '    default: deny', '    tools:', '      # the first', '      x: { action: deny }', '      "y*":', '        action: ask', '', '      z:', '        args: { type: object, required: [q] }', '    launch: { type: stdio }', '  b:', '    tools:', '      x: {}', '      x: { action: deny }');
  const parts = new IncrementalPolicyParser().parse(new TextLines(text));
  const whole = parsePolicy(text);
  assert.deepEqual(comparable(parts.partial)!.servers.find((s) => s.name === 'a'), comparable(whole.partial)!.servers.find((s) => s.name === 'a'));
  assert.deepEqual(parts.partial.servers.get('a')!.tools.map((t) => [t.pattern, t.index, t.line]), [['x', 0, 7], ['y*', 1, 8], ['z', 2, 11]]);
  assert.deepEqual(parts.diagnostics.map((d) => [d.code, d.range.start.line]), [['duplicate-key', 16]]);
  assert.deepEqual(parts.partial.servers.get('b')!.tools.map((t) => t.action), ['allow'], 'the model is the resolved value: one rule per key, the first');
  assert.equal(parts.policy, undefined);
});

test('the same rule key in two pieces far apart is one duplicate-key error, and the first rule counts', () => {
  const rules = Array.from({ length: 60 }, (_, i) => `      r${i}: { action: allow }`);
  const text = yaml('version: 1', 'servers:', '  a:', '    tools:', ...rules, '      r0: { action: deny }');
  const parts = new IncrementalPolicyParser().parse(new TextLines(text));
  assert.deepEqual(parts.diagnostics.map((d) => [d.code, d.range.start.line]), [['duplicate-key', 64]]);
  assert.equal(parts.partial.servers.get('a')!.tools.length, 61);
  assert.ok(parts.parsedSections > 3, 'the rules were cut into several pieces');
});

test('duplicate servers across blocks are an error, and the first one counts', () => {
  const text = yaml('version: 1', 'servers:', '  a:', '    default: deny', '  b: {}', '  a:', '    default: allow');
  const result = new IncrementalPolicyParser().parse(new TextLines(text));
  assert.deepEqual(result.diagnostics.map((d) => [d.code, d.range.start.line]), [['duplicate-key', 5]]);
  assert.equal(result.partial.servers.get('a')!.default, 'deny');
  assert.equal(result.policy, undefined);
});

test('a YAML error in one server leaves the others parsed and checked', () => {
  const text = yaml('version: 1', 'servers:', '  a:', '    tools: { x: [ }', '  b:', '    default: nope', '    tools:', '      y: { action: deny }');
  const result = new IncrementalPolicyParser().parse(new TextLines(text));
  assert.ok(result.diagnostics.some((d) => d.code === 'yaml-syntax' && d.range.start.line === 3));
  assert.ok(result.diagnostics.some((d) => d.code === 'invalid-value' && d.range.start.line === 5));
  assert.equal(result.partial.servers.get('b')!.tools[0].action, 'deny');
  assert.equal(result.policy, undefined);
});

test('text the cutting cannot be sure of is parsed whole', () => {
  for (const text of [
    yaml('version: 1', 'servers:', '  a: &shared', '    default: deny', '  b: *shared'),
    yaml('version: 1', 'servers: { a: { default: deny } }'),
    yaml('---', 'version: 1', 'servers:', '  a: {}'),
    yaml('version: 1', 'servers:', '    a: {}', '  b: {}'),
    yaml('version: 1', 'servers:', 'default: ask'),
  ]) {
    assertSameAsWhole(text);
  }
});

test('CRLF line endings give the same result', () => {
  assertSameAsWhole(VALID.replaceAll('\n', '\r\n'));
});
