import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryCatalogue } from '../../src/language/catalogue';
import { definition } from '../../src/language/definition';
import { starterPolicy } from '../../src/language/starter-policy';
import { documentSymbols } from '../../src/language/symbols';
import { parsePolicy } from '../../src/policy/parse';
import { cursor, snapshotOf, testCatalogue, yaml } from './helpers';

const catalogue = testCatalogue();

test('document symbols: servers, then their rules with what each decides', () => {
  const text = yaml('version: 1', 'servers:', '  security-agent:', '    default: ask', '    tools:', '      delete_finding: { action: deny }', '      "debug_*":', '        hide: true', '  files:', '    tools:', '      run_command:', '        action: ask', '        rate_limit: { max: 10, window: 60s }', '        args: { type: object }');
  const symbols = documentSymbols(snapshotOf(text), catalogue);
  assert.deepEqual(symbols.map((s) => [s.name, s.kind, s.detail, s.selectionRange.start.line, s.range.end.line]), [
    ['security-agent', 'server', 'default ask · 2 rules', 2, 8],
    ['files', 'server', '1 rule', 8, 14],
  ]);
  assert.deepEqual(symbols[0].children.map((c) => [c.name, c.kind, c.detail]), [
    ['delete_finding', 'tool', 'deny · [D] destructive · critical'],
    ['debug_*', 'glob', 'hidden'],
  ]);
  assert.equal(symbols[1].children[0].detail, 'ask · ≤ 10 per 1m · args checked · [X] execute · high');
});

test('go to definition: a server name goes to its key in mcp.json', () => {
  const { text, position } = cursor(yaml('version: 1', 'servers:', '  fi‸les: {}', '  nowhere: {}'));
  const snapshot = snapshotOf(text);
  assert.deepEqual(definition(snapshot, position, catalogue), { uri: 'file:///w/.vscode/mcp.json', range: { start: { line: 5, character: 4 }, end: { line: 5, character: 11 } } });
  assert.equal(definition(snapshot, { line: 3, character: 4 }, catalogue), undefined);
  assert.equal(definition(snapshot, { line: 0, character: 2 }, catalogue), undefined);
});

test('the starter policy: valid, destructive tools denied or asked, execute tools asked and rate-limited', () => {
  const text = starterPolicy(catalogue);
  const parsed = parsePolicy(text);
  assert.deepEqual(parsed.diagnostics, []);
  const policy = parsed.policy!;
  const rules = (server: string) => policy.servers.get(server)!.tools.map((t) => [t.pattern, t.action, t.rateLimit?.max ?? null]);
  assert.deepEqual(rules('security-agent'), [
    ['delete_finding', 'deny', null],
    ['start_security_scan', 'ask', 10],
    ['stop_scan', 'ask', 10],
  ]);
  assert.deepEqual(rules('files'), [['run_command', 'ask', 10]]);
  assert.equal(policy.servers.get('github')!.default, 'ask');
  assert.match(text, /# destructive · critical \(from the server's annotations\): Deletes a finding for good\./);
  assert.match(text, /# Allowed by the default:\n    #   get_finding \(read · low\), list_findings \(read · low\)/);
  assert.match(text, /github: +# http, from the workspace's mcp.json\n    # Its tools have not been listed yet/);
});

test('the starter policy with no known server is a commented example', () => {
  const text = starterPolicy(new MemoryCatalogue());
  assert.ok(parsePolicy(text).policy);
  assert.match(text, /servers: \{\}\n  # my-server:/);
});
