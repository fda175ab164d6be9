// An attacker with the gateway's token (a hostile server that read it, say) trying to reach a server
// without Warden deciding the call, or under another server's rules: a session of one server used on
// another server's path, and paths spelled so that a loose router might take them for another server
// (encoded slashes and dots, case, a trailing slash, a name that looks like a path, Unicode forms).
// Each path is one server's, by exact name, or 404; a denied call never reaches any server.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { RECORDING, recordedCalls, tempDir, writePolicy, yaml } from '../proxy/helpers';
import { fetchRaw, INITIALIZE, serverUrl, startGateway, type Gateway } from './helpers';

const CALL = (id: number, tool: string) => JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: tool, arguments: { message: 'x' } } });

/** A POST with the path sent exactly as given (a URL would have its dots resolved by the client). */
function postRaw(base: string, path: string, headers: Record<string, string>, body: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('gateway: one server’s path and session are that server’s only', () => {
  const tmp = tempDir();
  let gateway: Gateway;
  // alpha denies echo; beta, "alpha/beta" and the composed "café" allow it.
  const names = { alpha: 'alpha', beta: 'beta', slashed: 'alpha/beta', cafe: 'caf\u00e9' };
  const record = (name: string) => join(tmp.dir, `${Buffer.from(name).toString('hex')}.jsonl`);

  before(async () => {
    const lines = ['version: 1', 'default: allow', 'servers:'];
    for (const name of Object.values(names)) {
      lines.push(`  ${JSON.stringify(name)}:`, '    launch:', '      command: node', `      args: [${JSON.stringify(RECORDING)}]`, `      env: { RECORD_FILE: ${JSON.stringify(record(name))} }`);
      if (name === 'alpha') lines.push('    tools:', '      echo: { action: deny, reason: alpha never echoes }');
    }
    gateway = await startGateway(['--policy', writePolicy(tmp.dir, yaml(...lines)), '--listen', '127.0.0.1:0']);
  });
  after(async () => {
    await gateway.close();
    tmp.cleanup();
  });

  const headers = (session?: string) => ({
    authorization: `Bearer ${gateway.token}`,
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': '2025-06-18',
    ...(session ? { 'mcp-session-id': session } : {}),
  });

  async function open(url: string): Promise<string> {
    const init = await fetchRaw(url, { method: 'POST', headers: headers(), body: INITIALIZE });
    assert.equal(init.status, 200, init.body);
    const session = init.headers['mcp-session-id'] as string;
    await fetchRaw(url, { method: 'POST', headers: headers(session), body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
    return session;
  }

  it('a session of one server used on another server’s path is not found there, for every method', async () => {
    const alphaSession = await open(serverUrl(gateway, 'alpha').href);
    const beta = serverUrl(gateway, 'beta').href;
    await open(beta);
    const call = await fetchRaw(beta, { method: 'POST', headers: headers(alphaSession), body: CALL(2, 'echo') });
    assert.equal(call.status, 404, call.body);
    assert.equal((await fetchRaw(beta, { method: 'GET', headers: { ...headers(alphaSession), accept: 'text/event-stream' } })).status, 404);
    assert.equal((await fetchRaw(beta, { method: 'DELETE', headers: headers(alphaSession) })).status, 404);
    // The alpha session is still alpha's, under alpha's rules.
    const denied = await fetchRaw(serverUrl(gateway, 'alpha').href, { method: 'POST', headers: headers(alphaSession), body: CALL(3, 'echo') });
    assert.match(denied.body, /alpha never echoes/);
    assert.deepEqual(recordedCalls(record('beta')), []);
    assert.deepEqual(recordedCalls(record('alpha')), []);
  });

  it('a path spelled another way names no server, or exactly the server it decodes to', async () => {
    const base = gateway.url;
    const notFound = [
      '/servers/ALPHA/mcp',
      '/servers/alpha/mcp/',
      '/servers/alpha/MCP',
      '/servers/alpha/beta/mcp',
      '/servers/alpha/../beta/mcp',
      '/servers/./alpha/mcp',
      '/servers/beta%2F..%2Falpha/mcp',
      '/servers/alpha%00/mcp',
      '/servers/alpha%20/mcp',
      '/servers/%E0%A4%A/mcp',
      '/servers//mcp',
      '/servers/cafe%CC%81/mcp', // the decomposed form of café
      '//servers/alpha/mcp',
      '/Servers/alpha/mcp',
      `http://127.0.0.1/servers/beta/../alpha/mcp`,
    ];
    for (const path of notFound) {
      const answer = await postRaw(base, path, headers(), INITIALIZE);
      assert.equal(answer.status, 404, `${path}: ${answer.body}`);
    }
    // Encoded spellings of a name are that name: the call is decided under its own rules.
    const encodedAlpha = `${base}/servers/%61lpha/mcp`;
    const session = await open(encodedAlpha);
    assert.match((await fetchRaw(encodedAlpha, { method: 'POST', headers: headers(session), body: CALL(2, 'echo') })).body, /alpha never echoes/);
    for (const name of [names.slashed, names.cafe]) {
      const url = serverUrl(gateway, name).href;
      const own = await open(url);
      assert.match((await fetchRaw(url, { method: 'POST', headers: headers(own), body: CALL(2, 'echo') })).body, /Echo: x/, name);
    }
    assert.deepEqual(recordedCalls(record('alpha')), [], 'alpha’s denied echo never reached it by any spelling');
    assert.deepEqual(recordedCalls(record('beta')), [], 'nothing reached beta through another path');
    assert.ok(existsSync(record(names.slashed)) && existsSync(record(names.cafe)));
  });
});
