// Commands that loosen ask too, inside a real VS Code: run with plain arguments (as another extension, a
// keybinding or an agent's run_vscode_command would), Allow, a raised rate limit and Unprotect write
// nothing until the policy-changes review applies them, and nothing at all when it keeps the approved
// policy; tightening commands need no review; run on the nodes of Warden's own tree, none asks.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TreeElement } from '../../src/extension/tree/tree-elements';
import type { ServerRow, ToolRow } from '../../src/workbench/tree-model';
import { keepFiles, mcpJsonFile, policyFile, readFile, SCANNER, ScriptedPolicyReviewer, waitFor, wardenApi, type Api } from './warden-helpers';

suite('Leash: commands that loosen ask too', () => {
  let api: Api;
  let restore: () => Promise<void>;
  const reviewer = new ScriptedPolicyReviewer('never');
  let seat: vscode.Disposable;

  const decisionOf = (tool: string) => api.tree.refresh().servers.find((s) => s.name === SCANNER)?.tools.find((t) => t.name === tool)?.action;
  const approved = () => api.policyChanges.approvedText(policyFile().fsPath);

  suiteSetup(async () => {
    api = await wardenApi();
    restore = await keepFiles(api, mcpJsonFile(), policyFile());
    seat = api.policyChanges.use(reviewer);
    await waitFor(() => api.catalogue.server(SCANNER), 'the scanner known');
    // The tree shows tools it knows: list the scanner's the way its proxy would report them.
    if (!api.catalogue.tools(SCANNER)) {
      api.catalogue.setTools(SCANNER, ['stop_scan', 'get_scan_status', 'start_security_scan', 'list_findings', 'delete_finding'].map((name) => ({ name })), 'proxy');
    }
  });

  suiteTeardown(async function () {
    this.timeout(30_000);
    reviewer.answers.push('apply', 'apply', 'apply');
    const released = setInterval(() => reviewer.release('apply'), 100);
    try {
      await restore?.();
    } finally {
      clearInterval(released);
      seat?.dispose();
    }
    api.catalogue.clearTools(SCANNER);
  });

  test('Allow with { server, tool } writes nothing while the review is open, and writes once it applies', async () => {
    const before = await readFile(policyFile());
    const asked = reviewer.asked.length;
    const running = vscode.commands.executeCommand<boolean>('mcpWarden.allowTool', { server: SCANNER, tool: 'stop_scan' });
    await waitFor(() => reviewer.asked.length === asked + 1, 'the review');
    const change = reviewer.asked.at(-1)!;
    assert.equal(change.file, policyFile().fsPath);
    assert.deepEqual(change.loosened.map((l) => [l.server, l.tool, l.what, l.before, l.after]), [[SCANNER, 'stop_scan', 'decision', 'deny', 'allow']]);
    assert.match(change.proposedText ?? '', / {6}stop_scan:\n {8}action: allow\n/, 'Show diff has the proposed text');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(await readFile(policyFile()), before, 'nothing written while the review is open');
    assert.equal(decisionOf('stop_scan'), 'deny');

    reviewer.release('apply');
    assert.equal(await running, true);
    assert.match(await readFile(policyFile()), / {6}stop_scan:\n {8}action: allow\n/);
    await waitFor(() => decisionOf('stop_scan') === 'allow', 'the applied change in the tree');
    assert.match(approved() ?? '', / {6}stop_scan:\n {8}action: allow\n/, 'the applied text is the approved policy');
  });

  test('kept: Ask instead of Deny, a raised rate limit and Unprotect by name change nothing in either file', async () => {
    const policyBefore = await readFile(policyFile());
    const mcpBefore = await readFile(mcpJsonFile());
    const approvedBefore = approved();
    const asked = reviewer.asked.length;
    reviewer.answers.push('keep', 'keep', 'keep');
    assert.equal(await vscode.commands.executeCommand('mcpWarden.askTool', { server: SCANNER, tool: 'delete_finding' }), false);
    assert.equal(await vscode.commands.executeCommand('mcpWarden.rateLimitTool', { server: SCANNER, tool: 'start_security_scan', max: 1000, window: '1m' }), false);
    assert.equal(await vscode.commands.executeCommand('mcpWarden.unprotectServer', SCANNER), false);
    const asks = reviewer.asked.slice(asked);
    const listed = (index: number) => asks[index].loosened.map((l) => `${l.server}/${l.tool ?? ''}: ${l.what} ${l.before} → ${l.after}`);
    assert.equal(asks.length, 3);
    assert.deepEqual(listed(0), [`${SCANNER}/delete_finding: decision deny → ask`]);
    assert.deepEqual(listed(1), [`${SCANNER}/start_security_scan: rate limit 10 per 1m → 1000 per 1m`]);
    assert.deepEqual(asks[2].loosened.map((l) => [l.server, l.what]).sort(), [[SCANNER, 'launch'], [SCANNER, 'protection']]);
    assert.equal(await readFile(policyFile()), policyBefore);
    assert.equal(await readFile(mcpJsonFile()), mcpBefore);
    assert.equal(approved(), approvedBefore);
    assert.ok(api.policy.protectedServer(SCANNER), 'still protected');
  });

  test('strings where a tool target belongs do not name a tool: nothing is written without a person picking one', async () => {
    const before = await readFile(policyFile());
    const running = vscode.commands.executeCommand('mcpWarden.allowTool', SCANNER, 'stop_scan');
    await new Promise((resolve) => setTimeout(resolve, 500));
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.equal(await running, false);
    assert.equal(await readFile(policyFile()), before);
  });

  test('tightening with plain arguments needs no review: Deny, Ask on an allowed tool, a lower rate limit', async () => {
    const asked = reviewer.asked.length;
    assert.equal(await vscode.commands.executeCommand('mcpWarden.denyTool', { server: SCANNER, tool: 'stop_scan' }), true);
    assert.equal(await vscode.commands.executeCommand('mcpWarden.askTool', { server: SCANNER, tool: 'get_scan_status' }), true);
    assert.equal(await vscode.commands.executeCommand('mcpWarden.rateLimitTool', { server: SCANNER, tool: 'start_security_scan', max: 2, window: '1m' }), true);
    assert.equal(reviewer.asked.length, asked, 'no review');
    const text = await readFile(policyFile());
    assert.match(text, / {6}stop_scan:\n {8}action: deny\n/);
    assert.match(text, / {6}get_scan_status:\n {8}action: ask\n/);
    assert.match(text, /rate_limit: \{ max: 2, window: 1m \}/);
    await waitFor(() => decisionOf('stop_scan') === 'deny' && decisionOf('get_scan_status') === 'ask', 'the tree to follow');
  });

  test("run on the nodes of Warden's tree, Allow and Unprotect are the person's act: no review", async function () {
    this.timeout(30_000);
    const asked = reviewer.asked.length;
    const server = api.tree.getChildren().find((e): e is ServerRow => e.kind === 'server' && e.name === SCANNER)!;
    const stop = api.tree.getChildren(server).find((e: TreeElement): e is ToolRow => e.kind === 'tool' && e.name === 'stop_scan')!;
    assert.equal(stop.action, 'deny');
    // A copy of a node is not the node: it is reviewed like any other argument.
    reviewer.answers.push('keep');
    assert.equal(await vscode.commands.executeCommand('mcpWarden.allowTool', { ...stop }), false);
    assert.equal(reviewer.asked.length, asked + 1);

    assert.equal(await vscode.commands.executeCommand('mcpWarden.allowTool', stop), true);
    await waitFor(() => decisionOf('stop_scan') === 'allow', 'Allow applied');
    assert.match(approved() ?? '', / {6}stop_scan:\n {8}action: allow\n/, 'approved as written');
    const node = api.tree.getChildren().find((e): e is ServerRow => e.kind === 'server' && e.name === SCANNER)!;
    assert.equal(await vscode.commands.executeCommand('mcpWarden.unprotectServer', node), true);
    assert.equal(api.policy.protectedServer(SCANNER), undefined);
    assert.equal(reviewer.asked.length, asked + 1, 'no review for the clicks');

    // Protect from the tree approves the launch entry it moves (the click is the person's act).
    await waitFor(() => api.catalogue.server(SCANNER)?.source.origin === 'workspace', 'the scanner back in mcp.json');
    const unprotected = await waitFor(() => api.tree.refresh() && api.tree.getChildren().find((e): e is ServerRow => e.kind === 'server' && e.name === SCANNER && !e.isProtected), 'the scanner unprotected in the tree');
    assert.equal(await vscode.commands.executeCommand('mcpWarden.protectServer', unprotected), true);
    const entry = api.policy.protectedServer(SCANNER)!.entry;
    assert.equal(api.launches.isApproved(policyFile().fsPath, SCANNER, entry), true);
    assert.equal(reviewer.asked.length, asked + 1);
  });
});
