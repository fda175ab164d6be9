// Approvals inside a real VS Code: an agent's call of an `ask` tool through VS Code's MCP client reaches the
// proxy, the proxy asks the editor over the control channel, and the approver answers. The test host
// refuses dialogs, so the tests take the approver's seat through the extension's API.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { invoke, SCANNER, SCANNER_DEFINITION_ID, ScriptedApprover, startServersUntil, waitFor, wardenApi, type Api } from './warden-helpers';

const TIMEOUT_SECONDS = 2;

suite('Approvals through the test seam', () => {
  let api: Api;
  const approver = new ScriptedApprover();
  let seat: vscode.Disposable;

  suiteSetup(async function () {
    this.timeout(90_000);
    api = await wardenApi();
    seat = api.approvals.use(approver);
    const config = vscode.workspace.getConfiguration('mcpWarden');
    await config.update('approvalTimeoutSeconds', TIMEOUT_SECONDS, vscode.ConfigurationTarget.Global);
    // A running proxy keeps the arguments it was started with: start it (again) with the short timeout.
    if (api.proxies.running().includes(SCANNER)) {
      await vscode.commands.executeCommand('workbench.mcp.stopServer', SCANNER_DEFINITION_ID);
      await waitFor(() => !api.proxies.running().includes(SCANNER), 'the scanner to stop');
    }
    await startServersUntil('start_security_scan');
    await waitFor(() => api.proxies.running().includes(SCANNER), 'the scanner behind the proxy');
  });

  suiteTeardown(async () => {
    seat?.dispose();
    await vscode.workspace.getConfiguration('mcpWarden').update('approvalTimeoutSeconds', undefined, vscode.ConfigurationTarget.Global);
    // Leave the host as the next suites expect it: the scanner stopped and its tools unknown.
    await vscode.commands.executeCommand('workbench.mcp.stopServer', SCANNER_DEFINITION_ID);
    await waitFor(() => !api.proxies.running().includes(SCANNER), 'the scanner to stop');
    api.catalogue.clearTools(SCANNER);
  });

  test('Allow once: the call runs; the prompt shows server, tool, risk, reason and the exact arguments', async function () {
    this.timeout(30_000);
    approver.answers.push('allow-once');
    const scan = JSON.parse(await invoke('start_security_scan', { target: 'staging.internal', profile: 'quick' })) as { id: string; status: string; target: string };
    assert.deepEqual([scan.status, scan.target], ['running', 'staging.internal']);
    const prompt = approver.asked.at(-1)!;
    assert.deepEqual(
      [prompt.server, prompt.tool, prompt.arguments, prompt.risk.category, prompt.risk.level, prompt.reason, prompt.rule, prompt.timeoutMs],
      [SCANNER, 'start_security_scan', { target: 'staging.internal', profile: 'quick' }, 'execute', 'high', 'Scans run against real hosts.', 'start_security_scan', TIMEOUT_SECONDS * 1000],
    );
    assert.ok(prompt.policyFile.endsWith('mcp-policy.yaml'));
  });

  test('Deny: the agent gets the block message with the editor\'s reason', async function () {
    this.timeout(30_000);
    approver.answers.push('deny');
    const text = await invoke('start_security_scan', { target: 'prod.internal' });
    assert.match(text, /^Blocked by policy: Denied in the editor \(.*mcp-policy\.yaml:\d+\)$/);
  });

  test('No answer: the call is denied when the time runs out, and the prompt is withdrawn', async function () {
    this.timeout(30_000);
    approver.answers.push('never');
    const withdrawn = approver.withdrawn;
    const started = Date.now();
    const text = await invoke('start_security_scan', { target: 'slow.internal' });
    const elapsed = Date.now() - started;
    assert.match(text, /^Blocked by policy: approval timed out after 2 s/);
    assert.ok(elapsed >= TIMEOUT_SECONDS * 1000 - 100 && elapsed < TIMEOUT_SECONDS * 1000 + 5_000, `took ${elapsed} ms`);
    await waitFor(() => approver.withdrawn === withdrawn + 1, 'the prompt to be withdrawn');
    assert.deepEqual(api.approvals.waiting(), []);
  });

  test('Allow for this session: asked once, then later calls of that tool in the session pass without a prompt', async function () {
    this.timeout(30_000);
    const asked = approver.asked.length;
    approver.answers.push('allow-session');
    const first = JSON.parse(await invoke('start_security_scan', { target: 'a.internal' })) as { status: string };
    const second = JSON.parse(await invoke('start_security_scan', { target: 'b.internal' })) as { status: string };
    assert.deepEqual([first.status, second.status], ['running', 'running']);
    assert.equal(approver.asked.length - asked, 1);
    assert.equal(api.approvals.allowances().length, 1);
    assert.match(api.approvals.allowances()[0], /^security-scanner\/start_security_scan \(.+\)$/);
  });

  test('the Decisions view lists the outcomes, latest first, and its badge counts the blocked calls', async () => {
    const outcomes = await waitFor(() => {
      const entries = api.decisions.entries().filter((e) => e.tool === 'start_security_scan');
      return entries.length >= 5 && entries.slice(0, 5);
    }, 'five decisions about start_security_scan');
    assert.deepEqual(outcomes.map((e) => [e.decision, e.policy, e.approval?.answer]), [
      ['allow', 'ask', 'accept'],
      ['allow', 'ask', 'accept'],
      ['deny', 'ask', 'timeout'],
      ['deny', 'ask', 'decline'],
      ['allow', 'ask', 'accept'],
    ]);
    // Latest first: the latest call, on its own or as the first of its conversation's calls.
    const first = api.decisionsView.getChildren()[0];
    assert.equal('kind' in first ? first.entries[0].id : first.id, api.decisions.entries()[0].id);
    const item = api.decisionsView.getTreeItem(outcomes[2]);
    assert.match(String(item.label), /^\d\d:\d\d:\d\d {2}security-scanner › start_security_scan$/);
    assert.match(String(item.description), /^denied \(asked: timeout via editor\) — approval timed out after 2 s/);
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'circle-slash');
    assert.equal(item.command?.command, 'mcpWarden.revealDecision');
    assert.equal(api.decisionsView.view.badge?.value, api.decisions.blocked);
    assert.ok(api.decisions.blocked >= 2);
  });
});
