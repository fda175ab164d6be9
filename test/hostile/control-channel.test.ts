// Class 8, the control channel: the server behind the proxy (a child of the same user) must not be able to
// speak for Warden to the editor. A hostile server (test/fixtures/control-thief.js) reads its proxy's
// /proc/<pid>/environ, command line and memory, its own environment and inherited descriptors, and tries the
// editor's real control socket (the pure workbench ControlServer) with what it found and with made-up
// credentials, sending fake approval requests, decisions and tools. The editor admits none of it; the proxy
// launched the proper way connects, asks, and reconnects.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { MemoryCatalogue } from '../../src/language/catalogue';
import { ControlChannel } from '../../src/proxy/control-channel';
import { CONTROL_PROTOCOL_VERSION, CONTROL_SOCKET_ENV, CONTROL_TICKET_ENV } from '../../src/proxy/control-protocol';
import { ApprovalBroker, type ApprovalChoice, type ApprovalPrompt, type Approver } from '../../src/workbench/approval-broker';
import { controlHandlers } from '../../src/workbench/control-hub';
import { ControlServer } from '../../src/workbench/control-server';
import { DecisionLog } from '../../src/workbench/decision-log';
import { ProxyStatus } from '../../src/workbench/proxy-status';
import { proxyInvocation } from '../../src/workbench/proxy-launch';
import { auditLines, CLI, recordedCalls, RECORDING, requireBundle, ROOT, tempDir, textOf, waitFor, writePolicy, yaml } from '../proxy/helpers';

const THIEF = join(ROOT, 'test/fixtures/control-thief.js');
const POLICY = yaml('version: 1', 'servers:', '  rec:', '    tools:', '      write_note: { action: ask }', '      echo: { action: allow }');

interface Attempt {
  name: string;
  answers: { type: string; reason?: string; resume?: string }[];
  error: string | null;
}
interface Report {
  started: number;
  parentEnv: { socket: string | null; ticket: string | null };
  ownEnv: string[];
  parentCmdline: string[] | string;
  descriptors: { fd: number; target: string; wrote: boolean }[];
  parentSockets: { fd?: string; opened?: boolean; error?: string }[];
  memory?: { readable: boolean; secrets: string[]; error?: string };
  attempts: Attempt[];
}

class RecordingApprover implements Approver {
  readonly asked: ApprovalPrompt[] = [];
  answer: ApprovalChoice = 'allow-once';
  ask(prompt: ApprovalPrompt): Promise<ApprovalChoice | undefined> {
    this.asked.push(prompt);
    return Promise.resolve(this.answer);
  }
}

