import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryCatalogue } from '../../src/language/catalogue';
import { complete } from '../../src/language/completion';
import type { CompletionItem } from '../../src/language/types';
import { cursor, snapshotOf, testCatalogue, yaml } from './helpers';

const catalogue = testCatalogue();

function items(textWithCursor: string, on = catalogue): CompletionItem[] {
  const { text, position } = cursor(textWithCursor);
  return complete(snapshotOf(text), position, on);
}

function labels(textWithCursor: string, on = catalogue): string[] {
  return items(textWithCursor, on).map((i) => i.label);
}

function item(textWithCursor: string, label: string): CompletionItem {
  const found = items(textWithCursor).find((i) => i.label === label);
  assert.ok(found, `no item "${label}"`);
  return found;
}

const HEAD = ['version: 1', 'servers:', '  security-agent:', '    tools:'];

test('top-level keys in an empty file and on a blank line, without the ones already there', () => {
  assert.deepEqual(labels('‸'), ['version', 'default', 'audit', 'pin', 'poisoning', 'approvers', 'servers']);
  assert.deepEqual(labels(yaml('version: 1', '‸', 'servers: {}')), ['default', 'audit', 'pin', 'poisoning', 'approvers']);
});

test('inside a key: the keys of its map, replacing the whole key, key alone when the colon is there', () => {
  const found = item(yaml('version: 1', 'defa‸ult: allow'), 'default');
  assert.equal(found.insertText, 'default');
  assert.deepEqual(found.range, { start: { line: 1, character: 0 }, end: { line: 1, character: 7 } });
});

test('a key typed without a colon gets the colon and, for an enum, reopens the suggestions', () => {
  const found = item(yaml('version: 1', 'def‸'), 'default');
  assert.deepEqual([found.insertText, found.retrigger, found.detail], ['default: ', true, 'allow | ask | deny']);
  assert.match(found.documentation ?? '', /fallback for calls that no rule matches/);
});

test('after a colon: enum values with their descriptions', () => {
  const values = items(yaml('version: 1', 'default: ‸'));
  assert.deepEqual(values.map((v) => v.label), ['allow', 'ask', 'deny']);
  assert.match(values[1].documentation ?? '', /approves \*\*that very call\*\*/);
  assert.deepEqual(labels(yaml('version: 1', 'audit:', '  args: ‸')), ['true', 'false']);
  assert.deepEqual(labels(yaml('version: ‸')), ['1']);
});

test('a value right after the colon gets a space before it', () => {
  assert.equal(item(yaml('version: 1', 'default:‸'), 'deny').insertText, ' deny');
});

test('server names from the catalogue under servers:, with transport and tool count, and a new-server snippet', () => {
  const found = items(yaml('version: 1', 'servers:', '  ‸'));
  assert.deepEqual(found.map((i) => i.label), ['files', 'github', 'security-agent', 'new server']);
  const agent = found.find((i) => i.label === 'security-agent')!;
  assert.equal(agent.detail, 'stdio · 5 tools');
  assert.equal(agent.insertText, 'security-agent:\n  tools:\n    $0');
  assert.match(agent.documentation ?? '', /`npx -y security-agent-mcp`/);
  assert.equal(found.find((i) => i.label === 'github')!.detail, 'http · tools not listed yet');
  assert.deepEqual(labels(yaml('version: 1', 'servers:', '  files: {}', '  ‸')), ['github', 'security-agent', 'new server']);
});

test('an empty line under tools: the server\'s tools, riskiest first, with risk and description', () => {
  const found = items(yaml(...HEAD, '      ‸'));
  const tools = found.filter((i) => i.kind === 'tool');
  assert.deepEqual(tools.map((i) => i.label), ['delete_finding', 'start_security_scan', 'stop_scan', 'get_finding', 'list_findings']);
  assert.deepEqual([tools[0].detail, tools[0].labelDescription], ['Deletes a finding for good.', 'destructive · critical']);
  assert.equal(tools[0].insertText, 'delete_finding:\n  action: ${1|deny,ask,allow|}$0');
  assert.equal(tools[3].insertText, 'get_finding:\n  action: ${1|allow,ask,deny|}$0');
  assert.ok(tools.map((t) => t.sortText).every((s, i, all) => i === 0 || all[i - 1] < s), 'sort texts keep the risk order');
  assert.match(tools[0].documentation ?? '', /`finding_id` \*string\*, required/);
  assert.deepEqual(found.filter((i) => i.kind === 'snippet').map((i) => i.label), ['rule: deny with reason', 'rule: approval', 'rule: rate limit']);
});

test('tools that already have a rule are not offered again', () => {
  const found = labels(yaml(...HEAD, '      delete_finding:', '        action: deny', '      ‸'));
  assert.ok(!found.includes('delete_finding'));
  assert.ok(found.includes('stop_scan'));
});

test('no tool names for a server whose tools were never listed', () => {
  const found = items(yaml('version: 1', 'servers:', '  github:', '    tools:', '      ‸'));
  assert.deepEqual(found.filter((i) => i.kind === 'tool'), []);
  assert.equal(found.find((i) => i.label === 'rule: deny with reason')!.insertText.split('\n')[0], '${1:tool_name}:');
});

test("a rule's keys, then the snippets that fit what the rule lacks", () => {
  const found = items(yaml(...HEAD, '      delete_finding:', '        action: deny', '        ‸'));
  assert.deepEqual(found.filter((i) => i.kind === 'key').map((i) => i.label), ['reason', 'rate_limit', 'args', 'hide', 'risk', 'only']);
  assert.deepEqual(found.filter((i) => i.kind === 'snippet').map((i) => i.label), ['rate limit', 'args check from the input schema']);
  assert.equal(found.find((i) => i.label === 'rate_limit')!.insertText, 'rate_limit:\n  max: ${1:10}\n  window: ${2:60s}');
  assert.equal(
    found.find((i) => i.label === 'args check from the input schema')!.insertText,
    'args:\n  type: object\n  required: [finding_id]\n  properties:\n    finding_id: { type: string }\n    force: { type: boolean }$0',
  );
});

