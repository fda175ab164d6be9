// Resuming a dropped SSE stream, on both HTTP sides. Toward the agent: the SDK's client, cut off in the
// middle of a long call, comes back with Last-Event-ID and receives the rest of that call's stream and
// its answer. Toward a URL upstream: the proxy does the same for the server's stream, and a stream that
// ends without an answer and cannot be resumed fails the call instead of leaving it waiting.
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { connectStdio, cuttableRelay, EVERYTHING, INITIALIZE, ROOT, startHttpProxy, startListening, tempDir, textOf, writePolicy, yaml, type HttpProxy, type ListeningServer } from './helpers';

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
      requestInit: { headers: proxy.auth },
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

  /** A session opened with raw HTTP, as a client of protocol 2025-11-25. */
  async function rawSession(): Promise<{ headers: Record<string, string>; end: () => Promise<void> }> {
    const base = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...proxy.auth };
    const init = await fetch(proxy.url, { method: 'POST', headers: base, body: JSON.stringify({ jsonrpc: '2.0', id: 1, ...INITIALIZE }) });
    const sessionId = init.headers.get('mcp-session-id')!;
    await init.text();
    const headers = { ...base, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' };
    await (await fetch(proxy.url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text();
    return { headers, end: async () => void (await fetch(proxy.url, { method: 'DELETE', headers: { ...proxy.auth, 'mcp-session-id': sessionId } })) };
  }

  const longCall = (id: number, duration: number): string =>
    JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'trigger-long-running-operation', arguments: { duration, steps: 2 }, _meta: { progressToken: `t${id}` } } });

  it('numbers every event of a streamed answer, and refuses to resume from an event it does not hold', async () => {
    const session = await rawSession();
    try {
      const streamed = await fetch(proxy.url, { method: 'POST', headers: session.headers, body: longCall(2, 0.2) });
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

      for (const id of ['p999_3', 'not-one-of-ours']) {
        const unknown = await fetch(proxy.url, { headers: { ...session.headers, 'last-event-id': id } });
        assert.equal(unknown.status, 400);
        assert.match(((await unknown.json()) as { error: { message: string } }).error.message, new RegExp(`no stream of this session holds the event "${id}"`));
      }
    } finally {
      await session.end();
    }
  });

  it('keeps the answer of a call whose connection dropped, for a client that comes back after the call is over', async () => {
    const session = await rawSession();
    try {
      const dropped = new AbortController();
      const streamed = await fetch(proxy.url, { method: 'POST', headers: session.headers, body: longCall(3, 0.3), signal: dropped.signal });
      const reader = streamed.body!.getReader();
      const first = new TextDecoder().decode((await reader.read()).value);
      const primed = /^id: (p\d+_0)$/m.exec(first)?.[1];
      assert.ok(primed, first);
      dropped.abort();
      await new Promise((resolve) => setTimeout(resolve, 1000)); // the call ends meanwhile, with no connection to take its answer

      const resumed = await fetch(proxy.url, { headers: { ...session.headers, 'last-event-id': primed } });
      assert.equal(resumed.status, 200);
      const body = await resumed.text(); // ends: the stream has had its answer
      assert.match(body, /"notifications\/progress"/);
      assert.match(body, /^data: \{"result":.*"id":3\}$/m);
      assert.doesNotMatch(body, /^id: p\d+_0$/m, 'only what followed the Last-Event-ID');

      const again = await fetch(proxy.url, { headers: { ...session.headers, 'last-event-id': primed } });
      assert.equal(again.status, 400, 'a stream that a connection took to its end is forgotten');
      await again.text();
    } finally {
      await session.end();
    }
  });
});

/** The fixture server that keeps its events (test/fixtures/resumable-http-server.js), on a free port. */
function startResumableServer(): Promise<ListeningServer> {
  return startListening('the resumable server', [join(ROOT, 'test/fixtures/resumable-http-server.js')]);
}

/**
 * A Streamable HTTP server written out by a test: it answers initialize and takes notifications itself,
 * and hands `respond` every other request, with the request's message when it is a POST.
 */
