// The editor's side of a gateway's control connection, fed by hand: a gateway is admitted only by a
// ticket issued to a gateway (never a proxy's, nor the reverse), must listen on loopback, is sent the servers
// to serve, and its reports count for the servers they name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryCatalogue } from '../../src/language/catalogue';
import { ApprovalBroker } from '../../src/workbench/approval-broker';
import { ControlConnection, GATEWAY_HOLDER, type ControlHandlers, type ProxyIdentity } from '../../src/workbench/control-connection';
import { ControlCredentials } from '../../src/workbench/control-credentials';
import { controlHandlers } from '../../src/workbench/control-hub';
import { DecisionLog } from '../../src/workbench/decision-log';
import { ProxyStatus } from '../../src/workbench/proxy-status';

const TOKEN = 't'.repeat(43);
const GATEWAY = { pid: 9, policy: '/p.yaml', version: '0.1.0', url: 'http://127.0.0.1:41234', token: TOKEN };
const PROXY = { pid: 7, server: 'scanner', policy: '/p.yaml', version: '0.1.0' };

function connection(handlers: ControlHandlers = {}, credentials = new ControlCredentials()) {
  const sent: Array<Record<string, unknown>> = [];
  const events: string[] = [];
  let ended = false;
  const control = new ControlConnection((presented) => credentials.admit(presented, 'c', () => false), { send: (line) => sent.push(JSON.parse(line)), end: () => (ended = true) }, {
    rejected: (reason) => events.push(`rejected: ${reason}`),
    alarm: (message) => events.push(`alarm: ${message}`),
    ...handlers,
  }, () => 'version: 1\n');
  return { control, sent, events, ended: () => ended, credentials };
}

const line = (message: unknown) => JSON.stringify(message) + '\n';

test('a gateway with a gateway ticket is welcomed with the approved policy; its identity carries its endpoint; it is sent the servers to serve', () => {
  let welcomed: ProxyIdentity | undefined;
  const { control, sent, credentials } = connection({ welcomed: (identity) => (welcomed = identity) });
  control.receive(line({ type: 'hello', protocol: 3, ticket: credentials.issue(GATEWAY_HOLDER), gateway: GATEWAY }));
  assert.equal(sent[0].type, 'welcome');
  assert.deepEqual(sent[0].policy, { text: 'version: 1\n' });
  assert.deepEqual(welcomed, { pid: 9, server: '', policy: '/p.yaml', version: '0.1.0', gateway: { url: 'http://127.0.0.1:41234', token: TOKEN } });
  const servers = [{ name: 'scanner', launch: { command: 'node', args: ['s.js'], env: { KEY: 'secret' } } }];
  control.sendServers(servers);
  assert.deepEqual(sent[1], { type: 'servers', servers });
});

test('a proxy\'s ticket does not admit a gateway, and a gateway\'s ticket does not admit a proxy (each is burnt and reported)', () => {
  const asGateway = connection();
  asGateway.control.receive(line({ type: 'hello', protocol: 3, ticket: asGateway.credentials.issue('scanner'), gateway: GATEWAY }));
  assert.deepEqual(asGateway.sent, [{ type: 'refused', reason: 'ticket issued for another server' }]);
  assert.equal(asGateway.ended(), true);
  assert.ok(asGateway.events.some((event) => event.startsWith('alarm: ')), asGateway.events.join('\n'));

  const asProxy = connection();
  asProxy.control.receive(line({ type: 'hello', protocol: 3, ticket: asProxy.credentials.issue(GATEWAY_HOLDER), proxy: PROXY }));
  assert.deepEqual(asProxy.sent, [{ type: 'refused', reason: 'ticket issued for another server' }]);

  // A proxy hello in the gateway's name, even with the gateway's ticket, is no gateway.
  const named = connection();
  named.control.receive(line({ type: 'hello', protocol: 3, ticket: named.credentials.issue(GATEWAY_HOLDER), proxy: { ...PROXY, server: GATEWAY_HOLDER } }));
  assert.deepEqual(named.sent, [{ type: 'refused', reason: 'hello without a proxy description' }]);
  // A proxy is never sent servers.
  const proxy = connection();
  proxy.control.receive(line({ type: 'hello', protocol: 3, ticket: proxy.credentials.issue('scanner'), proxy: PROXY }));
  proxy.control.sendServers([{ name: 'x', launch: { command: 'x' } }]);
  assert.deepEqual(proxy.sent.map((m) => m.type), ['welcome']);
});