test('the action of a known tool puts the action its risk calls for first', () => {
  assert.deepEqual(labels(yaml(...HEAD, '      delete_finding:', '        action: ‸')), ['deny', 'ask', 'allow']);
  assert.deepEqual(labels(yaml(...HEAD, '      list_findings:', '        action: ‸')), ['allow', 'ask', 'deny']);
});

test('in a flow map: the keys missing from it, and values after a colon', () => {
  const keys = items(yaml(...HEAD, '      stop_scan:', '        rate_limit: { max: 10, w‸ }'));
  assert.deepEqual(keys.map((i) => i.label), ['window', 'scope']);
  assert.equal(keys[0].insertText, 'window: $0');
  assert.deepEqual(keys[0].range, { start: { line: 5, character: 31 }, end: { line: 5, character: 32 } });
  const windows = labels(yaml(...HEAD, '      stop_scan:', '        rate_limit: { max: 10, window: ‸ }'));
  assert.deepEqual(windows, ['60s', '500ms', '5m', '1.5h', '1d', '30']);
  assert.deepEqual(labels(yaml(...HEAD, '      stop_scan: { rate_limit: { max: 1, window: 1m, scope: ‸ } }')), ['session', 'user', 'server', 'global']);
  assert.deepEqual(labels(yaml(...HEAD, '      stop_scan: { ‸ }')).slice(0, 3), ['action', 'reason', 'rate_limit']);
});

test('tool names in a flow map of tools', () => {
  const found = items(yaml('version: 1', 'servers:', '  files:', '    tools: { run_command: { action: ask }, ‸ }'));
  assert.deepEqual(found.map((i) => i.label), ['write_file', 'read_file']);
  assert.equal(found[0].insertText, 'write_file: { action: ${1|allow,ask,deny|} }');
});

test('args: JSON Schema keywords, then the input schema\'s property names, types and required list', () => {
  const rule = [...HEAD, '      delete_finding:', '        args:'];
  assert.deepEqual(labels(yaml(...rule, '          ‸')), ['type', 'properties', 'required', 'additionalProperties']);
  const properties = items(yaml(...rule, '          type: object', '          properties:', '            ‸'));
  assert.deepEqual(properties.map((i) => [i.label, i.detail]), [
    ['finding_id', 'string, required — an argument of delete_finding'],
    ['force', 'boolean — an argument of delete_finding'],
  ]);
  assert.equal(properties[0].insertText, 'finding_id:\n  type: string$0');
  assert.deepEqual(labels(yaml(...rule, '          properties:', '            force:', '              type: ‸')).slice(0, 2), ['boolean', 'string']);
  assert.deepEqual(labels(yaml(...rule, '          required: [‸]')), ['finding_id', 'force']);
  assert.deepEqual(labels(yaml(...rule, '          properties:', '            finding_id:', '              ‸')).slice(0, 4), ['type', 'enum', 'const', 'pattern']);
});

test('args of a glob rule offer the properties of every tool it matches', () => {
  assert.deepEqual(labels(yaml(...HEAD, '      "*_finding":', '        args:', '          properties: { ‸ }')), ['finding_id', 'force']);
});

test('enum values of an input property inside args', () => {
  assert.deepEqual(labels(yaml(...HEAD, '      start_security_scan:', '        args:', '          properties:', '            depth: { enum: [‸] }')), ['1', '2', '3']);
});

test('at the end of a file without a final newline', () => {
  assert.deepEqual(labels([...HEAD, '      stop_scan:', '        act‸'].join('\n')).slice(0, 1), ['action']);
  assert.deepEqual(labels('version: 1\nservers:\n  files:\n    ‸'), ['default', 'pin', 'poisoning', 'approvers', 'launch', 'tools']);
});

test('in a broken document: completion still follows the indentation around the cursor', () => {
  const broken = yaml('version: 1', 'default: [ask', 'servers:', '  security-agent:', '    tools:', '      stop_scan: {', '      delete_finding:', '        action: ‸', '  : bad');
  assert.deepEqual(labels(broken), ['deny', 'ask', 'allow']);
  assert.deepEqual(labels(yaml('servers:', '  files:', '    tools:', '      write_file:', '        action: allow', '        reason: "unclosed', '      ‸')).slice(0, 2), ['run_command', 'read_file']);
});

test('nothing in comments, in block scalars, or inside a free-text value', () => {
  assert.deepEqual(labels(yaml('version: 1  # ‸')), []);
  assert.deepEqual(labels(yaml(...HEAD, '      stop_scan:', '        reason: Stops ‸')), []);
});

test('launch and risk maps complete from the schema', () => {
  assert.deepEqual(labels(yaml('version: 1', 'servers:', '  files:', '    launch:', '      type: ‸')), ['stdio', 'http', 'sse']);
  assert.deepEqual(labels(yaml(...HEAD, '      stop_scan:', '        risk: { category: ‸ }')), ['read', 'write', 'execute', 'destructive']);
});

test('keys that need quoting are quoted when inserted', () => {
  const odd = new MemoryCatalogue();
  odd.setTools('odd', [{ name: 'yes' }, { name: '*weird' }]);
  const found = items(yaml('servers:', '  odd:', '    tools:', '      ‸'), odd).filter((i) => i.kind === 'tool');
  assert.deepEqual(found.map((i) => i.insertText.split(':\n')[0]).sort(), ['"*weird"', '"yes"']);
});
