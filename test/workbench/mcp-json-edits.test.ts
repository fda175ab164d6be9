import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseJsonc } from 'jsonc-parser';
import { readServerEntry, removeServerEntry, restoreServerEntry } from '../../src/workbench/mcp-json-edits';

/** Parsed as plain data, so deepEqual compares values only. */
const parse = (text: string) => JSON.parse(JSON.stringify(parseJsonc(text)));

const MCP_JSON = `{
  // Servers of this workspace.
  "inputs": [
    { "type": "promptString", "id": "token", "description": "API token", "password": true }
  ],
  "servers": {
    // The reference server: every MCP feature.
    "everything": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-everything"]
    },
    // A fake security scanner.
    "security-scanner": {
      "type": "stdio",
      "command": "node",
      "args": ["\${workspaceFolder}/scanner.js"], // the fixture
      "env": { "TOKEN": "\${input:token}" }
    }, // trailing note
    "remote": { "url": "https://example.test/mcp" }
  }
}
`;

test('readServerEntry gives the entry as a value', () => {
  assert.deepEqual(readServerEntry(MCP_JSON, 'remote'), { url: 'https://example.test/mcp' });
  assert.equal(readServerEntry(MCP_JSON, 'missing'), undefined);
});

test('removing an entry takes its lines and the comment above it, and nothing else', () => {
  const { text, removed } = removeServerEntry(MCP_JSON, 'security-scanner');
  assert.equal(
    text,
    MCP_JSON.replace(/ {4}\/\/ A fake security scanner\.\n[\s\S]*?\/\/ trailing note\n/, ''),
  );
  assert.deepEqual(parse(text).servers, { everything: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-everything'] }, remote: { url: 'https://example.test/mcp' } });
  assert.deepEqual(removed.value, { type: 'stdio', command: 'node', args: ['${workspaceFolder}/scanner.js'], env: { TOKEN: '${input:token}' } });
  assert.equal(removed.previous, 'everything');
  assert.equal(restoreServerEntry(text, 'security-scanner', removed.value, removed), MCP_JSON, 'undo gives the text back byte for byte');
});

test('removing the last entry also removes the comma before it; undo puts both back', () => {
  const { text, removed } = removeServerEntry(MCP_JSON, 'remote');
  assert.match(text, /\}  \/\/ trailing note\n {2}\}\n\}\n$|\} \/\/ trailing note\n {2}\}\n\}\n$/);
  assert.deepEqual(Object.keys(parse(text).servers), ['everything', 'security-scanner']);
  assert.equal(restoreServerEntry(text, 'remote', removed.value, removed), MCP_JSON);
});

test('removing the first entry keeps the comment of the next one', () => {
  const { text } = removeServerEntry(MCP_JSON, 'everything');
  assert.match(text, /"servers": \{\n {4}\/\/ A fake security scanner\.\n {4}"security-scanner"/);
  assert.doesNotMatch(text, /reference server/);
});

test('into a file changed since, the entry is written fresh after the server that preceded it', () => {
  const { text, removed } = removeServerEntry(MCP_JSON, 'security-scanner');
  const changed = text.replace('"https://example.test/mcp"', '"https://example.test/v2/mcp"');
  const restored = restoreServerEntry(changed, 'security-scanner', removed.value, removed);
  assert.deepEqual(Object.keys(parse(restored).servers), ['everything', 'security-scanner', 'remote']);
  assert.deepEqual(parse(restored).servers['security-scanner'], removed.value);
  assert.match(restored, /\n {4}"security-scanner": \{\n {6}"type": "stdio",\n/, 'indented like its siblings');
  assert.match(restored, /\/\/ The reference server/, 'other comments stay');
});

test('an entry whose value changed is written fresh, not from the old text', () => {
  const { text, removed } = removeServerEntry(MCP_JSON, 'remote');
  const restored = restoreServerEntry(text, 'remote', { url: 'https://example.test/other' }, removed);
  assert.deepEqual(parse(restored).servers.remote, { url: 'https://example.test/other' });
});

test('without a record (a teammate\'s clone), the entry goes last; tabs and CRLF are kept', () => {
  const tabbed = '{\r\n\t"servers": {\r\n\t\t"a": {\r\n\t\t\t"command": "x"\r\n\t\t}\r\n\t}\r\n}\r\n';
  const restored = restoreServerEntry(tabbed, 'b', { command: 'y', args: ['1'] });
  assert.equal(restored, '{\r\n\t"servers": {\r\n\t\t"a": {\r\n\t\t\t"command": "x"\r\n\t\t},\r\n\t\t"b": {\r\n\t\t\t"command": "y",\r\n\t\t\t"args": [\r\n\t\t\t\t"1"\r\n\t\t\t]\r\n\t\t}\r\n\t}\r\n}\r\n');
  assert.equal(removeServerEntry(restored, 'b').text, tabbed, 'removal is the inverse of that insertion');
});

test('empty servers, a file without servers, and an empty file', () => {
  assert.deepEqual(parse(restoreServerEntry('{ "servers": {} }', 'a', { command: 'x' })), { servers: { a: { command: 'x' } } });
  assert.deepEqual(parse(restoreServerEntry('{ "inputs": [] }', 'a', { command: 'x' })), { inputs: [], servers: { a: { command: 'x' } } });
  assert.deepEqual(parse(restoreServerEntry('', 'a', { command: 'x' })), { servers: { a: { command: 'x' } } });
  const only = '{\n  "servers": {\n    "a": { "command": "x" }\n  }\n}\n';
  const { text, removed } = removeServerEntry(only, 'a');
  assert.deepEqual(parse(text), { servers: {} });
  assert.equal(restoreServerEntry(text, 'a', removed.value, removed), only);
});

test('entries sharing a line are removed like a JSON editor would', () => {
  const inline = '{ "servers": { "a": { "command": "x" }, "b": { "command": "y" }, "c": {} } }';
  assert.deepEqual(parse(removeServerEntry(inline, 'b').text), { servers: { a: { command: 'x' }, c: {} } });
  assert.deepEqual(parse(removeServerEntry(inline, 'a').text), { servers: { b: { command: 'y' }, c: {} } });
  assert.deepEqual(parse(removeServerEntry(inline, 'c').text), { servers: { a: { command: 'x' }, b: { command: 'y' } } });
});

test('refusals: a missing server, a duplicate, a broken file', () => {
  assert.throws(() => removeServerEntry(MCP_JSON, 'nope'), /declares no server "nope"/);
  assert.throws(() => restoreServerEntry(MCP_JSON, 'remote', { url: 'x' }), /already declares a server "remote"/);
  assert.throws(() => removeServerEntry('{ "servers": { "a": { } ', 'a'), /syntax errors/);
});
