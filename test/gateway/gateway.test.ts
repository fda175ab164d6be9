// The gateway run from the command line: one process serving every server of the policy's launch
// entries at /servers/NAME/mcp, with the proxy's interception, audit, reload and fail-closed rules per
// server, its listener's guard and caps, and rate limits of scope server and global exact across every
// session of the process. Real processes throughout: the bundled CLI, the recording fixture servers,
// and the SDK's Streamable HTTP client.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { auditLines, RECORDING, recordedCalls, tempDir, textOf, waitFor, writePolicy, yaml } from '../proxy/helpers';
import { connectServer, fetchRaw, initializeRaw, runGatewayToExit, serverUrl, startGateway, type Gateway } from './helpers';

/** A policy whose servers are recording fixtures, each writing what it receives to `<dir>/<name>.jsonl`. */
function policyText(dir: string, rules: Record<string, string[]>, extra: string[] = []): string {
  const lines = ['version: 1', 'default: allow', 'servers:'];
  for (const [name, tools] of Object.entries(rules)) {
    lines.push(`  ${name}:`, '    launch:', '      command: node', `      args: [${JSON.stringify(RECORDING)}]`, `      env: { RECORD_FILE: ${JSON.stringify(join(dir, `${name}.jsonl`))} }`);
    if (tools.length > 0) lines.push('    tools:', ...tools.map((t) => `      ${t}`));
  }
  return yaml(...lines, ...extra);
}

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

describe('gateway: routing, the guard and the served set', () => {
  const tmp = tempDir();
  let gateway: Gateway;
  before(async () => {
    const policy = writePolicy(
      tmp.dir,
      policyText(tmp.dir, { alpha: ['delete_everything: { action: deny, reason: never here }'], beta: [] }, ['  broken:', '    launch:', '      command: /nonexistent/warden-test-server']),
    );
    gateway = await startGateway(['--policy', policy, '--listen', '127.0.0.1:0', '--audit', join(tmp.dir, 'audit.jsonl')]);
  });
  after(async () => {
    await gateway.close();
    tmp.cleanup();
  });

  it('refuses a request without the token, with a wrong token, or from a foreign Host or Origin, before it starts anything', async () => {
    const alpha = serverUrl(gateway, 'alpha').href;
    for (const url of [alpha, `${gateway.url}/servers`, `${gateway.url}/healthz`]) {
      assert.equal((await fetchRaw(url)).status, 401, url);
      assert.equal((await fetchRaw(url, { headers: { authorization: 'Bearer wrong-token-wrong-token-wrong-token' } })).status, 401, url);
      assert.equal((await fetchRaw(url, { headers: { ...auth(gateway.token), host: 'evil.example' } })).status, 403, url);
      assert.equal((await fetchRaw(url, { headers: { ...auth(gateway.token), origin: 'http://evil.example' } })).status, 403, url);
    }
    const anonymous = await fetchRaw(alpha, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}' });
    assert.equal(anonymous.status, 401);
    assert.equal(existsSync(join(tmp.dir, 'alpha.jsonl')), false, 'no server was started for a refused request');
  });

  it('lists the served servers, answers /healthz, and names the served servers in a 404', async () => {
    const list = await fetchRaw(`${gateway.url}/servers`, { headers: auth(gateway.token) });
    assert.equal(list.status, 200);
    const servers = (JSON.parse(list.body) as { servers: { name: string; transport: string }[] }).servers;
    assert.deepEqual(servers.map((s) => s.name).sort(), ['alpha', 'beta', 'broken']);
    assert.ok(servers.every((s) => s.transport === 'stdio'));
    assert.ok(!list.body.includes('RECORD_FILE') && !list.body.includes('recording-server'), 'the launch (and its environment) is not shown');

    const health = await fetchRaw(`${gateway.url}/healthz`, { headers: auth(gateway.token) });
    assert.equal(health.status, 200);
    assert.equal((JSON.parse(health.body) as { status: string }).status, 'ok');

    for (const path of ['/servers/nope/mcp', '/mcp', '/servers/alpha', '/']) {
      const missing = await fetchRaw(`${gateway.url}${path}`, { headers: auth(gateway.token) });
      assert.equal(missing.status, 404, path);
      const error = (JSON.parse(missing.body) as { error: { message: string; data: { servers: string[] } } }).error;
      assert.deepEqual(error.data.servers.sort(), ['alpha', 'beta', 'broken'], path);
      assert.match(error.message, /\/servers\/alpha\/mcp/);
    }
  });

  it('enforces each server’s rules for two servers at once: a denied call never reaches its server, and the audit names the server', async () => {
    const alpha = await connectServer(gateway, 'alpha', gateway.token);
    const beta = await connectServer(gateway, 'beta', gateway.token);
    try {
      const [denied, allowed, echoed] = await Promise.all([
        alpha.callTool({ name: 'delete_everything', arguments: {} }),
        beta.callTool({ name: 'delete_everything', arguments: {} }),
        alpha.callTool({ name: 'echo', arguments: { message: 'hi' } }),
      ]);
      assert.equal(denied.isError, true);
      assert.match(textOf(denied), /Blocked by policy: never here/);
      assert.equal(textOf(allowed), 'deleted everything');
      assert.equal(textOf(echoed), 'Echo: hi');
      assert.deepEqual(recordedCalls(join(tmp.dir, 'alpha.jsonl')), ['echo']);
      assert.deepEqual(recordedCalls(join(tmp.dir, 'beta.jsonl')), ['delete_everything']);

      const lines = auditLines(join(tmp.dir, 'audit.jsonl'));
      const of = (server: string, tool: string) => lines.filter((l) => l.server === server && l.tool === tool).map((l) => l.decision);
      assert.deepEqual(of('alpha', 'delete_everything'), ['deny']);
      assert.deepEqual(of('beta', 'delete_everything'), ['allow']);
      assert.deepEqual(of('alpha', 'echo'), ['allow']);
      // Each server's tools are listed with its own rules.
      const tools = await alpha.listTools();
      const annotated = tools.tools.find((t) => t.name === 'delete_everything');
      assert.equal(annotated?.annotations?.readOnlyHint, true, 'a denied tool is marked read-only (Warden blocks it; no second prompt)');
    } finally {
      await Promise.all([alpha.close(), beta.close()]);
    }
  });

  it('a server whose command cannot start fails its own sessions with the reason; the others keep working', async () => {
    const answer = await initializeRaw(gateway, 'broken', gateway.token);
    assert.match(answer.body, /Upstream server \\?"broken\\?" could not start: .*nonexistent\/warden-test-server/);
    const state = (JSON.parse((await fetchRaw(`${gateway.url}/servers`, { headers: auth(gateway.token) })).body) as { servers: { name: string; state: string; detail?: string }[] }).servers.find((s) => s.name === 'broken');
    assert.equal(state?.state, 'failing');
    assert.match(state?.detail ?? '', /ENOENT/);

    const beta = await connectServer(gateway, 'beta', gateway.token);
    try {
      assert.equal(textOf(await beta.callTool({ name: 'echo', arguments: { message: 'still here' } })), 'Echo: still here');
    } finally {
      await beta.close();
    }
  });
});

