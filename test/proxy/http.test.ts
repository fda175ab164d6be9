// The proxy's HTTP sides: Streamable HTTP toward the agent (--listen), one proxy session and one
// upstream per Mcp-Session-Id; and a URL upstream over Streamable HTTP or, failing that, legacy SSE.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  connectHttp,
  connectStdio,
  isAlive,
  RECORDING,
  recordedCalls,
  startEverythingHttp,
  startHttpProxy,
  tempDir,
  textOf,
  waitFor,
  writePolicy,
  yaml,
  type HttpProxy,
} from './helpers';

const POLICY = yaml(
  'version: 1',
  'servers:',
  '  rec:',
  '    tools:',
  '      delete_everything: { action: deny, reason: Never }',
  '      secret_debug: { hide: true }',
  '      write_note:',
  '        args: { type: object, required: [path], properties: { path: { type: string, pattern: "^notes/" } } }',
  '      add:',
  '        rate_limit: { max: 4, window: 60s }',
  '  everything:',
  '    tools:',
  '      get-env: { action: deny, reason: It prints the environment }',
);

describe('Streamable HTTP toward the agent', () => {
  const tmp = tempDir();
  const record = join(tmp.dir, 'record.jsonl');
  let proxy: HttpProxy;

  before(async () => {
    const policy = writePolicy(tmp.dir, POLICY);
    proxy = await startHttpProxy({ policy, server: 'rec', upstream: [process.execPath, RECORDING], env: { RECORD_FILE: record } });
  });
  after(async () => {
    await proxy?.close();
    tmp.cleanup();
  });

  it('forwards allowed calls; denied, hidden and failing-args calls never reach the server', async () => {
    const { client, transport } = await connectHttp(proxy);
    try {
      assert.equal(textOf(await client.callTool({ name: 'echo', arguments: { message: 'over http' } })), 'Echo: over http');
      const denied = await client.callTool({ name: 'delete_everything', arguments: {} });
      assert.match(textOf(denied), /^Blocked by policy: Never \(.*policy\.yaml:5\)$/);
      const hidden = await client.callTool({ name: 'secret_debug', arguments: {} });
      assert.equal(hidden.isError, true);
      assert.ok(!(await client.listTools()).tools.some((t) => t.name === 'secret_debug'));
      const badArgs = await client.callTool({ name: 'write_note', arguments: { path: '/etc/passwd' } });
      assert.match(textOf(badArgs), /^Blocked by policy: Arguments rejected/);
      const calls = recordedCalls(record);
      assert.ok(calls.includes('echo'));
      assert.ok(!calls.some((c) => c === 'delete_everything' || c === 'secret_debug' || c === 'write_note'));
    } finally {
      await transport.terminateSession();
      await client.close();
    }
  });

  it('counts rate limits per Mcp-Session-Id: exactly N of 50 concurrent calls in each session', async () => {
    const sessions: { client: Client; terminate: () => Promise<void> }[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const { client, transport } = await connectHttp(proxy);
        sessions.push({ client, terminate: async () => (await transport.terminateSession(), await client.close()) });
      }
      for (const { client } of sessions) {
        const results = await Promise.all(Array.from({ length: 50 }, (_, i) => client.callTool({ name: 'add', arguments: { a: i, b: 0 } })));
        assert.equal(results.filter((r) => !r.isError).length, 4);
        assert.match(textOf(results.find((r) => r.isError)), /Rate limit of 4 calls per 1m reached in this session/);
      }
      assert.equal(recordedCalls(record).filter((c) => c === 'add').length, 8);
    } finally {
      for (const s of sessions) await s.terminate();
    }
  });

  it('ends the upstream server of a session when the client deletes the session', async () => {
    const { client, transport } = await connectHttp(proxy);
    const pid = Number(textOf(await client.callTool({ name: 'whoami', arguments: {} })));
    assert.ok(isAlive(pid));
    await transport.terminateSession();
    await client.close();
    await waitFor(() => !isAlive(pid), 5000, 'the session’s upstream to exit');
  });

  it('answers bad HTTP requests with clear errors', async () => {
    const post = (body: string, headers: Record<string, string> = {}): Promise<Response> =>
      fetch(proxy.url, { method: 'POST', body, headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...proxy.auth, ...headers } });
    const parse = await post('{not json');
    assert.equal(parse.status, 400);
    assert.equal(((await parse.json()) as { error: { code: number } }).error.code, -32700);
    const noSession = await post(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }));
    assert.equal(noSession.status, 400);
    const unknown = await post(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }), { 'mcp-session-id': 'nope' });
    assert.equal(unknown.status, 404);
    const crossOrigin = await post(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }), { origin: 'https://evil.example' });
    assert.equal(crossOrigin.status, 403);
    const huge = await post(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(33 * 1024 * 1024) } }));
    assert.equal(huge.status, 413);
    assert.equal((await fetch(new URL('/other', proxy.url), { headers: proxy.auth })).status, 404);
    assert.equal(proxy.child.exitCode, null);
  });
});

describe('a URL upstream', () => {
  it('speaks Streamable HTTP to a server that does', async () => {
    const tmp = tempDir();
    const server = await startEverythingHttp('streamableHttp');
    const policy = writePolicy(tmp.dir, POLICY);
    const proxy = await connectStdio({ policy, server: 'everything', upstream: [], extraArgs: ['--url', `http://127.0.0.1:${server.port}/mcp`] });
    try {
      assert.equal(textOf(await proxy.client.callTool({ name: 'echo', arguments: { message: 'via url' } })), 'Echo: via url');
      assert.match(textOf(await proxy.client.callTool({ name: 'get-env', arguments: {} })), /^Blocked by policy: It prints the environment/);
      assert.ok((await proxy.client.listTools()).tools.length > 5);
    } finally {
      await proxy.close();
      await server.close();
      tmp.cleanup();
    }
  });

  it('passes over the priming events of a resumable server without calling them malformed', async () => {
    // server-everything keeps an event store, so each SSE answer opens with an event that carries an
    // id and empty data (resumability, protocol 2025-11-25): no message, and nothing to complain about.
    const tmp = tempDir();
    const server = await startEverythingHttp('streamableHttp');
    const policy = writePolicy(tmp.dir, POLICY);
    const proxy = await connectStdio({ policy, server: 'everything', upstream: [], extraArgs: ['--url', `http://127.0.0.1:${server.port}/mcp`] });
    try {
      for (const message of ['one', 'two', 'three']) {
        assert.equal(textOf(await proxy.client.callTool({ name: 'echo', arguments: { message } })), `Echo: ${message}`);
      }
      assert.doesNotMatch(proxy.stderr(), /not JSON-RPC/);
    } finally {
      await proxy.close();
      await server.close();
      tmp.cleanup();
    }
  });

  it('falls back to the legacy SSE transport for a server that only speaks that', async () => {
    const tmp = tempDir();
    const server = await startEverythingHttp('sse');
    const policy = writePolicy(tmp.dir, POLICY);
    const proxy = await connectStdio({ policy, server: 'everything', upstream: [], extraArgs: ['--url', `http://127.0.0.1:${server.port}/sse`] });
    try {
      assert.equal(textOf(await proxy.client.callTool({ name: 'echo', arguments: { message: 'via sse' } })), 'Echo: via sse');
      assert.match(textOf(await proxy.client.callTool({ name: 'get-env', arguments: {} })), /^Blocked by policy/);
      assert.match(proxy.stderr(), /does not speak Streamable HTTP \(HTTP 4\d\d\); trying the legacy SSE transport/);
    } finally {
      await proxy.close();
      await server.close();
      tmp.cleanup();
    }
  });
});
