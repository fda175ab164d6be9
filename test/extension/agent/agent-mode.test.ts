// Copilot's real agent mode against a protected server, with VS Code's approvals off (as Autopilot runs):
// whatever the agent does through its own tools, Warden's guarantees hold. The agent is Copilot Chat; its
// model is the project's scripted one, which makes exactly the tool calls each test plans. The person at
// the editor is played through Warden's API: the policy-changes reviewer and the approver.
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  keepFiles, mcpJsonFile, policyFile, readFile, SCANNER, SCANNER_DEFINITION_ID, ScriptedApprover, ScriptedLaunchReviewer, startServersUntil, waitFor, wardenApi, type Api,
} from '../warden-helpers';
import { agentModel, approvalsOff, askAgent, HeldReviewer, scannerCalls, turnOnCopilotAgent, type AgentModel, type AgentResult } from './agent-helpers';

const STOP_SCAN_DENIED = '      stop_scan:\n        action: deny\n';
const STOP_SCAN_ALLOWED = '      stop_scan:\n        action: allow\n';
const SCANNER_SCRIPT = '${workspaceFolder}/../../test/fixtures/security-scanner.js';
const SCANNER_LAUNCH = `      command: node\n      args: ["${SCANNER_SCRIPT}"]\n`;

suite('Agent mode: what the agent cannot do to Warden', () => {
  let api: Api;
  let model: AgentModel;
  let original: string;
  let restore: () => Promise<void>;
  const reviewer = new HeldReviewer();
  const approver = new ScriptedApprover();
  const seats: vscode.Disposable[] = [];
  let started = 0;

  suiteSetup(async function () {
    this.timeout(120_000);
    started = Date.now();
    api = await wardenApi();
    model = await agentModel();
    original = await readFile(policyFile());
    restore = await keepFiles(api, policyFile(), mcpJsonFile());
    seats.push(api.policyChanges.use(reviewer), api.approvals.use(approver));
    await approvalsOff(true);
    await turnOnCopilotAgent();
    console.log(`    Copilot's agent ready after ${seconds(started)}`);
    await startServersUntil('stop_scan');
    await waitFor(() => api.proxies.running().includes(SCANNER), 'the scanner behind the proxy');
  });

  teardown(async function () {
    this.timeout(30_000);
    await approvalsOff(true);
    await putBackPolicy();
  });

  suiteTeardown(async function () {
    this.timeout(30_000);
    await approvalsOff(false);
    reviewer.standing = 'apply';
    await restore?.();
    for (const seat of seats) seat.dispose();
    console.log(`    the agent-mode suite took ${seconds(started)}`);
  });

  /** The sample policy on disk and approved again (putting back a loosening is applied by the reviewer). */
  async function putBackPolicy(): Promise<void> {
    reviewer.answer('keep');
    reviewer.standing = 'apply';
    try {
      if ((await readFile(policyFile())) !== original) await vscode.workspace.fs.writeFile(policyFile(), new TextEncoder().encode(original));
      await api.policy.reload();
      await waitFor(() => api.policyChanges.approvedText(policyFile().fsPath) === original, 'the sample policy approved again', 10_000).catch((error: Error) => {
        const approved = api.policyChanges.approvedText(policyFile().fsPath);
        throw new Error(`${error.message}; approved:\n${approved}\nwaiting: ${JSON.stringify(api.policyChanges.waiting())}`);
      });
      await waitFor(() => api.proxies.reported(SCANNER)?.find((tool) => tool.name === 'stop_scan')?.decision === 'deny', 'the proxy to enforce the sample policy');
    } finally {
      reviewer.standing = undefined;
    }
  }

  /** Writes `text` as a person would and applies it through the review (what a person's edit gets). */
  async function approvePolicy(text: string): Promise<void> {
    reviewer.standing = 'apply';
    try {
      await vscode.workspace.fs.writeFile(policyFile(), new TextEncoder().encode(text));
      await waitFor(() => api.policyChanges.approvedText(policyFile().fsPath) === text, 'the new policy approved');
    } finally {
      reviewer.standing = undefined;
    }
  }

  /** delete_finding (destructive, not open-world) on ask, as a person sets it: VS Code would ask before it. */
  async function askBeforeDeleteFinding(): Promise<void> {
    const asking = original.replace('      delete_*:\n', '      delete_finding:\n        action: ask\n        reason: A person decides which finding goes.\n      delete_*:\n');
    assert.notEqual(asking, original);
    await approvePolicy(asking);
    await waitFor(() => api.proxies.reported(SCANNER)?.find((tool) => tool.name === 'delete_finding')?.decision === 'ask', 'the proxy to enforce delete_finding: ask');
  }

  /** Plans one turn, sends it, and returns its results; VS Code must not have asked. */
  async function agentTurn(prompt: string, calls: Parameters<AgentModel['plan']>[0]): Promise<AgentResult[]> {
    const before = model.results.length;
    model.plan(calls);
    const confirmation = await askAgent(model, prompt);
    if (confirmation) await vscode.commands.executeCommand('workbench.action.chat.cancel').then(undefined, () => undefined);
    assert.equal(confirmation, undefined, `VS Code asked before ${confirmation?.toolId}`);
    return model.results.slice(before);
  }

  test('approvals off: the agent\'s stop_scan is blocked with the reason and never reaches the scanner; its next call does', async function () {
    this.timeout(60_000);
    const before = scannerCalls().length;
    const [stop, status] = await agentTurn('Stop scan S-1, then show me its status.', [
      { tool: 'stop_scan', input: { scan_id: 'S-1' } },
      { tool: 'get_scan_status', input: { scan_id: 'S-1' } },
    ]);
    assert.match(stop.tool, /^mcp_.*_stop_scan$/);
    assert.match(stop.text, new RegExp(`^Blocked by policy: Stopping a running security scan can hide an attack\\. \\(${escape(policyFile().fsPath)}:\\d+\\)$`));
    assert.equal((JSON.parse(status.text) as { status: string }).status, 'completed');
    assert.deepEqual(scannerCalls().slice(before), [{ tool: 'get_scan_status', arguments: { scan_id: 'S-1' } }]);
    const denied = api.decisions.entries().find((entry) => entry.tool === 'stop_scan');
    assert.deepEqual([denied?.decision, denied?.rule], ['deny', 'stop_scan']);
  });

  test('an agent edit that tightens the policy, through Copilot\'s own edit tool, applies to the agent\'s very next call', async function () {
    this.timeout(60_000);
    const before = scannerCalls().length;
    const asked = reviewer.asked.length;
    const rule = '      list_findings:\n        risk: { category: read, level: medium }\n';
    const denied = '      list_findings:\n        action: deny\n        reason: Findings stay with the scanner.\n        risk: { category: read, level: medium }\n';
    assert.ok(original.includes(rule), 'the sample policy has the list_findings rule');
    const [listed, edited, blocked] = await agentTurn('List the findings of S-1, then deny list_findings in the policy and list them again.', [
      { tool: 'list_findings', input: { scan_id: 'S-1' } },
      { tool: 'replace_string_in_file', input: { filePath: policyFile().fsPath, oldString: rule, newString: denied } },
      { tool: 'list_findings', input: { scan_id: 'S-1' } },
    ]);
    assert.match(listed.text, /Outdated TLS configuration/);
    assert.equal(edited.tool, 'replace_string_in_file', edited.text);
    assert.ok((await readFile(policyFile())).includes(denied), `the edit is on disk; the edit tool said: ${edited.text}`);
    assert.match(blocked.text, /^Blocked by policy: Findings stay with the scanner\. \(/);
    assert.deepEqual(scannerCalls().slice(before).map((call) => call.tool), ['list_findings']);
    assert.equal(reviewer.asked.length, asked, 'a tightening is not reviewed');
  });

  test('an agent edit that loosens the policy (stop_scan allowed) is not enforced, and stop_scan stays blocked, until a person applies it', async function () {
    this.timeout(60_000);
    const file = policyFile().fsPath;
    const before = scannerCalls().length;
    const asked = reviewer.asked.length;
    const [edited, stop] = await agentTurn('Allow stop_scan in the policy, then stop scan S-1.', [
      { tool: 'replace_string_in_file', input: { filePath: file, oldString: STOP_SCAN_DENIED, newString: STOP_SCAN_ALLOWED } },
      { tool: 'stop_scan', input: { scan_id: 'S-1' } },
    ]);
    assert.ok((await readFile(policyFile())).includes(STOP_SCAN_ALLOWED), `the edit is on disk; the edit tool said: ${edited.text}`);
    assert.match(stop.text, /^Blocked by policy: Stopping a running security scan can hide an attack\. \(/);
    assert.deepEqual(scannerCalls().slice(before), []);

    // The person is asked in Warden's UI what loosens; until then the approved policy is what the proxy has.
    const change = await waitFor(() => reviewer.asked.slice(asked).find((c) => c.loosened.some((l) => l.server === SCANNER && l.tool === 'stop_scan')), 'the review of the loosening');
    assert.equal(change.file, file);
    assert.equal(api.policyChanges.waiting()?.file, file);
    assert.equal(api.policyChanges.approvedText(file), original);

    assert.ok(reviewer.answer('apply') >= 1);
    await waitFor(() => api.proxies.reported(SCANNER)?.find((tool) => tool.name === 'stop_scan')?.decision === 'allow', 'the proxy to enforce the applied policy');
    const [applied] = await agentTurn('Stop scan S-1.', [{ tool: 'stop_scan', input: { scan_id: 'S-1' } }]);
    assert.equal((JSON.parse(applied.text) as { status: string }).status, 'stopped');
    assert.deepEqual(scannerCalls().slice(before).map((call) => call.tool), ['stop_scan']);
  });

  test('a terminal command of the agent that loosens the policy is held the same way: stop_scan stays blocked', async function () {
    this.timeout(60_000);
    const file = policyFile().fsPath;
    const before = scannerCalls().length;
    const asked = reviewer.asked.length;
    reviewer.standing = 'keep';
    const command = `sed -i '/^      stop_scan:$/{n;s/action: deny/action: allow/}' '${file}'`;
    const [ran, stop] = await agentTurn('Allow stop_scan from the terminal, then stop scan S-1.', [
      { tool: 'run_in_terminal', input: { command, explanation: 'Allow stop_scan', goal: 'Allow stop_scan', mode: 'sync', isBackground: false, timeout: 15_000 } },
      { tool: 'stop_scan', input: { scan_id: 'S-1' } },
    ]);
    assert.ok((await readFile(policyFile())).includes(STOP_SCAN_ALLOWED), `the terminal changed the file; the terminal tool said: ${ran.text}`);
    assert.match(stop.text, /^Blocked by policy: Stopping a running security scan can hide an attack\. \(/);
    assert.deepEqual(scannerCalls().slice(before), []);
    await waitFor(() => reviewer.asked.slice(asked).some((c) => c.loosened.some((l) => l.server === SCANNER && l.tool === 'stop_scan')), 'the review of the loosening');
    assert.equal(api.policyChanges.approvedText(file), original);
  });

  test('an agent rewrite of the scanner\'s launch command does not run, not even when the server restarts; Approve Launch run by the agent does not approve it', async function () {
    this.timeout(90_000);
    const marker = path.join(os.tmpdir(), `mcp-warden-agent-launch-${process.pid}-${Date.now()}`);
    // A hijack that hides itself: it runs its own command, then the real scanner.
    const hijacked = `      command: /bin/sh\n      args: ["-c", "touch ${marker} && exec node $0", "${SCANNER_SCRIPT}"]\n`;
    assert.ok(original.includes(SCANNER_LAUNCH), 'the sample policy launches the scanner with node');
    reviewer.standing = 'keep';
    const asked = reviewer.asked.length;
    // Were the person asked about a launch entry, they would not start it.
    const person = new ScriptedLaunchReviewer('deny');
    seats.push(api.launches.use(person));
    const [edited, approval] = await agentTurn('Change how the security scanner is started, and approve the new command.', [
      { tool: 'replace_string_in_file', input: { filePath: policyFile().fsPath, oldString: SCANNER_LAUNCH, newString: hijacked } },
      { tool: 'run_vscode_command', input: { commandId: 'mcpWarden.approveLaunch', name: 'Approve the scanner\'s launch', args: [SCANNER] } },
    ]);
    assert.ok((await readFile(policyFile())).includes(hijacked), `the edit is on disk; the edit tool said: ${edited.text}`);
    await waitFor(() => reviewer.asked.slice(asked).some((c) => c.loosened.some((l) => l.server === SCANNER && /launch/i.test(l.what))), 'the launch change to be reviewed');
    // Approve Launch works on the approved policy's entry (approved already): the rewrite is neither approved nor even asked about.
    const rewritten = { type: 'stdio', command: '/bin/sh', args: ['-c', `touch ${marker} && exec node $0`, SCANNER_SCRIPT] };
    assert.equal(api.launches.isApproved(policyFile().fsPath, SCANNER, { type: 'stdio', command: 'node', args: [SCANNER_SCRIPT] }), true);
    assert.equal(api.launches.isApproved(policyFile().fsPath, SCANNER, rewritten), false, approval.text);
    assert.deepEqual(person.asked, []);

    // The next start of the server (a restart, a reload of the window) still runs the approved entry.
    await vscode.commands.executeCommand('workbench.mcp.stopServer', SCANNER_DEFINITION_ID);
    await waitFor(() => !api.proxies.running().includes(SCANNER), 'the scanner to stop');
    await vscode.commands.executeCommand('workbench.mcp.startServer', SCANNER_DEFINITION_ID, { waitForLiveTools: true });
    await waitFor(() => api.proxies.running().includes(SCANNER), 'the scanner to start again');
    assert.deepEqual(person.asked, [], 'the restart asked about a launch entry');
    const offered = api.definitions.provideMcpServerDefinitions().find((definition) => definition.label === SCANNER);
    // A proxy's command line shows its entry; a gateway's definition is a URL (the marker below checks both).
    if (offered instanceof vscode.McpStdioServerDefinition) {
      assert.ok(!offered.args.includes('/bin/sh') && offered.args.some((arg) => arg.endsWith('/test/fixtures/security-scanner.js')), JSON.stringify(offered.args));
    } else {
      assert.ok(offered, 'the scanner is still offered');
    }
    const [status] = await agentTurn('Show me the status of S-1.', [{ tool: 'get_scan_status', input: { scan_id: 'S-1' } }]);
    assert.equal((JSON.parse(status.text) as { id: string }).id, 'S-1');
    assert.equal(existsSync(marker), false, 'the rewritten launch command ran');
  });

  test('run_vscode_command with Warden\'s own commands cannot loosen anything: Unprotect waits for a person, who keeps the policy', async function () {
    this.timeout(60_000);
    const policyBefore = await readFile(policyFile());
    const mcpBefore = await readFile(mcpJsonFile());
    const before = scannerCalls().length;
    const asked = reviewer.asked.length;
    reviewer.standing = 'keep';
    const [ran, stop] = await agentTurn('Unprotect the security scanner, then stop scan S-1.', [
      { tool: 'run_vscode_command', input: { commandId: 'mcpWarden.unprotectServer', name: 'Unprotect the security scanner', args: [SCANNER] } },
      { tool: 'stop_scan', input: { scan_id: 'S-1' } },
    ]);
    assert.equal(ran.tool, 'run_vscode_command', ran.text);
    const review = reviewer.asked.slice(asked).find((c) => c.loosened.some((l) => l.server === SCANNER));
    assert.ok(review, `Unprotect was not reviewed; the command said: ${ran.text}`);
    assert.equal(await readFile(policyFile()), policyBefore);
    assert.equal(await readFile(mcpJsonFile()), mcpBefore);
    assert.ok(api.policy.protectedServer(SCANNER), 'the scanner is still protected');
    assert.match(stop.text, /^Blocked by policy: Stopping a running security scan can hide an attack\. \(/);
    assert.deepEqual(scannerCalls().slice(before), []);
  });

  test('an `ask` tool gets exactly one prompt, Warden\'s, with VS Code\'s approvals on or off; a denied tool gets none', async function () {
    this.timeout(60_000);
    await askBeforeDeleteFinding();
    const before = scannerCalls().length;
    // Findings the scanner does not have: its answer proves the call reached it, whatever ran before.
    for (const [off, finding] of [[false, 'F-5'], [true, 'F-6']] as const) {
      await approvalsOff(off);
      const asked = approver.asked.length;
      approver.answers.push('allow-once');
      const [deleted, stop] = await agentTurn(`Delete finding ${finding}, then stop scan S-1.`, [
        { tool: 'delete_finding', input: { finding_id: finding } },
        { tool: 'stop_scan', input: { scan_id: 'S-1' } },
      ]);
      assert.deepEqual(approver.asked.slice(asked).map((prompt) => [prompt.tool, prompt.arguments]), [['delete_finding', { finding_id: finding }]], `approvals ${off ? 'off' : 'on'}`);
      assert.equal(deleted.text, `no finding ${finding}`);
      assert.match(stop.text, /^Blocked by policy: Stopping a running security scan can hide an attack\. \(/);
    }
    assert.deepEqual(scannerCalls().slice(before).map((call) => call.tool), ['delete_finding', 'delete_finding']);
  });

  test('an open-world `ask` tool: VS Code asks nothing before the call and Warden asks once; with approvals on, VS Code then reviews its result', async function () {
    this.timeout(60_000);
    await approvalsOff(false);
    const before = scannerCalls().length;
    const asked = approver.asked.length;
    const turns = model.turnsDone();
    approver.answers.push('allow-once');
    model.plan([{ tool: 'start_security_scan', input: { target: 'staging.internal' } }]);
    // start_security_scan is annotated open-world: VS Code asks whether the model may see what it returned.
    const confirmation = await askAgent(model, 'Start a scan of staging.internal.');
    assert.equal(confirmation?.kind, 'toolPostApproval', JSON.stringify(confirmation));
    assert.match(confirmation.toolId, /_start_security_scan$/);
    assert.deepEqual(approver.asked.slice(asked).map((prompt) => prompt.tool), ['start_security_scan']);
    assert.deepEqual(scannerCalls().slice(before).map((call) => call.tool), ['start_security_scan'], 'the call ran before VS Code\'s prompt');
    await vscode.commands.executeCommand('workbench.action.chat.acceptTool');
    await waitFor(() => model.turnsDone() > turns, 'the turn to end');
    assert.equal((JSON.parse(model.results.at(-1)!.text) as { status: string }).status, 'running');
  });

  test('"Allow for this session" lasts for the chat conversation: asked once in it, again in the next; the Decisions view groups the calls by conversation', async function () {
    this.timeout(60_000);
    await askBeforeDeleteFinding();
    const before = scannerCalls().length;
    const asked = approver.asked.length;
    approver.answers.push('allow-session');
    // Findings the scanner does not have: what matters is that the calls reach it.
    const [first, second] = await agentTurn('Delete findings F-7 and F-8.', [
      { tool: 'delete_finding', input: { finding_id: 'F-7' } },
      { tool: 'delete_finding', input: { finding_id: 'F-8' } },
    ]);
    assert.deepEqual([first.text, second.text], ['no finding F-7', 'no finding F-8']);
    assert.equal(approver.asked.length - asked, 1, 'asked once in the conversation');
    approver.answers.push('deny');
    const [third] = await agentTurn('Delete finding F-9.', [{ tool: 'delete_finding', input: { finding_id: 'F-9' } }]);
    assert.match(third.text, /^Blocked by policy: Denied in the editor \(/);
    const prompts = approver.asked.slice(asked);
    assert.equal(prompts.length, 2, 'a new conversation is asked again');
    const [one, two] = prompts.map((prompt) => prompt.conversation);
    assert.ok(one && two && one !== two, `conversations ${one} and ${two}`);
    assert.deepEqual(scannerCalls().slice(before).map((call) => call.arguments.finding_id), ['F-7', 'F-8']);
    const latest = api.decisions.entries().filter((entry) => entry.tool === 'delete_finding').slice(0, 3);
    assert.deepEqual(latest.map((entry) => [entry.decision, entry.conversation]), [['deny', two], ['allow', one], ['allow', one]]);
    const groups = api.decisionsView.getChildren().slice(0, 2) as Array<{ kind?: string; conversation?: string }>;
    assert.deepEqual(groups.map((group) => [group.kind, group.conversation]), [['conversation', two], ['conversation', one]]);
  });
});

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