async function scriptedServer(
  name: string,
  respond: (req: IncomingMessage, res: ServerResponse, call: { id: number; method: string } | undefined) => void,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const msg = req.method === 'POST' ? (JSON.parse(body) as { id?: number; method: string }) : undefined;
      if (msg && msg.id === undefined) return void res.writeHead(202).end();
      if (msg?.method === 'initialize') {
        const result = { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name, version: '1' } };
        return void res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 's1' }).end(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result }));
      }
      if (req.method === 'DELETE') return void res.writeHead(200).end();
      respond(req, res, msg as { id: number; method: string } | undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/mcp`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('a URL upstream: resuming a dropped stream', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it("resumes the server's stream from its last event id when the connection drops mid-call", async () => {
    const server = await startResumableServer();
    const relay = await cuttableRelay(server.url);
    const policy = writePolicy(tmp.dir, yaml('version: 1', 'default: allow'));
    const proxy = await connectStdio({ policy, server: 'resumable', upstream: [], extraArgs: ['--url', relay.url.href] });
    try {
      const progress: number[] = [];
      // Steps slower than the proxy's wait before resuming (1 s): the SDK's client drops progress that
      // reaches it in the same read as the answer, so the answer must not come with the replayed events.
      const result = await proxy.client.callTool({ name: 'steps', arguments: { count: 6, ms: 400 } }, undefined, {
        onprogress: ({ progress: step }) => {
          progress.push(step);
          if (progress.length === 1) relay.cut();
        },
        timeout: 20_000,
      });
      assert.equal(textOf(result), 'done after 6 steps');
      assert.deepEqual(progress, [1, 2, 3, 4, 5, 6], 'every progress notification arrives once, in order');
      assert.ok(
        relay.heads.some((head) => head.startsWith('GET ') && /^last-event-id: \S+$/im.test(head)),
        `the proxy resumes with Last-Event-ID; requests seen:\n${relay.heads.join('\n\n')}`,
      );
    } finally {
      await proxy.close();
      await relay.close();
      await server.close();
    }
  });

  it('keeps coming back to a server that ends its stream after every event (polling), for as long as events come', async () => {
    // Each connection brings one event with an id and a retry hint, then ends: the POST and five GETs,
    // more than the proxy's tries (3) for a stream that brings nothing.
    const events = [1, 2, 3, 4, 5].map((step) => ({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: `step ${step}` } }));
    const heads: string[] = [];
    let callId = -1;
    const sse = (res: ServerResponse, id: number, message: unknown): void =>
      void res.writeHead(200, { 'content-type': 'text/event-stream' }).end(`retry: 20\nid: e${id}\nevent: message\ndata: ${JSON.stringify(message)}\n\n`);
    const server = await scriptedServer('polling', (req, res, call) => {
      heads.push(`${req.method} ${req.headers['last-event-id'] ?? ''}`);
      if (call) {
        callId = call.id;
        return sse(res, 0, events[0]);
      }
      const after = Number(/^e(\d+)$/.exec(String(req.headers['last-event-id']))?.[1]);
      if (req.method !== 'GET' || !Number.isInteger(after)) return void res.writeHead(405).end();
      const answer = { jsonrpc: '2.0', id: callId, result: { content: [{ type: 'text', text: 'polled to the end' }] } };
      sse(res, after + 1, after + 1 < events.length ? events[after + 1] : answer);
    });
    const policy = writePolicy(tmp.dir, yaml('version: 1', 'default: allow'));
    const proxy = await connectStdio({ policy, server: 'polling', upstream: [], extraArgs: ['--url', server.url] });
    try {
      const result = await proxy.client.callTool({ name: 'anything', arguments: {} }, undefined, { timeout: 10_000 });
      assert.equal(textOf(result), 'polled to the end');
      assert.deepEqual(
        heads.filter((head) => head.startsWith('GET e')),
        ['GET e0', 'GET e1', 'GET e2', 'GET e3', 'GET e4'],
      );
    } finally {
      await proxy.close();
      await server.close();
    }
  });

  it('fails a call whose stream ends without an answer and without an event id to resume from', async () => {
    // A server that streams one notification about the call, then ends the stream with no answer.
    const server = await scriptedServer('cut-short', (_req, res, call) => {
      if (!call) return void res.writeHead(405).end();
      const notification = { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'working' } };
      res.writeHead(200, { 'content-type': 'text/event-stream' }).end(`event: message\ndata: ${JSON.stringify(notification)}\n\n`);
    });
    const policy = writePolicy(tmp.dir, yaml('version: 1', 'default: allow'));
    const proxy = await connectStdio({ policy, server: 'cut', upstream: [], extraArgs: ['--url', server.url] });
    try {
      await assert.rejects(
        proxy.client.callTool({ name: 'anything', arguments: {} }, undefined, { timeout: 10_000 }),
        /the server ended its stream before answering/,
      );
    } finally {
      await proxy.close();
      await server.close();
    }
  });
});