test('a gateway that does not listen on loopback, or names no token, is refused before its ticket is looked at', () => {
  for (const gateway of [
    { ...GATEWAY, url: 'http://mcp.example.com:41234' },
    { ...GATEWAY, url: 'https://127.0.0.1:41234' },
    { ...GATEWAY, url: 'http://user:pw@127.0.0.1:41234' },
    { ...GATEWAY, url: 'http://127.0.0.1:41234/elsewhere' },
    { ...GATEWAY, url: 'not a url' },
    { ...GATEWAY, token: '' },
    { ...GATEWAY, token: undefined },
  ]) {
    const { control, sent, credentials } = connection();
    const ticket = credentials.issue(GATEWAY_HOLDER);
    control.receive(line({ type: 'hello', protocol: 3, ticket, gateway }));
    assert.deepEqual(sent, [{ type: 'refused', reason: 'hello without a gateway description' }], JSON.stringify(gateway));
    // The ticket was not burnt: the real gateway can still use it.
    assert.equal(credentials.admit({ ticket, server: GATEWAY_HOLDER, pid: 9 }, 'd', () => false).admitted, true);
  }
});

test('the hub: a gateway\'s reports count for the servers they name, each running while it has a session; the gateway\'s end stops them all', async () => {
  const catalogue = new MemoryCatalogue();
  const status = new ProxyStatus();
  const logged: string[] = [];
  const told: string[] = [];
  const approvals = new ApprovalBroker(() => ({ ask: () => new Promise(() => undefined) }));
  const credentials = new ControlCredentials();
  let hub: ControlHandlers = {};
  const control = new ControlConnection((presented) => credentials.admit(presented, '1', () => false), { send: () => undefined, end: () => undefined }, {}, () => 'version: 1\n');
  hub = controlHandlers('1', control, {
    catalogue,
    decisions: new DecisionLog(),
    status,
    approvals,
    log: (level, message) => logged.push(`${level} ${message}`),
    gateway: { welcomed: (identity) => told.push(`welcomed ${identity.pid}`), closed: (identity) => told.push(`closed ${identity.pid}`) },
  });
  control.use(hub);
  control.receive(line({ type: 'hello', protocol: 3, ticket: credentials.issue(GATEWAY_HOLDER), gateway: GATEWAY }));
  assert.deepEqual(told, ['welcomed 9']);
  assert.deepEqual(status.running(), [], 'no server runs before the gateway reports on it');
  for (const server of ['scanner', 'docs']) {
    control.receive(line({ type: 'upstream', server, session: `s-${server}`, event: 'started' }));
    control.receive(line({ type: 'tools', server, session: `s-${server}`, tools: [{ name: `${server}_tool`, risk: { category: 'read', level: 'low', source: 'default', warnings: [] }, decision: 'allow', hidden: false, rule: null, line: null }] }));
  }
  control.receive(line({ type: 'decision', server: 'docs', session: 's-docs', tool: 'docs_tool', decision: 'deny', policy: 'deny', reason: 'no', rule: null, line: null, latencyMs: 1, time: new Date().toISOString() }));
  assert.deepEqual(status.running().sort(), ['docs', 'scanner']);
  assert.deepEqual(catalogue.tools('scanner')?.tools.map((t) => t.name), ['scanner_tool']);
  assert.ok(logged.some((entry) => entry.startsWith('warn [docs] ')), logged.join('\n'));
  assert.ok(logged.every((entry) => !entry.includes(TOKEN)), 'the token is never logged');
  // VS Code stopped docs (its session ended): docs stops, scanner runs on.
  control.receive(line({ type: 'upstream', server: 'docs', session: 's-docs', event: 'exited', detail: 'the session ended' }));
  assert.deepEqual(status.running(), ['scanner']);
  assert.equal(status.runtime('docs')?.state, 'stopped');
  control.closed();
  assert.deepEqual(status.running(), []);
  assert.deepEqual(told, ['welcomed 9', 'closed 9']);
});
