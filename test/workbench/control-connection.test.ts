// The editor's side of the control protocol, fed by hand: handshake, refusals, framing, dispatch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ControlConnection, MAX_HELLO_BYTES, MAX_MESSAGE_BYTES, type ControlHandlers } from '../../src/workbench/control-connection';
import { ControlCredentials } from '../../src/workbench/control-credentials';
import { ApprovalBroker, type ApprovalChoice, type ApprovalPrompt, type Approver } from '../../src/workbench/approval-broker';
import { DecisionLog, decisionDescription, decisionLabel } from '../../src/workbench/decision-log';
import type { ApprovalRequestMessage, DecisionMessage } from '../../src/proxy/control-protocol';

const PROXY = { pid: 7, server: 'scanner', policy: '/p.yaml', version: '0.1.0' };

function connection(handlers: ControlHandlers = {}, credentials = new ControlCredentials()) {
  const HELLO = { type: 'hello', protocol: 3, ticket: credentials.issue('scanner'), proxy: PROXY };
  const sent: unknown[] = [];
  let ended = false;
  const events: string[] = [];
  const all: ControlHandlers = {
    welcomed: (proxy) => events.push(`welcomed ${proxy.server}`),
    tools: (m) => events.push(`tools ${m.tools.length}`),
    decision: (m) => events.push(`decision ${m.tool}`),
    log: (m, proxy) => events.push(`log ${m.level} ${proxy.server}: ${m.message}`),
    rejected: (reason) => events.push(`rejected: ${reason}`),
    closed: (proxy) => events.push(`closed ${proxy?.server}`),
    alarm: (message) => events.push(`alarm: ${message}`),
    ...handlers,
  };
  const control = new ControlConnection((presented) => credentials.admit(presented, 'c', () => false), { send: (line) => sent.push(JSON.parse(line)), end: () => (ended = true) }, all);
  return { control, sent, events, ended: () => ended, HELLO };
}

test('a good hello is welcomed; reports are dispatched with the proxy identity, whatever the chunking', () => {
  const { control, sent, events, HELLO } = connection();
  const log = { type: 'log', server: 'scanner', level: 'warn', message: 'dropped a message' };
  const text = JSON.stringify(HELLO) + '\n' + JSON.stringify({ type: 'tools', server: 'scanner', session: 's', tools: [{ name: 'a' }] }) + '\n{"type":"future-thing"}\n' + JSON.stringify(log) + '\n';
  for (const char of text) control.receive(char);
  assert.equal(sent.length, 1);
  const welcome = sent[0] as { type: string; protocol: number; resume: string };
  assert.deepEqual([welcome.type, welcome.protocol], ['welcome', 3]);
  assert.match(welcome.resume, /^[0-9a-f]{64}$/);
  assert.deepEqual(events, ['welcomed scanner', 'tools 1', 'log warn scanner: dropped a message']);
  assert.equal(control.isOpen, true);
  control.closed();
  assert.deepEqual(events.at(-1), 'closed scanner');
});

test('an unknown ticket is refused and the connection ended; nothing after it is read', () => {
  const { control, sent, events, ended, HELLO } = connection();
  control.receive(JSON.stringify({ ...HELLO, ticket: 'b'.repeat(64) }) + '\n' + JSON.stringify({ type: 'decision', tool: 'x' }) + '\n');
  assert.deepEqual(sent, [{ type: 'refused', reason: 'unknown ticket' }]);
  assert.equal(ended(), true);
  assert.deepEqual(events, ['rejected: refused a proxy: unknown ticket (a hello for "scanner", pid 7)']);
  const none = connection();
  none.control.receive(JSON.stringify({ type: 'hello', protocol: 3, token: 'a'.repeat(64), proxy: PROXY }) + '\n');
  assert.deepEqual(none.sent, [{ type: 'refused', reason: 'no ticket: only a proxy the editor launched is accepted' }]);
});

test('another protocol version is refused with the versions this editor speaks (a version 1 hello with a token too)', () => {
  const { control, sent, HELLO } = connection();
  control.receive(JSON.stringify({ ...HELLO, protocol: 1, token: 'a'.repeat(64) }) + '\n');
  assert.deepEqual(sent, [{ type: 'refused', reason: 'unsupported protocol version', protocols: [3] }]);
});

