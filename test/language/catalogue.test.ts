import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryCatalogue } from '../../src/language/catalogue';
import { readMcpConfig } from '../../src/language/mcp-config';
import { MCP_JSON } from './helpers';

test('mcp.json with comments and trailing commas: servers, transports, launch and key ranges', () => {
  const config = readMcpConfig(MCP_JSON, 'file:///w/.vscode/mcp.json', 'workspace');
  assert.equal(config.errors, 0);
  assert.deepEqual(
    config.servers.map((s) => [s.name, s.transport, s.launch, s.source.range?.start]),
    [
      ['security-agent', 'stdio', { command: 'npx', args: ['-y', 'security-agent-mcp'] }, { line: 3, character: 4 }],
      ['github', 'http', { url: 'https://api.example.test/mcp' }, { line: 4, character: 4 }],
      ['files', 'stdio', { command: 'node', args: ['files.js'] }, { line: 5, character: 4 }],
    ],
  );
  assert.deepEqual(config.servers[0].source, { origin: 'workspace', uri: 'file:///w/.vscode/mcp.json', range: { start: { line: 3, character: 4 }, end: { line: 3, character: 20 } } });
});

test('mcp.json variants: mcpServers, an explicit sse type, env values, broken text', () => {
  const config = readMcpConfig('{ "mcpServers": { "a": { "type": "sse", "url": "http://x", "env": { "N": 1, "Z": null } }, "b": 3 }', 'u', 'user');
  assert.deepEqual(config.servers.map((s) => [s.name, s.transport, s.launch]), [['a', 'sse', { url: 'http://x', env: { N: '1' } }]]);
  assert.ok(config.errors > 0, 'the missing closing brace is reported');
  assert.deepEqual(readMcpConfig('not json', 'u', 'user').servers, []);
});

test('the catalogue merges origins (workspace over user over seen) and says when it changed', () => {
  const catalogue = new MemoryCatalogue();
  let changes = 0;
  const listening = catalogue.onDidChange(() => changes++);
  catalogue.setServers('user', [{ name: 'a', transport: 'http', source: { origin: 'user' } }, { name: 'u', source: { origin: 'user' } }]);
  catalogue.setServers('workspace', [{ name: 'a', transport: 'stdio', source: { origin: 'workspace' } }]);
  catalogue.setTools('proxied', [{ name: 'x' }], 'proxy');
  assert.deepEqual(catalogue.servers().map((s) => [s.name, s.source.origin, s.transport]), [
    ['a', 'workspace', 'stdio'],
    ['u', 'user', undefined],
    ['proxied', 'seen', undefined],
  ]);
  assert.equal(changes, 3);
  const revision = catalogue.revision;
  catalogue.clearTools('nothing-there');
  assert.equal(catalogue.revision, revision, 'clearing tools that were never set changes nothing');
  listening.dispose();
  catalogue.clearTools('proxied');
  assert.equal(changes, 3);
  assert.equal(catalogue.server('proxied'), undefined);
});

test('tools are ranked riskiest first with their risk, and copied so callers cannot change them', () => {
  const catalogue = new MemoryCatalogue();
  const tools = [{ name: 'list_items', annotations: { readOnlyHint: true } }, { name: 'drop_table' }, { name: 'update_row', annotations: { readOnlyHint: false, destructiveHint: false } }];
  catalogue.setTools('db', tools, 'discovery', 42);
  tools[0].name = 'changed';
  assert.deepEqual(catalogue.rankedTools('db').map((t) => [t.info.name, t.risk.category, t.risk.level]), [
    ['drop_table', 'destructive', 'critical'],
    ['update_row', 'write', 'high'],
    ['list_items', 'read', 'medium'],
  ]);
  assert.deepEqual([catalogue.tools('db')?.origin, catalogue.tools('db')?.updated], ['discovery', 42]);
  assert.equal(catalogue.tool('db', 'drop_table')?.risk.source, 'name');
  assert.deepEqual(catalogue.rankedTools('unknown'), []);
});