describe('hostile: the control channel', () => {
  let temp: ReturnType<typeof tempDir>;
  let server: ControlServer;
  let client: Client;
  let stderr = '';
  let report: Report;
  let policyFile: string;
  const catalogue = new MemoryCatalogue();
  const decisions = new DecisionLog();
  const status = new ProxyStatus();
  const approver = new RecordingApprover();
  const approvals = new ApprovalBroker(() => approver);
  const logged: string[] = [];
  const alarms: string[] = [];
  const welcomed: number[] = [];
  const files = () => ({ record: join(temp.dir, 'record.jsonl'), audit: join(temp.dir, 'audit.jsonl'), report: join(temp.dir, 'thief.json') });

  /** The proxy as the editor launches it (proxyInvocation + a ticket issued for this launch), in front of `upstream`. */
  async function launch(upstream: string[], env: Record<string, string>, audit?: string): Promise<{ client: Client; stderr: () => string }> {
    const invocation = proxyInvocation({ command: upstream[0], args: upstream.slice(1) }, { cliPath: CLI, policyFile, server: 'rec', approvalTimeoutSeconds: 5, ...(audit ? { auditFile: audit } : {}) });
    let text = '';
    const transport = new StdioClientTransport({ command: process.execPath, args: invocation.args, env: { ...(process.env as Record<string, string>), ...(invocation.env as Record<string, string>), ...env }, stderr: 'pipe' });
    transport.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const connected = new Client({ name: 'agent', version: '1' });
    await connected.connect(transport);
    return { client: connected, stderr: () => text };
  }

  before(async () => {
    requireBundle();
    temp = tempDir();
    policyFile = writePolicy(temp.dir, POLICY);
    server = await ControlServer.start({
      directory: join(temp.dir, 'storage'),
      handlers: (id, connection) => {
        const handlers = controlHandlers(id, connection, { catalogue, decisions, status, approvals, log: (level, message) => logged.push(`${level} ${message}`), alarm: (message) => alarms.push(message) });
        return { ...handlers, welcomed: (proxy) => (welcomed.push(proxy.pid), handlers.welcomed?.(proxy)) };
      },
    });
    server.setApprovedPolicy(policyFile, POLICY);
    const { record, audit, report: reportFile } = files();
    const launched = await launch([process.execPath, THIEF], { ...server.env('rec'), RECORD_FILE: record, THIEF_REPORT: reportFile }, audit);
    client = launched.client;
    await waitFor(() => existsSync(reportFile), 20_000, 'the thief\'s report');
    report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
    stderr = launched.stderr();
  });

  after(async () => {
    await client?.close();
    await server?.close();
    temp?.cleanup();
  });

  const attempt = (name: string) => report.attempts.find((a) => a.name === name)!;
  const refusal = (name: string) => attempt(name).answers.map((a) => `${a.type}${a.reason ? `: ${a.reason}` : ''}`);

  it('the ticket is visible in /proc/<proxy>/environ, but was burnt before the server started: presenting it is refused as used, and the user is alarmed', () => {
    assert.match(report.parentEnv.ticket ?? '', /^[0-9a-f]{64}$/, 'the attack is real: the initial environment shows the ticket');
    assert.equal(welcomed.length, 1, 'exactly one proxy was welcomed');
    assert.deepEqual(refusal('the ticket from /proc'), ['refused: ticket already used']);
    assert.deepEqual(refusal('the ticket from /proc, again'), ['refused: ticket already used']);
    assert.ok(alarms.some((a) => /used ticket of "rec" was presented again/.test(a)), alarms.join('\n'));
    assert.ok(logged.some((l) => /^error control channel: refused an impostor/.test(l)));
  });

  it('made-up tickets, the ticket as a resume secret, no credential, a version 1 token and a ticket for another server are all refused', () => {
    assert.deepEqual(refusal('the ticket from /proc as a resume secret'), ['refused: unknown resume secret']);
    assert.deepEqual(refusal('a made-up ticket'), ['refused: unknown ticket']);
    assert.deepEqual(refusal('no credential'), ['refused: no ticket: only a proxy the editor launched is accepted']);
    assert.deepEqual(refusal('a version 1 hello with the ticket as its token'), ['refused: unsupported protocol version']);
    assert.deepEqual(refusal('the ticket for another server'), ['refused: ticket already used']);
    assert.deepEqual(refusal('no hello'), [], 'a connection that does not start with hello is closed unanswered');
  });

  it('nothing the server sent reached the user: no approval prompt, decision or tool of the thief', () => {
    assert.ok(report.attempts.every((a) => a.answers.every((answer) => answer.type !== 'welcome')), 'no attempt was welcomed');
    assert.deepEqual(approver.asked.filter((p) => p.tool === 'thief_tool'), []);
    assert.deepEqual(decisions.entries().filter((e) => e.tool === 'thief_tool'), []);
    assert.equal(catalogue.tool('rec', 'thief_tool'), undefined);
  });

  it('the server\'s own environment has neither the socket nor the ticket, and the proxy\'s command line carries no secret', () => {
    assert.deepEqual(report.ownEnv, []);
    assert.ok(Array.isArray(report.parentCmdline));
    assert.ok(!(report.parentCmdline as string[]).some((arg) => arg.includes(report.parentEnv.ticket!)));
  });

  it('no descriptor of the proxy is inherited: only stdin, stdout and stderr; the proxy\'s sockets cannot be opened through /proc', () => {
    assert.deepEqual(report.descriptors.filter((d) => d.fd > 2 && d.target.startsWith('socket:')), [], JSON.stringify(report.descriptors));
    assert.ok(report.parentSockets.length > 0, 'the proxy has sockets (its control connection among them)');
    assert.ok(report.parentSockets.every((s) => s.opened === false || s.error), JSON.stringify(report.parentSockets));
  });

  it('a resume secret read from the proxy\'s memory (where the kernel allows it) admits nobody while the proxy is connected', () => {
    const fromMemory = report.attempts.filter((a) => a.name === 'a resume secret read in memory');
    // Whether the memory can be read depends on the kernel (Yama's ptrace_scope); either way nobody is welcomed.
    for (const stolen of fromMemory) assert.deepEqual(stolen.answers.map((a) => a.type), ['refused'], JSON.stringify(stolen));
    if (fromMemory.some((a) => a.answers[0]?.reason === 'resume secret in use')) assert.ok(alarms.some((a) => /presented while its proxy is still connected/.test(a)));
    assert.equal(welcomed.length, 1);
  });

  it('the proxy launched the proper way is connected, and its ask goes to the user and then to the server', async () => {
    assert.equal(status.runtime('rec')?.state, 'running', stderr);
    const asked = approver.asked.length;
    const result = await client.callTool({ name: 'write_note', arguments: { path: 'notes/a', text: 'hi' } });
    assert.equal(textOf(result), 'wrote 2 characters to notes/a');
    assert.equal(approver.asked.length, asked + 1);
    assert.deepEqual(approver.asked.at(-1)!.arguments, { path: 'notes/a', text: 'hi' });
    assert.deepEqual(recordedCalls(files().record), ['write_note']);
    await waitFor(() => existsSync(files().audit) && auditLines(files().audit).some((l) => l.tool === 'write_note'), 5000, 'the audit line');
    const line = auditLines(files().audit).find((l) => l.tool === 'write_note')!;
    assert.deepEqual([line.decision, (line.approval as { by: string }).by], ['allow', 'editor']);
  });

  // Was: ran without the channel on its policy file. A proxy the editor launched enforces only what the editor sends.
  it('a second proxy started with the same (used) ticket is refused, and refuses every call (no file, no approver)', async () => {
    const record = join(temp.dir, 'second.jsonl');
    const env = server.env('rec');
    const first = await launch([process.execPath, RECORDING], { ...env, RECORD_FILE: join(temp.dir, 'first.jsonl') });
    const second = await launch([process.execPath, RECORDING], { ...env, RECORD_FILE: record });
    try {
      await waitFor(() => /the editor refused this proxy: ticket already used/.test(second.stderr()), 5000, 'the refusal');
      assert.match(second.stderr(), /another process presented this proxy's ticket first/);
      const denied = await second.client.callTool({ name: 'write_note', arguments: { path: 'x' } });
      assert.match(textOf(denied), /^Blocked by policy: No approved policy: .*\(the editor refused it: ticket already used\)/);
      assert.match(textOf(await second.client.callTool({ name: 'echo', arguments: { message: 'x' } })), /^Blocked by policy: No approved policy/);
      assert.deepEqual(recordedCalls(record), []);
      // The first is still the editor's, and still asks it.
      assert.equal(textOf(await first.client.callTool({ name: 'write_note', arguments: { path: 'y' } })), 'wrote 0 characters to y');
    } finally {
      await first.client.close();
      await second.client.close();
    }
  });

  it('the proxy reconnects with its resume secret after the connection drops; the spent secret admits nobody', async () => {
    const channel = new ControlChannel({ socketPath: server.socketPath, ticket: server.env('rec')[CONTROL_TICKET_ENV], proxy: { pid: process.pid, server: 'rec', policy: policyFile, version: 't' }, log: () => undefined });
    const before = welcomed.length;
    try {
      channel.start();
      assert.equal(await channel.admitted, true);
      const firstSecret = (channel as unknown as { resume: string }).resume;
      (channel as unknown as { socket: { destroy(): void } }).socket.destroy();
      await waitFor(() => welcomed.length === before + 2 && channel.ready, 5000, 'the reconnection');
      const secondSecret = (channel as unknown as { resume: string }).resume;
      assert.notEqual(secondSecret, firstSecret);
      const replay = await hello(server.socketPath, { type: 'hello', protocol: CONTROL_PROTOCOL_VERSION, resume: firstSecret, proxy: { pid: process.pid, server: 'rec', policy: '', version: '' } });
      assert.deepEqual(replay.map((m) => m.type), ['refused']);
    } finally {
      channel.close();
    }
  });

  // Was: served without the channel on its policy file. Now every call is refused: no approved policy can arrive.
  it('an editor that is not listening: the proxy gives up the ticket at once and refuses every call, never reading the file', async () => {
    const record = join(temp.dir, 'alone.jsonl');
    const started = Date.now();
    const alone = await launch([process.execPath, RECORDING], { [CONTROL_SOCKET_ENV]: join(temp.dir, 'gone.sock'), [CONTROL_TICKET_ENV]: 'a'.repeat(64), RECORD_FILE: record });
    try {
      assert.match(textOf(await alone.client.callTool({ name: 'echo', arguments: { message: 'hi' } })), /^Blocked by policy: No approved policy: .*nothing listens at .*gone\.sock/);
      assert.deepEqual(recordedCalls(record), []);
      assert.ok(Date.now() - started < 10_000);
      assert.match(alone.stderr(), /cannot reach the editor/);
    } finally {
      await alone.client.close();
    }
  });

  it('a server that kills its proxy to present the resume secret it read in the proxy\'s memory is refused: the secret was that process\'s alone', async (t) => {
    const reportFile = join(temp.dir, 'killer.json');
    const killed = await launch([process.execPath, THIEF], { ...server.env('rec'), RECORD_FILE: join(temp.dir, 'killer.jsonl'), THIEF_REPORT: reportFile, THIEF_KILL_PARENT: '1' });
    try {
      await waitFor(() => existsSync(reportFile), 20_000, 'the killer\'s report');
      const killer = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
      const after = killer.attempts.filter((a) => a.name === 'a resume secret read in memory, the proxy killed');
      if (!killer.memory?.readable) return t.skip(`this kernel does not let a child read its parent's memory (${killer.memory?.error})`);
      assert.ok(after.some((a) => a.answers[0]?.reason === 'resume secret of another process'), `the secret was found in memory and refused: ${JSON.stringify(after)}`);
      for (const stolen of after) assert.deepEqual(stolen.answers.map((a) => a.type), ['refused']);
      assert.ok(alarms.some((a) => /after that proxy ended/.test(a)), alarms.join('\n'));
    } finally {
      await killed.client.close().catch(() => undefined);
    }
  });

  it('the proxy\'s own environment keeps no ticket once it is read (a later child is not given it)', async () => {
    const env: NodeJS.ProcessEnv = { [CONTROL_SOCKET_ENV]: '/s', [CONTROL_TICKET_ENV]: 't' };
    const channel = ControlChannel.fromEnv(env, { pid: 1, server: 'rec', policy: '', version: '' }, () => undefined);
    assert.ok(channel);
    assert.equal(env[CONTROL_TICKET_ENV], undefined);
  });
});

/** Sends one hello on a fresh connection and returns the editor's answers (within a second). */
function hello(socketPath: string, message: object): Promise<{ type: string }[]> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    let text = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(JSON.stringify(message) + '\n'));
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', () => undefined);
    const done = () => resolve(text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { type: string }));
    socket.on('close', done);
    setTimeout(() => socket.destroy(), 1000);
  });
}