test('anything but hello first, garbage first, or an endless line ends the connection', () => {
  for (const first of ['{"type":"tools","tools":[]}\n', 'not json\n']) {
    const { control, sent, ended } = connection();
    control.receive(first);
    assert.deepEqual(sent, []);
    assert.equal(ended(), true);
  }
  const { control, ended, HELLO } = connection();
  control.receive(JSON.stringify(HELLO) + '\n');
  control.receive('x'.repeat(MAX_MESSAGE_BYTES + 1));
  assert.equal(ended(), true);
  // Before a hello is welcomed, a long line ends it much sooner: an unproven peer cannot make the editor hold 48 MiB.
  const early = connection();
  early.control.receive('{"type":"hello","padding":"' + 'x'.repeat(MAX_HELLO_BYTES));
  assert.equal(early.ended(), true);
});

test('respond writes an approval answer only while open', () => {
  const { control, sent, HELLO } = connection();
  control.respond('1', true);
  assert.deepEqual(sent, []);
  control.receive(JSON.stringify(HELLO) + '\n');
  control.respond('1', true);
  control.respond('2', false, 'Denied in the editor');
  assert.deepEqual(sent.slice(1), [
    { type: 'approval-response', id: '1', approved: true },
    { type: 'approval-response', id: '2', approved: false, reason: 'Denied in the editor' },
  ]);
});

// ---- approvals ----

const REQUEST: ApprovalRequestMessage = {
  type: 'approval-request', id: '1', server: 'scanner', session: 's1', tool: 'start_security_scan', arguments: { target: 'x' },
  risk: { category: 'execute', level: 'high', source: 'name', warnings: [] }, reason: 'Scans cost money', rule: 'start_security_scan', line: 9, timeoutMs: 5_000,
};

class ScriptedApprover implements Approver {
  readonly asked: ApprovalPrompt[] = [];
  constructor(private readonly answers: Array<ApprovalChoice | undefined | 'never'>) {}
  ask(prompt: ApprovalPrompt, signal: AbortSignal): Promise<ApprovalChoice | undefined> {
    this.asked.push(prompt);
    const answer = this.answers.shift();
    if (answer !== 'never') return Promise.resolve(answer);
    return new Promise((resolve) => signal.addEventListener('abort', () => resolve(undefined)));
  }
}

test('approvals: allow once, deny, a dismissed prompt; each asked with the call\'s details', async () => {
  const approver = new ScriptedApprover(['allow-once', 'deny', undefined]);
  const broker = new ApprovalBroker(() => approver);
  assert.deepEqual(await broker.request('c', REQUEST, '/p.yaml'), { approved: true, by: 'user' });
  assert.deepEqual(await broker.request('c', { ...REQUEST, id: '2' }, '/p.yaml'), { approved: false, reason: 'Denied in the editor', by: 'user' });
  assert.deepEqual(await broker.request('c', { ...REQUEST, id: '3' }, '/p.yaml'), { approved: false, reason: 'The approval prompt was closed without an answer', by: 'dismissed' });
  assert.equal(approver.asked.length, 3);
  assert.deepEqual({ ...approver.asked[0], key: undefined }, { key: undefined, server: 'scanner', session: 's1', tool: 'start_security_scan', arguments: { target: 'x' }, risk: REQUEST.risk, reason: 'Scans cost money', rule: 'start_security_scan', line: 9, policyFile: '/p.yaml', timeoutMs: 5_000 });
});

test('"allow for this session" answers later requests of that tool in that session without asking', async () => {
  const approver = new ScriptedApprover(['allow-session', 'deny']);
  const broker = new ApprovalBroker(() => approver);
  await broker.request('c', REQUEST, '/p.yaml');
  assert.deepEqual(await broker.request('c', { ...REQUEST, id: '2' }, '/p.yaml'), { approved: true, by: 'session' });
  assert.equal(approver.asked.length, 1);
  assert.deepEqual(broker.allowances(), ['scanner/start_security_scan (s1)']);
  // Another session, or another tool, is asked again.
  assert.equal((await broker.request('c', { ...REQUEST, id: '3', session: 's2' }, '/p.yaml'))?.approved, false);
  broker.connectionClosed('c', ['s1']);
  assert.deepEqual(broker.allowances(), []);
});

