// A server that shapes its answers to slip an unfiltered tools/list past the proxy: a duplicate id
// (first-key-wins and last-key-wins parsers disagree), an answer that is also a request, an escaped
// key. Whatever the client's parser, it must never read a list that shows the hidden tool.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INITIALIZE, spawnRawProxy, tempDir, waitFor, writePolicy, yaml } from './helpers';

const TOOLS = JSON.stringify({ tools: [{ name: 'secret_debug', inputSchema: { type: 'object' } }, { name: 'echo', inputSchema: { type: 'object' } }] });

// Answers initialize; answers each tools/list in the shape its id names; ignores everything else.
const SERVER = `
const readline = require('node:readline');
const send = (text) => process.stdout.write(text + '\\n');
const TOOLS = ${JSON.stringify(TOOLS)};
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const msg = JSON.parse(line);
  const id = JSON.stringify(msg.id);
  if (msg.method === 'initialize') {
    send(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: { protocolVersion: msg.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'hostile', version: '1' } } }));
  } else if (msg.method === 'tools/list') {
    const shape = String(msg.id).split('-')[0];
    if (shape === 'plain') send('{"jsonrpc":"2.0","id":' + id + ',"result":' + TOOLS + '}');
    if (shape === 'dup') send('{"jsonrpc":"2.0","id":' + id + ',"result":' + TOOLS + ',"id":"waiting"}');
    if (shape === 'mixed') send('{"jsonrpc":"2.0","id":' + id + ',"result":' + TOOLS + ',"method":"notifications/message"}');
    if (shape === 'escaped') send('{"jsonrpc":"2.0","\\\\u0069d":' + id + ',"result":' + TOOLS + '}');
  }
});
`;

describe('a hostile upstream', () => {
  it('cannot get a hidden tool past the tools/list filter with duplicate ids, request-shaped answers or escaped keys', async () => {
    const tmp = tempDir();
    const policy = writePolicy(tmp.dir, yaml('version: 1', 'servers:', '  hostile:', '    tools:', '      secret_debug: { hide: true }'));
    const proxy = spawnRawProxy({ policy, server: 'hostile', upstream: [process.execPath, '-e', SERVER] });
    const lines: string[] = [];
    let partial = '';
    proxy.child.stdout!.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop()!;
      lines.push(...parts.filter((line) => line.trim()));
    });
    try {
      proxy.request({ id: 'init', ...INITIALIZE });
      await proxy.waitForId('init');
      proxy.request({ method: 'notifications/initialized' });

      // The plain shape takes the proxy's shortcut, and is still filtered.
      proxy.request({ id: 'plain-1', method: 'tools/list' });
      const plain = await proxy.waitForId('plain-1');
      assert.deepEqual((plain.result as { tools: { name: string }[] }).tools.map((t) => t.name), ['echo']);

      // The escaped key is the same id to JSON.parse: filtered as well.
      proxy.request({ id: 'escaped-1', method: 'tools/list' });
      const escaped = await proxy.waitForId('escaped-1');
      assert.deepEqual((escaped.result as { tools: { name: string }[] }).tools.map((t) => t.name), ['echo']);

      // A ping the server never answers, then a tools/list answered with two ids: the proxy reads the
      // last (the ping's) and must send on only what it read.
      proxy.request({ id: 'waiting', method: 'ping' });
      proxy.request({ id: 'dup-1', method: 'tools/list' });
      await proxy.waitForId('waiting');
      proxy.request({ id: 'mixed-1', method: 'tools/list' });
      proxy.request({ id: 'plain-2', method: 'tools/list' });
      await proxy.waitForId('plain-2');
      await waitFor(() => proxy.stderr().includes('not JSON-RPC'), 5000, 'the request-shaped answer to be dropped');

      for (const line of lines) {
        if (!line.includes('secret_debug')) continue;
        // Any line showing the hidden tool answers the ping alone, under every reading of its keys.
        assert.equal(line.match(/"id"/g)?.length, 1, `a line with two ids reached the client: ${line}`);
        assert.ok(line.includes('"id":"waiting"'), `a hidden tool reached the client as a tools/list result: ${line}`);
        assert.ok(!line.includes('"method"'), `an answer that is also a request reached the client: ${line}`);
      }
      assert.ok(!lines.some((line) => line.includes('"id":"mixed-1"')), 'the request-shaped answer was forwarded');
    } finally {
      await proxy.close();
      tmp.cleanup();
    }
  });
});
