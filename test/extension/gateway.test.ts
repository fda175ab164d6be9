// One Warden process for the window, inside a real VS Code: three protected servers run behind one gateway
// (counted among this extension host's processes), VS Code's MCP client reaches each at the gateway's URL
// and every tool works as the policy says; the seed's stop_scan stays denied and never reaches the scanner;
// a resolved secret reaches its server only; killing the gateway fails the call in flight, nothing reaches
// a server undecided, and it comes back by itself.
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { setServerLaunch } from '../../src/workbench/launch-edits';
import {
  invoke,
  keepFiles,
  mcpTool,
  policyFile,
  readFile,
  SCANNER,
  ScriptedApprover,
  ScriptedLaunchReviewer,
  ScriptedPolicyReviewer,
  useProxyMode,
  waitFor,
  wardenApi,
  type Api,
} from './warden-helpers';

const NOTES = 'notes';
// Not "everything": the launch approval given here would be an earlier approval for the leash suite's "everything".
const EVERYTHING = 'reference';
const SECRET = 'gateway-SECRET-6021';
const INPUT = 'wardenGatewayNotesKey';

suite('Gateway: one Warden process for the window', () => {
  let api: Api;
  let restoreFiles: () => Promise<void>;
  let restoreMode: () => Promise<void>;
  let seats: vscode.Disposable[] = [];
  let scratch: string;
  const approver = new ScriptedApprover();
  const record = () => join(scratch, 'notes.jsonl');
  const recorded = (): string[] => (existsSync(record()) ? readFileSync(record(), 'utf8').split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { params?: { name?: string } }).params?.name ?? '').filter(Boolean) : []);

  suiteSetup(async function () {
    this.timeout(120_000);
    api = await wardenApi();
    // The default: auto, which is the gateway here (the probe in the docs: VS Code connects from this host).
    restoreMode = await useProxyMode(undefined);
    restoreFiles = await keepFiles(api, policyFile());
    seats = [api.policyChanges.use(new ScriptedPolicyReviewer('apply')), api.launches.use(new ScriptedLaunchReviewer('allow')), api.approvals.use(approver)];
    scratch = mkdtempSync(join(tmpdir(), 'warden-gateway-test-'));
    await api.inputs.store(INPUT, SECRET);
    const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    let text = await readFile(policyFile());
    text = setServerLaunch(text, NOTES, { type: 'stdio', command: 'node', args: ['${workspaceFolder}/../../test/fixtures/recording-server.js'], env: { RECORD_FILE: record(), NOTES_KEY: '${input:' + INPUT + '}' } });
    text = setServerLaunch(text, EVERYTHING, { type: 'stdio', command: 'node', args: [`${folder}/../../node_modules/@modelcontextprotocol/server-everything/dist/index.js`, 'stdio'] });
    await vscode.workspace.fs.writeFile(policyFile(), new TextEncoder().encode(text));
    await api.policy.reload();
    await waitFor(() => api.policy.protectedServers.length === 3 && api.policyChanges.approvedText(policyFile().fsPath) === text, 'three protected servers, approved');
    await waitFor(async () => {
      await vscode.commands.executeCommand('workbench.mcp.startServer', '*', { waitForLiveTools: true });
      return mcpTool('get_scan_status') && mcpTool('whoami') && mcpTool('get-sum');
    }, "VS Code's MCP client to list the three servers' tools", 90_000);
  });

  suiteTeardown(async function () {
    this.timeout(60_000);
    await restoreFiles?.();
    await restoreMode?.();
    await api.inputs.forget(INPUT);
    for (const seat of seats) seat.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  test('three protected servers, one Warden process: each offered at the gateway without its token, each server a child of the gateway', async () => {
    const gatewayPid = await waitFor(() => api.gateway.pid, 'the gateway');
    assert.deepEqual(wardenProcesses(process.pid), [gatewayPid], 'Warden processes under this extension host');
    const offered = api.definitions.provideMcpServerDefinitions();
    assert.deepEqual(offered.map((d) => d.label).sort(), [EVERYTHING, NOTES, SCANNER].sort());
    for (const definition of offered) {
      assert.ok(definition instanceof vscode.McpHttpServerDefinition, `${definition.label} is offered over HTTP`);
      assert.equal(definition.uri.toString(true), `http://127.0.0.1/servers/${definition.label}/mcp`, 'a placeholder: the first start changes nothing offered');
      assert.deepEqual(definition.headers, {}, 'the offered definition, which VS Code keeps, carries no token');
    }
    // The definition VS Code starts (resolved, not kept) points at the gateway, with its token.
    const resolved = await api.definitions.resolveMcpServerDefinition(offered.find((d) => d.label === NOTES)!);
    assert.ok(resolved instanceof vscode.McpHttpServerDefinition);
    assert.equal(resolved.uri.toString(true), `${api.gateway.url}/servers/${NOTES}/mcp`);
    assert.match(resolved.headers.Authorization, /^Bearer [A-Za-z0-9_-]{32,}$/);
    assert.equal(api.gateway.pid, gatewayPid, 'served by the same gateway');
    const notesPid = Number(await invoke('whoami', {}));
    assert.equal(parentOf(notesPid), gatewayPid, 'the notes server runs under the gateway');
    // The ${input:...} secret reached its server, and neither the gateway's command line nor its environment.
    assert.ok(readFileSync(`/proc/${notesPid}/environ`, 'latin1').split('\0').includes(`NOTES_KEY=${SECRET}`));
    for (const part of ['cmdline', 'environ']) assert.ok(!readFileSync(`/proc/${gatewayPid}/${part}`, 'latin1').includes(SECRET), `the secret in the gateway's ${part}`);
  });

  test('every tool works through VS Code\'s MCP client as the policy says; the seed\'s stop_scan is denied and never reaches the scanner', async function () {
    this.timeout(60_000);
    const callsBefore = recorded().length;
    assert.equal(await invoke('add', { a: 2, b: 3 }), '5');
    assert.match(await invoke('write_note', { path: 'n.txt', text: 'hello' }), /^wrote 5 characters to n\.txt$/);
    assert.match(await invoke('slow', { ms: 1 }), /^waited 1 ms$/);
    assert.match(await invoke('get-sum', { a: 2, b: 40 }), /42/);
    assert.deepEqual(recorded().slice(callsBefore), ['add', 'write_note', 'slow']);

    assert.deepEqual(JSON.parse(await invoke('get_scan_status', { scan_id: 'S-1' })).status, 'completed');
    assert.match(await invoke('list_findings', { scan_id: 'S-1' }), /S-1|finding|\[/i);
    approver.answers.push('allow-once');
    assert.match(await invoke('start_security_scan', { target: 'example.internal' }), /S-\d+/);
    assert.equal(approver.asked.at(-1)?.tool, 'start_security_scan', 'the ask went to the person in the editor');
    assert.match(await invoke('delete_finding', { finding_id: 'F-1' }), /^Blocked by policy: Findings are evidence\./);
    const blocked = await invoke('stop_scan', { scan_id: 'S-1' });
    assert.match(blocked, /^Blocked by policy: Stopping a running security scan can hide an attack\./);
    // S-1 is a completed scan: had stop_scan reached the scanner, S-1 would now read "stopped".
    assert.equal(JSON.parse(await invoke('get_scan_status', { scan_id: 'S-1' })).status, 'completed');
    const denied = await waitFor(() => api.decisions.entries().find((entry) => entry.tool === 'stop_scan'), 'the stop_scan decision in the Decisions view');
    assert.deepEqual([denied.server, denied.decision], [SCANNER, 'deny']);
    const row = await waitFor(() => api.tree.refresh().servers.find((server) => server.name === SCANNER && server.state === 'running'), 'the scanner shown running');
    assert.equal(row.isProtected, true);
  });

  test('killing the gateway fails the call in flight and nothing reaches a server undecided; it restarts and a later call works', async function () {
    this.timeout(120_000);
    const gatewayPid = api.gateway.pid!;
    const notesPid = Number(await invoke('whoami', {}));
    const slowCalls = () => recorded().filter((name) => name === 'slow').length;
    const slowBefore = slowCalls();
    const inFlight = invoke('slow', { ms: 3000 });
    await waitFor(() => slowCalls() > slowBefore, 'the slow call to reach the server');
    const idsBefore = Math.max(0, ...api.decisions.entries().map((entry) => entry.id));
    const calls = recorded().length;
    process.kill(gatewayPid, 'SIGKILL');
    const answer = await inFlight;
    assert.doesNotMatch(answer, /^waited 3000 ms$/, 'the call in flight did not get an answer through a dead gateway');
    // Its servers go with it: the notes server sees its input end.
    await waitFor(() => !alive(notesPid), 'the notes server of the dead gateway to end');

    // It comes back by itself, and VS Code, told the definitions changed, reaches the new one.
    const restarted = await waitFor(() => api.gateway.pid !== undefined && api.gateway.pid !== gatewayPid && api.gateway.pid, 'the gateway to restart', 30_000);
    assert.deepEqual(wardenProcesses(process.pid), [restarted]);
    assert.equal(await waitFor(async () => (await invoke('add', { a: 20, b: 22 })) === '42' && '42', 'a later call to work', 30_000), '42');
    // Every call a server received since was decided by the new gateway (reported allowed): none slipped through undecided.
    const received = recorded().slice(calls).sort();
    const allowed = await waitFor(() => {
      const names = api.decisions.entries().filter((entry) => entry.id > idsBefore && entry.server === NOTES && entry.decision === 'allow').map((entry) => entry.tool).sort();
      return names.length >= received.length && names;
    }, 'the decisions of the calls received');
    assert.deepEqual(received, allowed);
    assert.ok(received.length > 0 && received.every((name) => name === 'add'), JSON.stringify(received));
  });
});

/** Warden's own processes (its CLI: a proxy or the gateway) among the descendants of `root`. */
function wardenProcesses(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const parent = parentOf(pid);
    if (parent !== undefined) children.set(parent, [...(children.get(parent) ?? []), pid]);
  }
  const found: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    queue.push(...(children.get(pid) ?? []));
    const args = commandLine(pid);
    const cli = args.findIndex((arg) => arg.endsWith('/dist/cli.js'));
    if (cli >= 0 && ['proxy', 'gateway'].includes(args[cli + 1]) && alive(pid)) found.push(pid);
  }
  return found.sort((a, b) => a - b);
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function commandLine(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}
