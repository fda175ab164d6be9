// "Try a call…" on a tool of the protected scanner: the form's Send goes through VS Code's MCP client to
// Warden's proxy like an agent's call, so a denied tool shows Warden's refusal (the scanner never sees
// it) and lands in the Decisions view, and an allowed one shows the scanner's answer.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { SCANNER, ScriptedApprover, startServersUntil, waitFor, wardenApi, type Api } from './warden-helpers';

suite('Try a call', () => {
  let api: Api;

  suiteSetup(async function () {
    this.timeout(90_000);
    api = await wardenApi();
    await startServersUntil('stop_scan');
    await waitFor(() => api.tree.model().servers.find((s) => s.name === SCANNER)?.tools.some((t) => t.name === 'stop_scan'), 'the scanner\'s tools in the tree');
  });

  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('Try a call on denied stop_scan: Warden\'s refusal with its reason, a Decisions entry, and the scanner never saw it', async function () {
    this.timeout(60_000);
    const before = api.decisions.entries()[0]?.id ?? 0;
    const panel = api.tryCall.open({ server: SCANNER, tool: 'stop_scan' });
    assert.ok(panel, 'the form opened');
    const shown = await panel.send({ scan_id: 'S-1' });
    assert.equal(shown.state, 'refused', `${shown.headline}\n${shown.body}`);
    assert.match(shown.headline, /^Warden refused the call by rule "stop_scan" \(line \d+\): Stopping a running security scan can hide an attack\. The server never saw it\./);
    assert.match(shown.body ?? '', /Stopping a running security scan can hide an attack/);
    const entry = api.decisions.entries().find((e) => e.id > before && e.tool === 'stop_scan');
    assert.ok(entry, 'the call is in the Decisions view');
    assert.deepEqual([entry.server, entry.decision, entry.rule], [SCANNER, 'deny', 'stop_scan']);

    // S-1 is completed: had the call reached the scanner, it would read "stopped" now.
    const status = await api.tryCall.open({ server: SCANNER, tool: 'get_scan_status' })!.send({ scan_id: 'S-1' });
    assert.equal(JSON.parse(status.body ?? '{}').status, 'completed');
  });

  test('Try a call on allowed get_scan_status: the scanner\'s answer; a form mistake sends nothing', async function () {
    this.timeout(60_000);
    const panel = api.tryCall.open({ server: SCANNER, tool: 'get_scan_status' });
    assert.ok(panel);
    const count = api.decisions.entries().length;
    const mistake = await panel.send({});
    assert.deepEqual([mistake.state, mistake.body], ['problem', '"scan_id" is required.']);
    assert.equal(api.decisions.entries().length, count, 'nothing was sent');
    const shown = await panel.send({ scan_id: 'S-1' });
    assert.equal(shown.state, 'allowed', `${shown.headline}\n${shown.body}`);
    assert.match(shown.headline, /^Warden allowed the call/);
    assert.deepEqual(JSON.parse(shown.body ?? '{}').id, 'S-1');
    assert.equal(api.decisions.entries()[0]?.tool, 'get_scan_status');
  });

  test('Try a call on start_security_scan, which asks: Warden asks the person, and a No is a refusal', async function () {
    this.timeout(60_000);
    const person = new ScriptedApprover();
    person.answers.push('deny');
    const seat = api.approvals.use(person);
    try {
      const shown = await api.tryCall.open({ server: SCANNER, tool: 'start_security_scan' })!.send({ target: 'staging', profile: '"quick"' });
      assert.deepEqual(person.asked.map((prompt) => [prompt.tool, prompt.arguments]), [['start_security_scan', { target: 'staging', profile: 'quick' }]]);
      assert.equal(shown.state, 'refused', `${shown.headline}\n${shown.body}`);
    } finally {
      seat.dispose();
    }
  });

  test('Try a call is offered only where the call passes Warden: not on a server Warden does not protect', async () => {
    assert.equal(api.tryCall.open({ server: 'everything', tool: 'echo' }), undefined);
    const tabs = () => vscode.window.tabGroups.all.flatMap((group) => group.tabs).filter((tab) => tab.input instanceof vscode.TabInputWebview).length;
    const [tabsBefore, decisionsBefore] = [tabs(), api.decisions.entries().length];
    assert.equal(await vscode.commands.executeCommand('mcpWarden.tryToolCall', 'security-scanner stop_scan {"scan_id":"S-1"}'), undefined, 'a string from an agent opens nothing and sends nothing');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(tabs(), tabsBefore, 'no form opened');
    assert.equal(api.decisions.entries().length, decisionsBefore, 'no call was made');
  });
});
