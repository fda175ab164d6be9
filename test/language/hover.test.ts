import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hover } from '../../src/language/hover';
import { cursor, snapshotOf, testCatalogue, yaml } from './helpers';

const catalogue = testCatalogue();

function hoverAt(textWithCursor: string) {
  const { text, position } = cursor(textWithCursor);
  return hover(snapshotOf(text), position, catalogue);
}

const POLICY = [
  'version: 1',
  'default: allow',
  'servers:',
  '  security-agent:',
  '    default: ask',
  '    tools:',
  '      "*_finding":',
  '        action: deny',
  '        reason: Findings are evidence.',
  '      get_finding: { action: allow }',
  '      start_security_scan:',
  '        rate_limit: { max: 10, window: 60s }',
  '        risk: { level: critical }',
];

test('a key shows the schema docs', () => {
  const result = hoverAt(yaml('version: 1', 'defa‸ult: allow'));
  assert.match(result!.contents, /^The fallback for calls that no rule matches/);
  assert.deepEqual(result!.range, { start: { line: 1, character: 0 }, end: { line: 1, character: 7 } });
  assert.match(hoverAt(yaml(...POLICY.slice(0, 11), '        rate_limit: { ma‸x: 10, window: 60s }'))!.contents, /The most calls that may go through/);
});

test('an enum value shows what that value does', () => {
  assert.equal(hoverAt(yaml(...POLICY.slice(0, 7), '        action: de‸ny'))!.contents, '`deny` — Refuse the call: it never reaches the server, and the agent is answered with the rule\'s `reason`.');
  assert.match(hoverAt(yaml(...POLICY.slice(0, 11), '        rate_limit: { max: 10, window: 6‸0s }'))!.contents, /^`60s` — a sliding window of 60 seconds/);
});

test('a tool name shows description, input, risk badge with its source, and the deciding rule', () => {
  const lines = [...POLICY];
  lines[9] = '      get_fi‸nding: { action: allow }';
  const contents = hoverAt(yaml(...lines))!.contents;
  assert.match(contents, /^\*\*get_finding\*\* — \[R\] read · low \*\(from the server's annotations\)\*/);
  assert.match(contents, /Returns one finding\./);
  assert.match(contents, /- `finding_id` \*string\*/);
  assert.match(contents, /\*\*This file: allow\*\* — rule `get_finding` \(line 10\)/);
});

test('a rule\'s risk override shows as the label\'s source, with the rate limit in the decision', () => {
  const lines = [...POLICY];
  lines[10] = '      start_security‸_scan:';
  const contents = hoverAt(yaml(...lines))!.contents;
  assert.match(contents, /\[X\] execute · critical \*\(from this policy's `risk` override\)\*/);
  assert.match(contents, /\*\*This file: allow\*\* — rule `start_security_scan` \(line 11\); at most 10 calls per 1m/);
});

test('a glob lists the known tools it matches and which rule decides each', () => {
  const lines = [...POLICY];
  lines[6] = '      "*_fin‸ding":';
  const contents = hoverAt(yaml(...lines))!.contents;
  assert.match(contents, /a glob matching 2 of the 5 known tools/);
  assert.match(contents, /- `delete_finding` \[D\] destructive · critical — decided by this rule/);
  assert.match(contents, /- `get_finding` \[R\] read · low — decided by rule `get_finding` \(line 10\)/);
});

test('an unknown tool still shows the decision, from the server default', () => {
  const contents = hoverAt(yaml(...POLICY, '      nope‸: {}'))!.contents;
  assert.match(contents, /not among the 5 tools `security-agent` listed/);
  assert.match(contents, /\*\*This file: allow\*\* — rule `nope`/);
  const unruled = hoverAt(yaml('version: 1', 'servers:', '  files:', '    default: deny', '    tools:', '      run_com‸mand: { action: ask }'))!.contents;
  assert.match(unruled, /\*\*This file: ask\*\*/);
});

test('a server name shows how it runs, its riskiest tools and its fallback', () => {
  const contents = hoverAt(yaml('version: 1', 'servers:', '  secur‸ity-agent:', '    default: ask'))!.contents;
  assert.match(contents, /^\*\*security-agent\*\* — stdio, declared in the workspace's mcp.json/);
  assert.match(contents, /`npx -y security-agent-mcp`/);
  assert.match(contents, /- `delete_finding` \[D\] destructive · critical/);
  assert.match(contents, /\*Calls that no rule matches:\* `ask` \(this server's default\)/);
  assert.match(hoverAt(yaml('version: 1', 'servers:', '  unkn‸own: {}'))!.contents, /not declared in any mcp.json/);
});

test('an args property shows the tool\'s own description of the argument', () => {
  const contents = hoverAt(yaml('version: 1', 'servers:', '  security-agent:', '    tools:', '      delete_finding:', '        args:', '          properties:', '            finding‸_id: { type: string }'))!.contents;
  assert.equal(contents, '**finding_id** *string*, required — an argument of `delete_finding`\n\nThe finding, e.g. F-12.');
});

test('a file with errors says that Warden refuses calls until they are fixed', () => {
  const contents = hoverAt(yaml('version: 1', 'default: nope', 'servers:', '  security-agent:', '    tools:', '      stop_sc‸an: { action: ask }'))!.contents;
  assert.match(contents, /until they are fixed, Warden refuses every call/);
});

test('nothing on blank lines, comments and free text', () => {
  assert.equal(hoverAt(yaml('version: 1', '‸')), undefined);
  assert.equal(hoverAt(yaml('# a com‸ment')), undefined);
  assert.equal(hoverAt(yaml(...POLICY.slice(0, 8), '        reason: Findings are evi‸dence.')), undefined);
});
