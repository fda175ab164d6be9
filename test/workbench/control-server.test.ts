// The editor's control socket against the real proxy (dist/cli.js), started with the arguments the MCP
// server definition gives VS Code, and an MCP client in the agent's place: tools reach the catalogue,
// decisions the log, approvals the approver, and the socket is private.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { MemoryCatalogue } from '../../src/language/catalogue';
import { ApprovalBroker, type ApprovalChoice, type ApprovalPrompt, type Approver } from '../../src/workbench/approval-broker';
import { controlHandlers } from '../../src/workbench/control-hub';
import { ControlServer } from '../../src/workbench/control-server';
import { DecisionLog } from '../../src/workbench/decision-log';
import { ProxyStatus } from '../../src/workbench/proxy-status';
import { proxyInvocation } from '../../src/workbench/proxy-launch';
import { CLI, requireBundle, SCANNER, tempDir, writePolicy, yaml } from '../proxy/helpers';

const POLICY = yaml(
  'version: 1',
  'servers:',
  '  security-scanner:',
  '    tools:',
  '      stop_scan:',
  '        action: deny',
  '        reason: Stopping a running scan can hide an attack.',
  '      start_security_scan:',
  '        action: ask',
);

class ScriptedApprover implements Approver {
  readonly asked: ApprovalPrompt[] = [];
  readonly answers: Array<ApprovalChoice | 'never'> = [];
  aborted = 0;
  ask(prompt: ApprovalPrompt, signal: AbortSignal): Promise<ApprovalChoice | undefined> {
    this.asked.push(prompt);
    const answer = this.answers.shift() ?? 'never';
    if (answer !== 'never') return Promise.resolve(answer);
    return new Promise((resolve) => signal.addEventListener('abort', () => { this.aborted++; resolve(undefined); }));
  }
}

let temp: ReturnType<typeof tempDir>;
let server: ControlServer;
let client: Client;
const catalogue = new MemoryCatalogue();
const decisions = new DecisionLog();
const status = new ProxyStatus();
const approver = new ScriptedApprover();
const approvals = new ApprovalBroker(() => approver);
const logged: string[] = [];
let policyFile: string;

before(async () => {
  requireBundle();
  temp = tempDir();
  server = await ControlServer.start({
    directory: `${temp.dir}/storage`,
    handlers: (id, connection) => controlHandlers(id, connection, { catalogue, decisions, status, approvals, log: (level, message) => logged.push(`${level} ${message}`) }),
  });
  policyFile = writePolicy(temp.dir, POLICY);
  // What a person approved: the proxy enforces this text, never the file.
  server.setApprovedPolicy(policyFile, POLICY);
  const invocation = proxyInvocation({ command: process.execPath, args: [SCANNER] }, { cliPath: CLI, policyFile, server: 'security-scanner', approvalTimeoutSeconds: 1 });
  const env = { ...(process.env as Record<string, string>), ...(invocation.env as Record<string, string>), ...server.env('security-scanner') };
  client = new Client({ name: 'agent', version: '1' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: invocation.args, env, stderr: 'ignore' }));
  await client.listTools();
  await waitFor(() => catalogue.tools('security-scanner') !== undefined, 'the tools report');
});

after(async () => {
  await client?.close();
  await server?.close();
  temp?.cleanup();
});

test('the socket is private: mode 0600 in a folder of mode 0700; each launch gets its own ticket', () => {
  assert.equal(statSync(server.socketPath).mode & 0o777, 0o600);
  assert.equal(statSync(`${temp.dir}/storage`).mode & 0o777, 0o700);
  const [one, two] = [server.env('security-scanner').MCP_WARDEN_CONTROL_TICKET, server.env('security-scanner').MCP_WARDEN_CONTROL_TICKET];
  assert.match(one, /^[0-9a-f]{64}$/);
  assert.notEqual(one, two);
});

test('the proxy\'s tools report fills the catalogue (origin proxy) and marks the server running', () => {
  const listed = catalogue.tools('security-scanner')!;
  assert.equal(listed.origin, 'proxy');
  assert.deepEqual(listed.tools.map((t) => t.name).sort(), ['delete_finding', 'get_scan_status', 'list_findings', 'start_security_scan', 'stop_scan']);
  assert.deepEqual(catalogue.tool('security-scanner', 'stop_scan')!.risk, { category: 'execute', level: 'high', source: 'name', warnings: [] });
  assert.equal(status.runtime('security-scanner')?.state, 'running');
  assert.deepEqual(status.running(), ['security-scanner']);
});

test('a denied call is blocked with its reason, never reaches the scanner, and lands in the decision log', async () => {
  const started = text(await client.callTool({ name: 'start_security_scan', arguments: { target: 'x' } }).catch((e) => e)) ;
  // start_security_scan asks: nobody answered yet (no scripted answer), so it was denied after the 1 s timeout.
  assert.match(started, /Blocked by policy/);
  approver.answers.push('allow-once');
  const scan = JSON.parse(text(await client.callTool({ name: 'start_security_scan', arguments: { target: 'example.internal' } }))) as { id: string; status: string };
  assert.equal(scan.status, 'running');
  const blocked = await client.callTool({ name: 'stop_scan', arguments: { scan_id: scan.id } });
  assert.equal(blocked.isError, true);
  assert.match(text(blocked), /^Blocked by policy: Stopping a running scan can hide an attack\. \(.*policy\.yaml:5\)$/);
  const after = JSON.parse(text(await client.callTool({ name: 'get_scan_status', arguments: { scan_id: scan.id } }))) as { status: string };
  assert.equal(after.status, 'running', 'the scanner never saw stop_scan');
  await waitFor(() => decisions.entries().some((e) => e.tool === 'get_scan_status'), 'the decisions');
  const stop = decisions.entries().find((e) => e.tool === 'stop_scan')!;
  assert.deepEqual([stop.decision, stop.policy, stop.rule, stop.line, stop.reason], ['deny', 'deny', 'stop_scan', 5, 'Stopping a running scan can hide an attack.']);
  assert.ok(decisions.blocked >= 2);
  assert.ok(logged.some((line) => /^warn \[security-scanner\] security-scanner\/stop_scan: deny/.test(line)), logged.join('\n'));
});

