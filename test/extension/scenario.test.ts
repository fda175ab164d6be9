// The seed's story inside a real VS Code: a person sees stop_scan in the Servers tree marked execute/high,
// clicks Deny on it, and the next time an agent calls it through VS Code's MCP client the call is blocked
// with the reason, the scanner never sees it, and its other tools still work.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TreeElement } from '../../src/extension/tree/tree-elements';
import type { ServerRow, ToolRow } from '../../src/workbench/tree-model';
import { invoke, keepFiles, policyFile, readFile, SCANNER, ScriptedPolicyReviewer, startServersUntil, waitFor, wardenApi, type Api } from './warden-helpers';

suite('Scenario: deny stop_scan from the tree', () => {
  let api: Api;
  let restore: () => Promise<void>;

  suiteSetup(async () => {
    api = await wardenApi();
    restore = await keepFiles(api, policyFile());
  });

  suiteTeardown(async () => {
    await restore?.();
  });

  test('stop_scan is execute/high in the tree; Deny on its node blocks the next call with the reason; get_scan_status still works', async function () {
    this.timeout(120_000);
    // The sample denies stop_scan already: start from "allowed". Run with plain arguments, Allow loosens, so a
    // person applies it in the review first.
    const person = new ScriptedPolicyReviewer('apply');
    const seat = api.policyChanges.use(person);
    try {
      assert.equal(await vscode.commands.executeCommand('mcpWarden.allowTool', { server: SCANNER, tool: 'stop_scan' }), true);
    } finally {
      seat.dispose();
    }
    assert.deepEqual(person.asked.map((change) => change.loosened.map((l) => [l.server, l.tool, l.what, l.before, l.after])), [[[SCANNER, 'stop_scan', 'decision', 'deny', 'allow']]]);
    await startServersUntil('stop_scan');
    await waitFor(() => api.proxies.reported(SCANNER)?.find((t) => t.name === 'stop_scan')?.decision === 'allow', "the proxy's report of stop_scan as allowed");

    const server = await waitFor(() => serverNode(api), 'the scanner in the tree, running, with its tools');
    assert.match(String(api.tree.getTreeItem(server).description), /^stdio · protected · running · 5 tools · 1 denied$/);
    let stop = toolNode(api, server, 'stop_scan');
    let item = api.tree.getTreeItem(stop);
    assert.equal(item.description, 'execute · high · allowed');
    assert.equal(item.contextValue, 'tool:allow:high:rule:enforced');
    assert.deepEqual([(item.iconPath as vscode.ThemeIcon).id, (item.iconPath as vscode.ThemeIcon).color?.id], ['run', 'mcpWarden.risk.high']);
    assert.equal((api.tree.decorations.provideFileDecoration(item.resourceUri!) as vscode.FileDecoration).badge, 'X');

    // Deny, as the inline action runs it: the command with the tree node.
    const before = await readFile(policyFile());
    assert.equal(await vscode.commands.executeCommand('mcpWarden.denyTool', stop), true);
    const after = await readFile(policyFile());
    assert.equal(after, before.replace(/( {6}stop_scan:\n {8}action: )allow\n/, '$1deny\n'), 'one word changed; every comment stays');
    stop = toolNode(api, serverNode(api)!, 'stop_scan');
    item = api.tree.getTreeItem(stop);
    assert.equal(item.description, 'execute · high · denied');
    assert.equal(item.contextValue, 'tool:deny:high:rule:enforced');
    const line = stop.decision.line!;

    // The running proxy picks the edit up by itself; its next tools report says so.
    await waitFor(() => api.proxies.reported(SCANNER)?.find((t) => t.name === 'stop_scan')?.decision === 'deny', 'the proxy to reload the policy');
    const blocked = await invoke('stop_scan', { scan_id: 'S-1' });
    // Allow kept the sample's hand-written reason, so Deny brings it back.
    assert.equal(blocked, `Blocked by policy: Stopping a running security scan can hide an attack. (${policyFile().fsPath}:${line})`);

    // S-1 is a completed scan: had stop_scan reached the scanner, S-1 would now read "stopped".
    const status = JSON.parse(await invoke('get_scan_status', { scan_id: 'S-1' })) as { id: string; status: string };
    assert.deepEqual([status.id, status.status], ['S-1', 'completed']);

    const entries = await waitFor(() => {
      const latest = api.decisions.entries();
      return latest.some((e) => e.tool === 'get_scan_status') && latest;
    }, 'the decisions in the Decisions view');
    const denied = entries.find((e) => e.tool === 'stop_scan')!;
    assert.deepEqual([denied.server, denied.decision, denied.policy, denied.rule, denied.line], [SCANNER, 'deny', 'deny', 'stop_scan', line]);
    assert.equal(entries.find((e) => e.tool === 'get_scan_status')!.decision, 'allow');
    assert.ok(api.decisions.blocked >= 1);
  });
});

function serverNode(api: Api): ServerRow | undefined {
  const row = api.tree.getChildren().find((element): element is ServerRow => element.kind === 'server' && element.name === SCANNER);
  return row && row.state === 'running' && row.tools.length === 5 ? row : undefined;
}

function toolNode(api: Api, server: ServerRow, name: string): ToolRow {
  const found = api.tree.getChildren(server).find((element: TreeElement): element is ToolRow => element.kind === 'tool' && element.name === name);
  assert.ok(found, `${name} is not under ${server.name}`);
  return found;
}
