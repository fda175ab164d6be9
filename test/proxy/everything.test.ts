// server-everything behind the proxy, over stdio and over Streamable HTTP, with the SDK's Client:
// allowed calls work, denied and hidden ones do not, and everything the proxy does not intercept
// passes both ways: sampling, elicitation and roots requests from the server reach the client and
// their answers come back; progress notifications of a long operation arrive.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CreateMessageRequestSchema, ElicitRequestSchema, ListRootsRequestSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { connectHttp, connectStdio, EVERYTHING, startHttpProxy, tapIncoming, tempDir, textOf, writePolicy, yaml } from './helpers';

const POLICY = yaml(
  'version: 1',
  'servers:',
  '  everything:',
  '    tools:',
  '      get-env:',
  '        action: deny',
  '        reason: It prints the environment',
  '      get-tiny-image:',
  '        hide: true',
);

const CAPABILITIES = { sampling: {}, elicitation: {}, roots: { listChanged: true } };

function answerServerRequests(client: Client, seen: string[]): void {
  client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
    seen.push('sampling');
    const first = request.params.messages[0]?.content as { text?: string };
    return { model: 'test-model', role: 'assistant', content: { type: 'text', text: `sampled reply to: ${first.text}` } };
  });
  client.setRequestHandler(ElicitRequestSchema, async () => {
    seen.push('elicitation');
    return { action: 'accept', content: { name: 'Ada Lovelace', check: true } };
  });
  client.setRequestHandler(ListRootsRequestSchema, async () => {
    seen.push('roots');
    return { roots: [{ uri: 'file:///tmp/warden-test-root', name: 'test root' }] };
  });
}

for (const transport of ['stdio', 'http'] as const) {
  describe(`server-everything through the proxy over ${transport}`, () => {
    const tmp = tempDir();
    const seen: string[] = [];
    let client: Client;
    let incoming: JSONRPCMessage[];
    let stop: () => Promise<void>;

    before(async () => {
      const policy = writePolicy(tmp.dir, POLICY);
      const options = { policy, server: 'everything', upstream: [process.execPath, EVERYTHING, 'stdio'] };
      if (transport === 'stdio') {
        const connected = await connectStdio(options, CAPABILITIES);
        client = connected.client;
        incoming = tapIncoming(connected.transport);
        stop = connected.close;
      } else {
        const proxy = await startHttpProxy(options);
        const connected = await connectHttp(proxy, CAPABILITIES);
        client = connected.client;
        incoming = tapIncoming(connected.transport);
        stop = async () => {
          await connected.transport.terminateSession();
          await client.close();
          await proxy.close();
        };
      }
      answerServerRequests(client, seen);
    });
    after(async () => {
      await stop?.();
      tmp.cleanup();
    });

    it('forwards allowed calls', async () => {
      assert.equal(textOf(await client.callTool({ name: 'echo', arguments: { message: 'through' } })), 'Echo: through');
      assert.match(textOf(await client.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } })), /\b5\b/);
    });

    it('blocks denied calls and hides hidden tools', async () => {
      const denied = await client.callTool({ name: 'get-env', arguments: {} });
      assert.equal(denied.isError, true);
      assert.match(textOf(denied), /^Blocked by policy: It prints the environment \(.*policy\.yaml:5\)$/);
      const { tools } = await client.listTools();
      const names = tools.map((t) => t.name);
      assert.ok(!names.includes('get-tiny-image'));
      assert.ok(names.includes('trigger-sampling-request'), 'the client declared sampling, so the server offers it');
    });

    it('relays a sampling request from the server and its answer back', async () => {
      const result = await client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'warden', maxTokens: 20 } });
      assert.ok(seen.includes('sampling'));
      assert.match(JSON.stringify(result.content), /sampled reply to: .*warden/);
    });

    it('relays an elicitation request from the server and its answer back', async () => {
      const result = await client.callTool({ name: 'trigger-elicitation-request', arguments: {} });
      assert.ok(seen.includes('elicitation'));
      assert.match(JSON.stringify(result.content), /Name: Ada Lovelace/);
    });

    it('relays the server’s roots request and the client’s roots', async () => {
      const result = await client.callTool({ name: 'get-roots-list', arguments: {} });
      assert.ok(seen.includes('roots'));
      assert.match(JSON.stringify(result.content), /file:\/\/\/tmp\/warden-test-root/);
    });

    it('delivers the progress notifications of a long operation', async () => {
      const start = incoming.length;
      const result = await client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 0.3, steps: 3 } }, undefined, {
        onprogress: () => undefined,
      });
      assert.match(textOf(result), /Long running operation completed/);
      const progress = incoming
        .slice(start)
        .filter((m) => 'method' in m && m.method === 'notifications/progress')
        .map((m) => (m as unknown as { params: { progress: number } }).params.progress);
      assert.deepEqual(progress, [1, 2, 3]);
    });

    it('passes resources and prompts through untouched', async () => {
      const { resources } = await client.listResources();
      assert.ok(resources.length > 0);
      const read = await client.readResource({ uri: resources[0].uri });
      assert.ok(read.contents.length > 0);
      const { prompts } = await client.listPrompts();
      assert.ok(prompts.some((p) => p.name.length > 0));
    });
  });
}
