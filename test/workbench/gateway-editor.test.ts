// The editor's side of a real gateway: the control server and hub the extension runs, the gateway started
// from the editor's plan (its ticket issued to a gateway), its servers sent over the channel. A denied call
// never reaches the server; a resolved secret reaches the server but not the gateway's command line or
// environment; the gateway's reports mark its servers running until it ends.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryCatalogue } from '../../src/language/catalogue';
import { ApprovalBroker } from '../../src/workbench/approval-broker';
import { GATEWAY_HOLDER, type ControlConnection, type ProxyIdentity } from '../../src/workbench/control-connection';
import { controlHandlers } from '../../src/workbench/control-hub';
import { ControlServer } from '../../src/workbench/control-server';
import { DecisionLog } from '../../src/workbench/decision-log';
import { gatewayInvocation, gatewayServerUrl, servedServer } from '../../src/workbench/gateway-launch';
import { ProxyStatus } from '../../src/workbench/proxy-status';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { connectServer, fetchRaw } from '../gateway/helpers';
import { CLI, RECORDING, recordedCalls, requireBundle, stopChild, tempDir, textOf, waitFor, writePolicy, yaml } from '../proxy/helpers';

const SECRET = 'api-SECRET-4711';
const APPROVED = yaml('version: 1', 'default: allow', 'servers:', '  scanner:', '    tools:', '      delete_everything: { action: deny, reason: Findings are evidence. }');

let temp: ReturnType<typeof tempDir>;
let server: ControlServer;
let gateway: ChildProcess;
const status = new ProxyStatus();
const decisions = new DecisionLog();
const logged: string[] = [];
let welcomed: { identity: ProxyIdentity; connection: ControlConnection } | undefined;

before(async () => {
  requireBundle();
  temp = tempDir();
  server = await ControlServer.start({
    directory: join(temp.dir, 'storage'),
    handlers: (id, connection) =>
      controlHandlers(id, connection, {
        catalogue: new MemoryCatalogue(),
        decisions,
        status,
        approvals: new ApprovalBroker(() => ({ ask: () => new Promise(() => undefined) })),
        log: (level, message) => logged.push(`${level} ${message}`),
        gateway: { welcomed: (identity, connection) => (welcomed = { identity, connection }), closed: () => undefined },
      }),
  });
  // On disk the policy denies everything: the gateway must enforce what the person approved instead.
  const policyFile = writePolicy(temp.dir, yaml('version: 1', 'default: deny'));
  server.setApprovedPolicy(policyFile, APPROVED);
  const invocation = gatewayInvocation({ cliPath: CLI, policyFile });
  gateway = spawn(process.execPath, invocation.args, { env: { ...process.env, ...invocation.env, ...server.env(GATEWAY_HOLDER) }, stdio: ['pipe', 'ignore', 'pipe'] });
  gateway.stderr!.resume();
  await waitFor(() => welcomed !== undefined, 15_000, 'the gateway\'s hello');
  const entry = { command: process.execPath, args: [RECORDING], env: { RECORD_FILE: join(temp.dir, 'scanner.jsonl'), API_TOKEN: SECRET } };
  welcomed!.connection.sendServers([servedServer('scanner', entry, {}, temp.dir)]);
});

after(async () => {
  if (gateway) await stopChild(gateway);
  await server?.close();
  temp?.cleanup();
});

test('the gateway is the process this editor started; the resolved secret is in neither its command line nor its environment, nor is its token', () => {
  const { identity } = welcomed!;
  assert.equal(identity.pid, gateway.pid);
  assert.match(identity.gateway!.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  if (process.platform === 'linux') {
    for (const part of ['cmdline', 'environ']) {
      const text = readFileSync(`/proc/${gateway.pid}/${part}`, 'latin1');
      assert.ok(!text.includes(SECRET), `the secret in the gateway's ${part}`);
      assert.ok(!text.includes(identity.gateway!.token), `the token in the gateway's ${part}`);
    }
  }
  assert.ok(logged.every((line) => !line.includes(identity.gateway!.token)), 'the token is not logged');
});

test('through the gateway: a denied call never reaches the server, an allowed one does; reports name the server, which runs while it has a session and until the gateway ends', async () => {
  const { identity } = welcomed!;
  const endpoint = identity.gateway!;
  assert.equal((await fetchRaw(gatewayServerUrl(endpoint.url, 'scanner'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status, 401, 'no token, no entry');
  const client = await connectServer(endpoint, 'scanner', endpoint.token);
  try {
    assert.match(textOf(await client.callTool({ name: 'delete_everything', arguments: {} })), /Findings are evidence/);
    assert.equal(textOf(await client.callTool({ name: 'echo', arguments: { message: 'hi' } })), 'Echo: hi');
    assert.deepEqual(recordedCalls(join(temp.dir, 'scanner.jsonl')), ['echo']);
    await waitFor(() => decisions.entries().some((entry) => entry.tool === 'delete_everything'), 5000, 'the decision report');
    assert.ok(logged.some((line) => line.startsWith('warn [scanner] ') && line.includes('delete_everything')), logged.join('\n'));
    assert.deepEqual(status.running(), ['scanner']);
    // The client ends its session (as VS Code does when it stops a server): the server no longer runs.
    await (client.transport as StreamableHTTPClientTransport).terminateSession();
    await waitFor(() => status.running().length === 0, 5000, 'the server to stop with its session');
    await client.close();
  } finally {
    await client.close().catch(() => undefined);
  }
  const again = await connectServer(endpoint, 'scanner', endpoint.token);
  await again.listTools();
  await waitFor(() => status.running().length === 1, 5000, 'the server to run again');
  await stopChild(gateway);
  await waitFor(() => status.running().length === 0, 5000, 'the server to stop with the gateway');
  await again.close().catch(() => undefined);
});
