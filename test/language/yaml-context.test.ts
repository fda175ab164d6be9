import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TextLines } from '../../src/language/text-lines';
import { contextAt } from '../../src/language/yaml-context';
import { cursor, yaml } from './helpers';

function context(textWithCursor: string) {
  const { text, position } = cursor(textWithCursor);
  const ctx = contextAt(new TextLines(text), position);
  return { kind: ctx.kind, path: ctx.path, prefix: ctx.prefix, token: ctx.tokenText, hasColon: ctx.hasColon, inFlow: ctx.inFlow, inSequence: ctx.inSequence, siblings: [...ctx.siblings()].sort() };
}

const POLICY = [
  'version: 1',
  'default: allow',
  'servers:',
  '  security-agent:',
  '    default: ask',
  '    tools:',
  '      stop_scan:',
  '        action: deny',
  '        reason: Stopping a scan can hide an attack.',
];

test('a blank line at the top level is a key of the root map', () => {
  const ctx = context(yaml(...POLICY, '‸'));
  assert.deepEqual([ctx.kind, ctx.path, ctx.siblings], ['key', [], ['default', 'servers', 'version']]);
});

test('inside a key being replaced: the key up to the cursor, and its colon', () => {
  const ctx = context(yaml('version: 1', 'defa‸ult: allow', 'servers: {}'));
  assert.deepEqual([ctx.kind, ctx.path, ctx.prefix, ctx.token, ctx.hasColon, ctx.siblings], ['key', [], 'defa', 'default', true, ['servers', 'version']]);
});

test('after a colon: the value of that key', () => {
  const ctx = context(yaml(...POLICY.slice(0, 7), '        action: ‸'));
  assert.deepEqual([ctx.kind, ctx.path, ctx.prefix], ['value', ['servers', 'security-agent', 'tools', 'stop_scan', 'action'], '']);
  const typed = context(yaml(...POLICY.slice(0, 7), '        action: de‸'));
  assert.deepEqual([typed.kind, typed.prefix, typed.token], ['value', 'de', 'de']);
});

test('an empty line under tools: a rule key of that server', () => {
  const ctx = context(yaml(...POLICY.slice(0, 6), '      ‸', '      stop_scan:', '        action: deny'));
  assert.deepEqual([ctx.kind, ctx.path, ctx.siblings], ['key', ['servers', 'security-agent', 'tools'], ['stop_scan']]);
});

test('a key typed without its colon yet', () => {
  const ctx = context(yaml(...POLICY, '        rate‸'));
  assert.deepEqual([ctx.kind, ctx.path, ctx.prefix, ctx.hasColon, ctx.siblings], ['key', ['servers', 'security-agent', 'tools', 'stop_scan'], 'rate', false, ['action', 'reason']]);
});

test('a flow map: keys and values inside the braces', () => {
  const key = context(yaml(...POLICY, '        rate_limit: { max: 10, w‸ }'));
  assert.deepEqual([key.kind, key.path, key.prefix, key.inFlow, key.hasColon, key.siblings], ['key', ['servers', 'security-agent', 'tools', 'stop_scan', 'rate_limit'], 'w', true, false, ['max']]);
  const value = context(yaml(...POLICY, '        rate_limit: { max: 10, window: ‸ }'));
  assert.deepEqual([value.kind, value.path], ['value', ['servers', 'security-agent', 'tools', 'stop_scan', 'rate_limit', 'window']]);
  const nested = context(yaml('servers:', '  a: { tools: { x: { action: ‸} } }'));
  assert.deepEqual([nested.kind, nested.path], ['value', ['servers', 'a', 'tools', 'x', 'action']]);
});

test('a flow sequence and a block sequence', () => {
  const flow = context(yaml(...POLICY, '        args:', '          required: [finding_id, ‸]'));
  assert.deepEqual([flow.kind, flow.inSequence, flow.path.slice(-2)], ['value', true, ['args', 'required']]);
  const block = context(yaml(...POLICY, '        args:', '          required:', '          - finding_id', '          - f‸'));
  assert.deepEqual([block.kind, block.inSequence, block.prefix, block.path.slice(-2)], ['value', true, 'f', ['args', 'required']]);
});

test('the end of the file without a final newline', () => {
  const ctx = context(POLICY.join('\n') + '\n    ‸');
  assert.deepEqual([ctx.kind, ctx.path], ['key', ['servers', 'security-agent']]);
});

test('a broken document still gives the structure around the cursor', () => {
  const ctx = context(yaml('version: 1', 'servers:', '  a:', '    tools: {', '  "b": [', '    tools:', '      ‸', 'default: [ask'));
  assert.deepEqual([ctx.kind, ctx.path], ['key', ['servers', 'b', 'tools']]);
});

test('comments and block scalars are not completed', () => {
  assert.equal(context(yaml('version: 1 # the ‸version')).kind, 'none');
  assert.equal(context(yaml('# a ‸comment')).kind, 'none');
  assert.equal(context(yaml('servers:', '  a:', '    tools:', '      x:', '        reason: |‸', '          text')).kind, 'none');
});

test('quoted keys are unquoted in the path', () => {
  const ctx = context(yaml('servers:', "  'my server':", '    tools:', '      "debug_*":', '        ‸'));
  assert.deepEqual(ctx.path, ['servers', 'my server', 'tools', 'debug_*']);
});