test('approvals through the approver: allow once, deny, allow for this session, and a timeout', async () => {
  const askedBefore = approver.asked.length;
  approver.answers.push('allow-once', 'deny', 'allow-session');
  const once = await client.callTool({ name: 'start_security_scan', arguments: { target: 'a' } });
  assert.equal(once.isError, undefined);
  const denied = await client.callTool({ name: 'start_security_scan', arguments: { target: 'b' } });
  assert.match(text(denied), /^Blocked by policy: Denied in the editor/);
  await client.callTool({ name: 'start_security_scan', arguments: { target: 'c' } });
  const again = await client.callTool({ name: 'start_security_scan', arguments: { target: 'd' } });
  assert.equal(again.isError, undefined, 'allowed for the session without asking');
  assert.equal(approver.asked.length - askedBefore, 3);
  const prompt = approver.asked[askedBefore];
  assert.deepEqual([prompt.server, prompt.tool, prompt.arguments, prompt.risk.category, prompt.risk.level, prompt.rule, prompt.line], ['security-scanner', 'start_security_scan', { target: 'a' }, 'execute', 'high', 'start_security_scan', 8]);
  await waitFor(() => decisions.entries().filter((e) => e.tool === 'start_security_scan').length >= 6, 'the approval decisions');
  const latest = decisions.entries().filter((e) => e.tool === 'start_security_scan').slice(0, 4).map((e) => [e.decision, e.approval?.answer]);
  assert.deepEqual(latest, [['allow', 'accept'], ['allow', 'accept'], ['deny', 'decline'], ['allow', 'accept']]);
  const timedOut = decisions.entries().filter((e) => e.tool === 'start_security_scan').at(-1)!;
  assert.deepEqual([timedOut.decision, timedOut.approval?.answer], ['deny', 'timeout']);
  assert.ok(approver.aborted >= 1, 'the timed-out prompt was closed');
});

function text(result: unknown): string {
  if (result instanceof Error) return result.message;
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content.map((c) => c.text ?? '').join('');
}

async function waitFor(condition: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('allow for this session counts per chat conversation', async () => {
  const askedBefore = approver.asked.length;
  const scan = (target: string, conversation: string) => client.callTool({ name: 'start_security_scan', arguments: { target }, _meta: { 'vscode.conversationId': conversation } });
  approver.answers.push('allow-session', 'deny');
  assert.equal((await scan('e', 'conversation-1')).isError, undefined);
  assert.equal((await scan('f', 'conversation-1')).isError, undefined, 'allowed for the conversation without asking');
  assert.match(text(await scan('g', 'conversation-2')), /^Blocked by policy: Denied in the editor/);
  assert.equal(approver.asked.length - askedBefore, 2);
  assert.deepEqual(approver.asked.slice(askedBefore).map((p) => p.conversation), ['conversation-1', 'conversation-2']);
  assert.ok(approvals.allowances().includes('security-scanner/start_security_scan (conversation:conversation-1)'), approvals.allowances().join(', '));
  await waitFor(() => decisions.entries().some((e) => e.tool === 'start_security_scan' && e.approval?.answer === 'decline'), 'the decision');
});

test('the approved policy: an edit of the file changes nothing; setApprovedPolicy applies to the next call within 250 ms, for that file only', async () => {
  // The file is loosened on disk: stop_scan stays denied.
  writeFileSync(policyFile, POLICY.replace('action: deny', 'action: allow'));
  await new Promise((resolve) => setTimeout(resolve, 400));
  assert.match(text(await client.callTool({ name: 'stop_scan', arguments: { scan_id: 'x' } })), /^Blocked by policy: Stopping a running scan/);

  // Another file's approval reaches no proxy of this one.
  const loadedBefore = logged.filter((line) => line.includes('policy loaded')).length;
  server.setApprovedPolicy(`${policyFile}.other`, 'version: 1\ndefault: deny\n');
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(logged.filter((line) => line.includes('policy loaded')).length, loadedBefore);

  const tighter = POLICY + '      get_scan_status:\n        action: deny\n        reason: Status is private\n';
  const sent = performance.now();
  server.setApprovedPolicy(policyFile, tighter);
  let blocked = '';
  while (performance.now() - sent < 3000) {
    const result = await client.callTool({ name: 'get_scan_status', arguments: { scan_id: 'x' } });
    if (result.isError) {
      blocked = text(result);
      break;
    }
  }
  const elapsed = performance.now() - sent;
  assert.match(blocked, /^Blocked by policy: Status is private/);
  assert.ok(elapsed <= 250, `applied after ${elapsed.toFixed(0)} ms`);
  await waitFor(() => logged.filter((line) => line.includes('policy loaded')).length > loadedBefore, 'the proxy\'s report');
});