describe('gateway: rate limits of scope server and global are exact across every session', () => {
  const tmp = tempDir();
  let gateway: Gateway;
  before(async () => {
    const limits = ['echo: { action: allow, rate_limit: { max: 10, window: 1h, scope: server } }', 'add: { action: allow, rate_limit: { max: 10, window: 1h, scope: global } }'];
    const policy = writePolicy(tmp.dir, policyText(tmp.dir, { alpha: limits, beta: limits }));
    gateway = await startGateway(['--policy', policy, '--listen', '127.0.0.1:0']);
  });
  after(async () => {
    await gateway.close();
    tmp.cleanup();
  });

  async function burst(clients: Client[], tool: string, perSession: number): Promise<number> {
    const results = await Promise.all(clients.flatMap((client) => Array.from({ length: perSession }, (_, i) => client.callTool({ name: tool, arguments: tool === 'add' ? { a: i, b: 1 } : { message: String(i) } }))));
    for (const r of results) if (r.isError) assert.match(textOf(r), /Blocked by policy: .*rate limit/i);
    return results.filter((r) => !r.isError).length;
  }

  it('scope server: 50 concurrent calls from five sessions against a limit of 10: exactly 10 reach the server', async () => {
    const clients = await Promise.all(Array.from({ length: 5 }, () => connectServer(gateway, 'alpha', gateway.token)));
    try {
      assert.equal(await burst(clients, 'echo', 10), 10);
      assert.equal(recordedCalls(join(tmp.dir, 'alpha.jsonl')).filter((c) => c === 'echo').length, 10);
      // Another server's own count is its own.
      const beta = await connectServer(gateway, 'beta', gateway.token);
      try {
        assert.equal(await burst([beta], 'echo', 12), 10);
      } finally {
        await beta.close();
      }
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });

  it('scope global: 50 concurrent calls from five sessions of two servers against a limit of 10: exactly 10 reach a server', async () => {
    const clients = await Promise.all(['alpha', 'alpha', 'alpha', 'beta', 'beta'].map((name) => connectServer(gateway, name, gateway.token)));
    try {
      assert.equal(await burst(clients, 'add', 10), 10);
      const reached = ['alpha', 'beta'].flatMap((name) => recordedCalls(join(tmp.dir, `${name}.jsonl`))).filter((c) => c === 'add');
      assert.equal(reached.length, 10);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });
});

describe('gateway: caps, reload and start', () => {
  it('caps sessions across all servers of the process, and request bodies', async () => {
    const tmp = tempDir();
    const policy = writePolicy(tmp.dir, policyText(tmp.dir, { alpha: [], beta: [] }));
    const gateway = await startGateway(['--policy', policy, '--listen', '127.0.0.1:0', '--max-sessions', '2', '--max-frame-bytes', '4096', '--max-inflight-bytes', '4096']);
    try {
      assert.equal((await initializeRaw(gateway, 'alpha', gateway.token)).status, 200);
      assert.equal((await initializeRaw(gateway, 'beta', gateway.token)).status, 200);
      const third = await initializeRaw(gateway, 'alpha', gateway.token);
      assert.equal(third.status, 503);
      assert.equal(third.headers['retry-after'], '60');
      const big = await fetchRaw(serverUrl(gateway, 'beta').href, {
        method: 'POST',
        headers: { ...auth(gateway.token), 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { padding: 'x'.repeat(8000) } }),
      });
      assert.equal(big.status, 413);
    } finally {
      await gateway.close();
      tmp.cleanup();
    }
  });

  it('applies an edited policy to the next call; an edited launch entry runs nothing until a restart', async () => {
    const tmp = tempDir();
    const policy = writePolicy(tmp.dir, policyText(tmp.dir, { alpha: [] }));
    const gateway = await startGateway(['--policy', policy, '--listen', '127.0.0.1:0']);
    try {
      const first = await connectServer(gateway, 'alpha', gateway.token);
      assert.equal(textOf(await first.callTool({ name: 'echo', arguments: { message: '1' } })), 'Echo: 1');
      writeFileSync(policy, policyText(tmp.dir, { alpha: ['echo: { action: deny, reason: edited }'] }));
      await waitFor(() => gateway.stderr().split('policy loaded').length > 2, 5000, 'the reload');
      const blocked = await first.callTool({ name: 'echo', arguments: { message: '2' } });
      assert.match(textOf(blocked), /Blocked by policy: edited/);

      // The launch entry now names another record file (it could name any command): not run.
      const moved = policyText(tmp.dir, { alpha: ['echo: { action: allow }'] }).replace(join(tmp.dir, 'alpha.jsonl'), join(tmp.dir, 'moved.jsonl'));
      writeFileSync(policy, moved);
      await waitFor(() => /launch entries in the policy changed.*restart it/.test(gateway.stderr()), 5000, 'the restart note');
      const second = await connectServer(gateway, 'alpha', gateway.token);
      assert.equal(textOf(await second.callTool({ name: 'echo', arguments: { message: '3' } })), 'Echo: 3', 'the new rules apply');
      assert.equal(existsSync(join(tmp.dir, 'moved.jsonl')), false, 'the changed launch entry was not run');
      assert.deepEqual(recordedCalls(join(tmp.dir, 'alpha.jsonl')), ['echo', 'echo']);
      await Promise.all([first.close(), second.close()]);
    } finally {
      await gateway.close();
      tmp.cleanup();
    }
  });

  it('never runs a launch entry of a policy with errors, and says why', async () => {
    const tmp = tempDir();
    try {
      const invalid = writePolicy(tmp.dir, policyText(tmp.dir, { alpha: ['echo: { action: maybe }'] }));
      const refused = await runGatewayToExit(['--policy', invalid, '--listen', '127.0.0.1:0']);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /policy has errors, so none of its launch entries is run/);
      assert.match(refused.stderr, /maybe/);

      const none = writePolicy(tmp.dir, yaml('version: 1', 'servers:', '  alpha:', '    default: allow'), 'none.yaml');
      const empty = await runGatewayToExit(['--policy', none, '--listen', '127.0.0.1:0']);
      assert.equal(empty.code, 1);
      assert.match(empty.stderr, /no server with a launch entry/);
      assert.equal(existsSync(join(tmp.dir, 'alpha.jsonl')), false);

      const withInput = writePolicy(tmp.dir, policyText(tmp.dir, { alpha: [] }).replace('command: node', 'command: "${input:cmd}"'), 'input.yaml');
      const gateway = await startGateway(['--policy', withInput, '--listen', '127.0.0.1:0']);
      try {
        const answer = await initializeRaw(gateway, 'alpha', gateway.token);
        assert.match(answer.body, /\$\{input:cmd\}, which only the editor can ask for/);
      } finally {
        await gateway.close();
      }
    } finally {
      tmp.cleanup();
    }
  });

  it('takes no command after -- and needs --listen', async () => {
    const tmp = tempDir();
    try {
      const policy = writePolicy(tmp.dir, policyText(tmp.dir, { alpha: [] }));
      assert.equal((await runGatewayToExit(['--policy', policy])).code, 2);
      assert.equal((await runGatewayToExit(['--policy', policy, '--listen', '127.0.0.1:0', '--', 'node', 'x.js'])).code, 2);
      assert.match(readFileSync(policy, 'utf8'), /alpha/);
    } finally {
      tmp.cleanup();
    }
  });
});