test('no answer in time is a denial; a withdrawn request gets no answer and its prompt is aborted', async () => {
  const broker = new ApprovalBroker(() => new ScriptedApprover(['never', 'never']));
  const started = Date.now();
  const answer = await broker.request('c', { ...REQUEST, timeoutMs: 100 }, '/p.yaml');
  assert.equal(answer?.approved, false);
  assert.equal(answer?.by, 'timeout');
  assert.match(answer!.reason!, /no answer within 0\.1 s/);
  assert.ok(Date.now() - started < 2_000);
  const pending = broker.request('c', { ...REQUEST, id: '9' }, '/p.yaml');
  assert.equal(broker.waiting().length, 1);
  broker.withdraw('c', '9', 'approval timed out after 5 s');
  assert.equal(await pending, undefined);
  assert.equal(broker.waiting().length, 0);
});

// ---- decisions ----

test('the decision log keeps the latest first, counts blocked calls since start, and labels entries', () => {
  const log = new DecisionLog(2);
  const seen: unknown[] = [];
  log.onDidChange((entry) => seen.push(entry?.tool));
  const base: DecisionMessage = { type: 'decision', server: 'scanner', session: 's', tool: 'stop_scan', decision: 'deny', policy: 'deny', reason: 'Stopping a scan hides attacks', rule: 'stop_scan', line: 9, argsHmac: 'x', latencyMs: 0.2, time: '2026-05-01T10:04:05.000Z' };
  log.add(base, '/p.yaml');
  log.add({ ...base, tool: 'get_scan_status', decision: 'allow', policy: 'allow', reason: null, rule: null }, '/p.yaml');
  log.add({ ...base, tool: 'start_security_scan', decision: 'allow', policy: 'ask', approval: { by: 'editor', answer: 'accept' } }, '/p.yaml');
  assert.deepEqual(log.entries().map((e) => e.tool), ['start_security_scan', 'get_scan_status']);
  assert.equal(log.blocked, 1);
  assert.deepEqual(seen, ['stop_scan', 'get_scan_status', 'start_security_scan']);
  const denied = { ...log.entries()[0], decision: 'deny' as const, policy: 'deny' as const, approval: undefined };
  assert.match(decisionLabel(denied), /^\d\d:\d\d:\d\d {2}scanner › start_security_scan$/);
  assert.equal(decisionDescription(denied), 'denied — Stopping a scan hides attacks');
  assert.equal(decisionDescription(log.entries()[0]), 'allowed (asked: approved via editor)');
  log.clear();
  assert.equal(log.entries().length, 0);
  assert.equal(log.blocked, 1);
});

test('a tools report of a large server (4 MiB) arrives in many chunks and is read whole, in linear time', () => {
  const { control, events, ended, HELLO } = connection();
  control.receive(JSON.stringify(HELLO) + '\n');
  const schema = { type: 'object', properties: { text: { type: 'string', description: 'x'.repeat(4000) } } };
  const tools = Array.from({ length: 1000 }, (_, i) => ({ name: `tool_${i}`, description: 'd'.repeat(100), inputSchema: schema }));
  const text = JSON.stringify({ type: 'tools', server: 'scanner', session: 's', tools }) + '\n';
  assert.ok(text.length > 4 * 1024 * 1024);
  const started = performance.now();
  for (let at = 0; at < text.length; at += 16 * 1024) control.receive(text.slice(at, at + 16 * 1024));
  const ms = performance.now() - started;
  assert.equal(ended(), false);
  assert.deepEqual(events.slice(1), ['tools 1000']);
  // Searching the whole buffer for each chunk's newline took seconds here; the new text alone takes milliseconds.
  assert.ok(ms < 1000, `took ${ms.toFixed(0)} ms`);
});
