// The gateway's session cap is shared fairly among the servers it serves: a client of one server that
// opens sessions up to the cap cannot keep every other server's clients out. An idle gateway lets one
// server use the whole cap; a server below its share (the cap divided by the servers served, rounded
// down) then takes back a session from the server most over its own share. Real processes: the bundled
// CLI, the recording fixture servers, raw HTTP and the SDK's Streamable HTTP client.
import assert from 'node:assert/strict';
import { request, type ClientRequest } from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RECORDING, tempDir, textOf, waitFor, writePolicy, yaml } from '../proxy/helpers';
import { connectServer, fetchRaw, initializeRaw, serverUrl, startGateway, type Gateway } from './helpers';

function policyText(dir: string, names: string[]): string {
  const lines = ['version: 1', 'default: allow', 'servers:'];
  for (const name of names) {
    lines.push(`  ${name}:`, '    launch:', '      command: node', `      args: [${JSON.stringify(RECORDING)}]`, `      env: { RECORD_FILE: ${JSON.stringify(join(dir, `${name}.jsonl`))} }`);
  }
  return yaml(...lines);
}

/** Opens a session with a raw initialize: its id, or the refusal's status. */
async function open(gateway: Gateway, name: string): Promise<{ status: number; id?: string; message: string }> {
  const answer = await initializeRaw(gateway, name, gateway.token);
  const id = answer.headers['mcp-session-id'];
  const message = answer.status === 200 ? '' : ((JSON.parse(answer.body) as { error: { message: string } }).error.message ?? '');
  return { status: answer.status, id: typeof id === 'string' ? id : undefined, message };
}

async function listTools(gateway: Gateway, name: string, session: string): Promise<number> {
  const answer = await fetchRaw(serverUrl(gateway, name).href, {
    method: 'POST',
    headers: { authorization: `Bearer ${gateway.token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': session },
    body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
  });
  return answer.status;
}

/** A POST whose body is declared at `declared` bytes and never finished: it holds that much of the budget. */
function slowBody(gateway: Gateway, name: string, declared: number): { req: ClientRequest; status: Promise<number> } {
  const req = request(serverUrl(gateway, name), {
    method: 'POST',
    headers: { authorization: `Bearer ${gateway.token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'content-length': String(declared) },
  });
  const status = new Promise<number>((resolve) => {
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(-1));
  });
  req.write('{"jsonrpc":"2.0","id":1,');
  return { req, status };
}

describe('gateway: each served server keeps its fair share of --max-sessions', () => {
  it('one server’s client at the cap: another server can still open its share, and the first keeps its own', async () => {
    const tmp = tempDir();
    const policy = writePolicy(tmp.dir, policyText(tmp.dir, ['alpha', 'beta', 'gamma']));
    const gateway = await startGateway(['--policy', policy, '--listen', '127.0.0.1:0', '--max-sessions', '6']);
    try {
      // Idle gateway: alpha's client may take every session, and no more.
      const alpha: string[] = [];
      for (let i = 0; i < 6; i++) {
        const opened = await open(gateway, 'alpha');
        assert.equal(opened.status, 200, `alpha's session ${i + 1}: ${opened.message}`);
        alpha.push(opened.id!);
      }
      const seventh = await open(gateway, 'alpha');
      assert.equal(seventh.status, 503);
      assert.match(seventh.message, /already has 6 sessions open \(--max-sessions\)/);

      // Beta's client still gets its share of two (6 / 3 servers), through the SDK and raw.
      const client = await connectServer(gateway, 'beta', gateway.token);
      try {
        assert.equal(textOf(await client.callTool({ name: 'echo', arguments: { message: 'fair' } })), 'Echo: fair');
        const second = await open(gateway, 'beta');
        assert.equal(second.status, 200, second.message);
        // At its share with the cap full: refused, it takes nothing from alpha's share.
        const third = await open(gateway, 'beta');
        assert.equal(third.status, 503);
        assert.match(third.message, /this server holds 2 of them and its share is 2 \(3 servers served\)/);
        const gamma = [await open(gateway, 'gamma'), await open(gateway, 'gamma')];
        assert.deepEqual(gamma.map((g) => g.status), [200, 200]);

        // Four of alpha's sessions were ended to make room (the longest unused first); its share of two stays.
        const statuses = await Promise.all(alpha.map((id) => listTools(gateway, 'alpha', id)));
        assert.deepEqual(statuses, [404, 404, 404, 404, 200, 200]);
        await waitFor(() => (gateway.stderr().match(/ended to make room/g) ?? []).length === 4, 3000, 'the log of the four ended sessions');
        assert.match(gateway.stderr(), /HTTP session \S+ of "alpha" ended to make room for a session of "beta": "alpha" held 6 of 6 sessions, over its share of 2/);
        assert.equal((await open(gateway, 'alpha')).status, 503, 'alpha, at its share with the cap full, gets no more');
        // Beta's live session was never touched.
        assert.equal(textOf(await client.callTool({ name: 'echo', arguments: { message: 'still' } })), 'Echo: still');
      } finally {
        await client.close();
      }
    } finally {
      await gateway.close();
      tmp.cleanup();
    }
  });
});

describe('gateway: each served server keeps a reserve of the in-flight byte budget', () => {
  it('one server’s slow bodies cannot hold the whole budget: another server’s request still fits', async () => {
    const tmp = tempDir();
    const policy = writePolicy(tmp.dir, policyText(tmp.dir, ['alpha', 'beta']));
    const gateway = await startGateway(['--policy', policy, '--listen', '127.0.0.1:0', '--max-frame-bytes', '4096', '--max-inflight-bytes', '8192']);
    const slow: ClientRequest[] = [];
    try {
      // Alpha's first body of the largest size is taken (one server alone can always receive one).
      const first = slowBody(gateway, 'alpha', 4090);
      slow.push(first.req);
      await waitFor(() => gateway.stderr().length > 0, 1000, 'the gateway');
      await new Promise((resolve) => setTimeout(resolve, 200));
      // A second would leave beta nothing: refused, and the connection closed.
      const second = slowBody(gateway, 'alpha', 4090);
      slow.push(second.req);
      assert.equal(await second.status, 503);
      // Beta's client is served meanwhile.
      const opened = await open(gateway, 'beta');
      assert.equal(opened.status, 200, opened.message);
      const client = await connectServer(gateway, 'beta', gateway.token);
      try {
        assert.equal(textOf(await client.callTool({ name: 'echo', arguments: { message: 'room' } })), 'Echo: room');
      } finally {
        await client.close();
      }
    } finally {
      for (const req of slow) req.destroy();
      await gateway.close();
      tmp.cleanup();
    }
  });
});
