import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryCatalogue } from '../../src/language/catalogue';
import { languageDiagnostics, policyDiagnostics } from '../../src/language/diagnostics';
import { globCovers } from '../../src/language/glob-cover';
import { snapshotOf, testCatalogue, yaml } from './helpers';

const catalogue = testCatalogue();

function problems(text: string, on = catalogue) {
  return languageDiagnostics(snapshotOf(text), on).map((d) => ({ line: d.range.start.line, code: d.code, severity: d.severity, message: d.message, suggestions: d.suggestions }));
}

test('the parser\'s problems come first, with what a quick fix replaces', () => {
  const all = policyDiagnostics(snapshotOf(yaml('version: 1', 'default: dney', 'servers: {}')), catalogue);
  assert.equal(all[0].code, 'invalid-value');
  assert.ok(all[0].suggestions?.includes('deny'));
  assert.deepEqual(all[0].data, { replaces: 'value' });
});

test('an unknown server: a warning listing the known ones, with the closest as a suggestion', () => {
  const found = problems(yaml('version: 1', 'default: deny', 'servers:', '  securty-agent:', '    default: ask'));
  assert.deepEqual(found, [
    {
      line: 3,
      code: 'unknown-server',
      severity: 'warning',
      message: 'Server "securty-agent" is not in any mcp.json Warden knows; did you mean "security-agent"? Known servers: security-agent, github, files',
      suggestions: ['security-agent'],
    },
  ]);
});

test('no unknown-server warning when Warden knows no server at all', () => {
  assert.deepEqual(problems(yaml('version: 1', 'servers:', '  anything: {}'), new MemoryCatalogue()), []);
});

test('an unknown tool of a server whose tools are known: did you mean', () => {
  const found = problems(yaml('version: 1', 'default: deny', 'servers:', '  security-agent:', '    tools:', '      stop_scna: { action: deny }', '      "frobnicate": {}'));
  assert.deepEqual(found.map((f) => [f.line, f.code, f.severity, f.suggestions]), [
    [5, 'unknown-tool', 'warning', ['stop_scan']],
    [6, 'unknown-tool', 'warning', []],
  ]);
  assert.equal(found[0].message, 'Server "security-agent" has no tool "stop_scna"; did you mean "stop_scan"?');
  assert.match(found[1].message, /\(its tools: delete_finding, start_security_scan, stop_scan, get_finding, list_findings\)$/);
});

test('tools of a server whose tools were never listed are not judged', () => {
  assert.deepEqual(problems(yaml('version: 1', 'default: deny', 'servers:', '  github:', '    tools:', '      whatever: {}', '      "zz*": {}')), []);
});

test('a glob that matches no known tool is an info', () => {
  const found = problems(yaml('version: 1', 'default: deny', 'servers:', '  files:', '    tools:', '      "delete_*": { action: deny }'));
  assert.deepEqual(found.map((f) => [f.line, f.code, f.severity, f.message]), [[5, 'glob-matches-nothing', 'info', 'Glob "delete_*" matches none of the 3 tools of "files"']]);
});

test('a glob that an earlier glob of equal specificity covers is unreachable, known tools or not', () => {
  const found = problems(yaml('version: 1', 'default: deny', 'servers:', '  github:', '    tools:', '      "get_*": { action: allow }', '      "get_?*": { action: deny }', '      "get?*": { action: ask }'));
  assert.deepEqual(found.map((f) => [f.line, f.code, f.severity]), [[6, 'unreachable-rule', 'warning']]);
  assert.equal(found[0].message, 'Rule "get_?*" is unreachable: rule "get_*" (line 6) matches every tool it matches and comes first');
});

test('a glob whose every known match is decided by more specific rules is unreachable for the live tools', () => {
  const found = problems(yaml('version: 1', 'default: deny', 'servers:', '  files:', '    tools:', '      "*_file": { action: ask }', '      "*file": { action: deny }'));
  assert.deepEqual(found.map((f) => [f.line, f.code, f.severity]), [[6, 'unreachable-rule', 'warning']]);
  assert.match(found[0].message, /decides none of the tools it matches: more specific rules decide them \(write_file by "\*_file" \(line 6\), read_file by "\*_file" \(line 6\)\)/);
});

test('high and critical tools with no rule under a permissive default are infos on the server', () => {
  const found = problems(yaml('version: 1', 'default: allow', 'servers:', '  security-agent:', '    tools:', '      delete_finding: { action: deny }', '  files:', '    default: ask'));
  assert.deepEqual(found.map((f) => [f.line, f.code, f.severity, f.message]), [
    [3, 'unruled-risky-tool', 'info', 'Tool "start_security_scan" (execute · high) has no rule, and the policy\'s default allows it. Execute tools should be rate-limited and have argument checks'],
    [3, 'unruled-risky-tool', 'info', 'Tool "stop_scan" (execute · high) has no rule, and the policy\'s default allows it. Execute tools should be rate-limited and have argument checks'],
  ]);
  assert.deepEqual(problems(yaml('version: 1', 'default: ask', 'servers:', '  security-agent: {}', '  files: {}')), []);
});

test('a known server the policy leaves out, with high-risk tools, under default allow', () => {
  const found = problems(yaml('version: 1', 'servers:', '  security-agent:', '    default: deny'));
  assert.deepEqual(found.map((f) => [f.line, f.code, f.message]), [[1, 'unruled-risky-tool', 'Server "files" is not in this policy, so the default allows its 1 high-risk tool: run_command (execute · high)']]);
});

test('args that name arguments the tool does not have', () => {
  const found = problems(
    yaml('version: 1', 'default: deny', 'servers:', '  security-agent:', '    tools:', '      delete_finding:', '        args:', '          type: object', '          required: [findingid]', '          properties:', '            finding_id: { type: string }', '            forse: { type: boolean }'),
  );
  assert.deepEqual(found.map((f) => [f.line, f.code, f.suggestions]), [
    [11, 'unknown-argument', ['force']],
    [8, 'unknown-argument', ['finding_id']],
  ]);
  assert.equal(found[1].message, 'Tool "delete_finding" has no argument "findingid", so requiring it refuses every call; did you mean "finding_id"?');
});

test('diagnostics are cached per version and catalogue revision', () => {
  const live = testCatalogue();
  const snapshot = snapshotOf(yaml('version: 1', 'default: deny', 'servers:', '  files:', '    tools:', '      nope: {}'));
  const first = languageDiagnostics(snapshot, live);
  assert.equal(languageDiagnostics(snapshot, live), first);
  live.setTools('files', [{ name: 'nope' }]);
  assert.deepEqual(languageDiagnostics(snapshot, live), []);
});

test('glob cover: sound on the patterns themselves', () => {
  assert.equal(globCovers('get_*', 'get_?*'), true);
  assert.equal(globCovers('*', 'anything*'), true);
  assert.equal(globCovers('a?c', 'abc'), true);
  assert.equal(globCovers('a?c', 'a*c'), false);
  assert.equal(globCovers('*_file', '*file'), false);
  assert.equal(globCovers('get_*', 'got_*'), false);
  assert.equal(globCovers('get?*', 'get_*'), true);
});
