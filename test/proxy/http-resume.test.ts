// Resuming a dropped SSE stream of the Streamable HTTP side: the SDK's client, cut off in the middle of a
// long call, comes back with Last-Event-ID and receives the rest of that call's stream and its answer.
import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { EVERYTHING, INITIALIZE, startHttpProxy, tempDir, textOf, writePolicy, yaml, type HttpProxy } from './helpers';

/** A TCP relay in front of the proxy whose connections the test can cut, and that notes each request head. */
async function cuttableRelay(target: URL): Promise<{ url: URL; cut: () => void; heads: string[]; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const heads: string[] = [];
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.on('data', (chunk: Buffer) => {
      const text = chunk.toString('latin1');
      if (/^(GET|POST|DELETE) /.test(text)) heads.push(text.slice(0, text.indexOf('\r\n\r\n')));
    });
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: new URL(`http://127.0.0.1:${port}${target.pathname}`),
    heads,
    cut: () => {
      for (const socket of sockets) socket.destroy();
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('Streamable HTTP: resuming a dropped stream', () => {
  const tmp = tempDir();
  let proxy: HttpProxy;

  before(async () => {
    const policy = writePolicy(tmp.dir, yaml('version: 1', 'default: allow'));
    proxy = await startHttpProxy({ policy, server: 'everything', upstream: [process.execPath, EVERYTHING, 'stdio'] });
  });
  after(async () => {
    await proxy?.close();
    tmp.cleanup();
  });

  it('delivers the rest of a long call, and its answer, after the connection drops mid-call', async () => {
    const relay = await cuttableRelay(proxy.url);
    const transport = new StreamableHTTPClientTransport(relay.url, {
      reconnectionOptions: { initialReconnectionDelay: 50, maxReconnectionDelay: 200, reconnectionDelayGrowFactor: 1.5, maxRetries: 5 },
    });
    const client = new Client({ name: 'resume-test', version: '1' });
    await client.connect(transport);
    try {
      const progress: number[] = [];
      let cut = false;
      const result = await client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 1.5, steps: 5 } }, undefined, {
        onprogress: ({ progress: step }) => {
          progress.push(step);
          if (!cut) {
            cut = true;
            relay.cut();
          }
        },
        timeout: 20_000,
      });
      assert.match(textOf(result), /completed/i);
      assert.deepEqual(progress, [1, 2, 3, 4, 5], 'every progress notification arrives once, in order');
      const resumed = relay.heads.filter((head) => head.startsWith('GET ') && /^last-event-id: p\d+_\d+$/im.test(head));
      assert.equal(resumed.length, 1, `one GET resumes the call's stream; requests seen:\n${relay.heads.join('\n\n')}`);
    } finally {
      await transport.terminateSession().catch(() => undefined);
      await client.close();
      await relay.close();
    }
  });

  it('numbers every event of a streamed answer, and refuses to resume from an event it does not hold', async () => {
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const init = await fetch(proxy.url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: 1, ...INITIALIZE }) });
    const sessionId = init.headers.get('mcp-session-id')!;
    await init.text();
    const session = { ...headers, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' };
    await (await fetch(proxy.url, { method: 'POST', headers: session, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text();
    try {
      const call = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'trigger-long-running-operation', arguments: { duration: 0.2, steps: 2 }, _meta: { progressToken: 'p' } } };
      const streamed = await fetch(proxy.url, { method: 'POST', headers: session, body: JSON.stringify(call) });
      assert.equal(streamed.headers.get('content-type'), 'text/event-stream');
      const events = (await streamed.text()).split('\n\n').filter((event) => event.trim() !== '');
      // A first event with only an id (protocol 2025-11-25), then notifications (progress), then the answer.
      assert.match(events[0], /^id: p\d+_0\ndata:$/);
      const ids = events.map((event) => /^id: (p\d+)_(\d+)$/m.exec(event));
      assert.ok(ids.every((id) => id !== null && id[1] === ids[0]![1]), `all on one stream:\n${events.join('\n\n')}`);
      assert.deepEqual(
        ids.map((id) => Number(id![2])),
        events.map((_, n) => n),
      );
      const middle = events.slice(1, -1);
      assert.ok(middle.every((event) => /"method":"notifications\//.test(event)), events.join('\n\n'));
      assert.ok(middle.some((event) => event.includes('"notifications/progress"')), events.join('\n\n'));
      assert.match(events.at(-1)!, /^data: \{"result":.*"id":2\}$/m);

      const unknown = await fetch(proxy.url, { headers: { ...session, 'last-event-id': 'p999_3' } });
      assert.equal(unknown.status, 400);
      assert.match(((await unknown.json()) as { error: { message: string } }).error.message, /no stream of this session holds the event "p999_3"/);
    } finally {
      await fetch(proxy.url, { method: 'DELETE', headers: { 'mcp-session-id': sessionId } });
    }
  });
});
