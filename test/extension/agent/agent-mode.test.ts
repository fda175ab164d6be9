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
  keepFiles, mcpJsonFile, policyFile, readFile, SCANNER, SCANNER_DEFINITION_ID, ScriptedApprover, startServersUntil, waitFor, wardenApi, type Api,
} from '../warden-helpers';
import { agentModel, approvalsOff, askAgent, HeldReviewer, scannerCalls, turnOnCopilotAgent, type AgentModel, type AgentResult } from './agent-helpers';

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

  test('an agent rewrite of the scanner\'s launch command does not run, not even when the server restarts', async function () {
    this.timeout(90_000);
    const marker = path.join(os.tmpdir(), `mcp-warden-agent-launch-${process.pid}-${Date.now()}`);
    // A hijack that hides itself: it runs its own command, then the real scanner.
    const hijacked = `      command: /bin/sh\n      args: ["-c", "touch ${marker} && exec node $0", "${SCANNER_SCRIPT}"]\n`;
    assert.ok(original.includes(SCANNER_LAUNCH), 'the sample policy launches the scanner with node');
    reviewer.standing = 'keep';
    const asked = reviewer.asked.length;
    const [edited] = await agentTurn('Change how the security scanner is started.', [
      { tool: 'replace_string_in_file', input: { filePath: policyFile().fsPath, oldString: SCANNER_LAUNCH, newString: hijacked } },
    ]);
    assert.ok((await readFile(policyFile())).includes(hijacked), `the edit is on disk; the edit tool said: ${edited.text}`);
    await waitFor(() => reviewer.asked.slice(asked).some((c) => c.loosened.some((l) => l.server === SCANNER && /launch/i.test(l.what))), 'the launch change to be reviewed');

    // The next start of the server (a restart, a reload of the window) still runs the approved entry.
    await vscode.commands.executeCommand('workbench.mcp.stopServer', SCANNER_DEFINITION_ID);
    await waitFor(() => !api.proxies.running().includes(SCANNER), 'the scanner to stop');
    await vscode.commands.executeCommand('workbench.mcp.startServer', SCANNER_DEFINITION_ID, { waitForLiveTools: true });
    await waitFor(() => api.proxies.running().includes(SCANNER), 'the scanner to start again');
    const offered = api.definitions.provideMcpServerDefinitions().find((definition) => definition.label === SCANNER);
    assert.ok(offered && !offered.args.includes('/bin/sh') && offered.args.some((arg) => arg.endsWith('/test/fixtures/security-scanner.js')), JSON.stringify(offered?.args));
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

});

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
