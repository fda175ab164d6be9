// Launch entries need a person, inside a real VS Code: a protected server whose entry nobody approved on
// this machine is offered but not started, and the tree says why; the person's Allow starts it; the same
// entry is not asked about again, a changed one is; a launch change applied through the policy review
// counts as approved. "everything" is protected here the way an agent would: the command with its name.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { parse } from 'jsonc-parser';
import { EXTENSION_ID, keepFiles, mcpJsonFile, policyFile, readFile, ScriptedLaunchReviewer, ScriptedPolicyReviewer, waitFor, wardenApi, type Api } from './warden-helpers';

const EVERYTHING = 'everything';
const EVERYTHING_DEFINITION_ID = `${EXTENSION_ID}/${EVERYTHING}`;

suite('Leash: launch entries need a person', () => {
  let api: Api;
  let restore: () => Promise<void>;
  const person = new ScriptedLaunchReviewer('never');
  const policyReviewer = new ScriptedPolicyReviewer('apply');
  let seats: vscode.Disposable[] = [];

  const offered = () => api.definitions.provideMcpServerDefinitions().find((d) => d.label === EVERYTHING);
  const row = () => api.tree.refresh().servers.find((s) => s.name === EVERYTHING);
  const file = () => policyFile().fsPath;

  suiteSetup(async function () {
    this.timeout(30_000);
    api = await wardenApi();
    restore = await keepFiles(api, mcpJsonFile(), policyFile());
    seats = [api.launches.use(person), api.policyChanges.use(policyReviewer)];
    await waitFor(() => api.catalogue.server(EVERYTHING)?.source.origin === 'workspace', 'everything from mcp.json');
  });

  suiteTeardown(async function () {
    this.timeout(30_000);
    if (api.proxies.running().includes(EVERYTHING)) {
      await vscode.commands.executeCommand('workbench.mcp.stopServer', EVERYTHING_DEFINITION_ID);
      await waitFor(() => !api.proxies.running().includes(EVERYTHING), 'everything to stop');
    }
    // The restored policy no longer protects everything: a loosening the person applies.
    await restore?.();
    await waitFor(() => api.policy.protectedServer(EVERYTHING) === undefined, 'the policy restored');
    for (const seat of seats) seat.dispose();
  });

  test('an unapproved launch entry is offered but not started, and the tree says why', async function () {
    this.timeout(60_000);
    assert.equal(await vscode.commands.executeCommand('mcpWarden.protectServer', EVERYTHING), true);
    const entry = api.policy.protectedServer(EVERYTHING)?.entry;
    assert.ok(entry, 'protected');
    assert.equal(api.launches.isApproved(file(), EVERYTHING, entry), false, 'protecting by name approves no launch');
    const held = await waitFor(() => row()?.isProtected && row(), 'everything protected in the tree');
    assert.equal(held.state, 'held');
    assert.equal(held.contextValue, 'server:protected:held:stdio');
    assert.match(held.description, /^stdio · protected · launch not approved · /);
    assert.ok(offered(), 'VS Code is offered the server (it shows, and asks when started)');

    // VS Code starts it: the person is asked, says no; the server does not start.
    person.answers.push('deny');
    // VS Code learns of the new definition from the provider's change event: start until it asks.
    await waitFor(async () => {
      await vscode.commands.executeCommand('workbench.mcp.startServer', EVERYTHING_DEFINITION_ID, { waitForLiveTools: false });
      return person.asked.length >= 1;
    }, 'the launch prompt');
    assert.equal(person.asked.length, 1);
    const request = person.asked[0];
    assert.deepEqual([request.server, request.file, request.changed], [EVERYTHING, file(), false]);
    assert.match(request.summary.commandLine, /^node \S+\/node_modules\/@modelcontextprotocol\/server-everything\/dist\/index\.js stdio$/);
    assert.equal(request.summary.commandLine.includes('${workspaceFolder}'), true, 'the entry as written in the policy');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.ok(!api.proxies.running().includes(EVERYTHING), 'not started');
    assert.equal(api.launches.isApproved(file(), EVERYTHING, entry), false);
    assert.equal(row()?.held, 'launch not approved');
    // Nor does a direct resolve (the same path) start it without an answer.
    person.answers.push('deny');
    assert.equal(await api.definitions.resolveMcpServerDefinition(offered()!), undefined);
    assert.equal(person.asked.length, 2);
  });

  test('the person allowing it starts it; the same entry is not asked about again', async function () {
    this.timeout(90_000);
    person.answers.push('allow');
    await waitFor(async () => {
      await vscode.commands.executeCommand('workbench.mcp.startServer', EVERYTHING_DEFINITION_ID, { waitForLiveTools: true });
      return api.proxies.running().includes(EVERYTHING);
    }, 'everything to run behind the proxy', 60_000);
    assert.equal(person.asked.length, 3);
    const entry = api.policy.protectedServer(EVERYTHING)!.entry;
    assert.equal(api.launches.isApproved(file(), EVERYTHING, entry), true);
    await waitFor(() => row()?.state === 'running' && row()?.held === undefined, 'the tree to show it running, held no more');

    await vscode.commands.executeCommand('workbench.mcp.stopServer', EVERYTHING_DEFINITION_ID);
    await waitFor(() => !api.proxies.running().includes(EVERYTHING), 'everything to stop');
    const resolved = await api.definitions.resolveMcpServerDefinition(offered()!);
    assert.ok(resolved, 'the same entry starts without a prompt');
    assert.equal(person.asked.length, 3);
  });

  test('a changed entry is asked about again, with what changed in it', async function () {
    this.timeout(60_000);
    const approved = api.policy.protectedServer(EVERYTHING)!.entry;
    // Unprotect (reviewed: the person applies), change the entry in mcp.json, protect it again by name.
    assert.equal(await vscode.commands.executeCommand('mcpWarden.unprotectServer', EVERYTHING), true);
    const mcp = await readFile(mcpJsonFile());
    const changed = mcp.replace(/("args": \["\$\{workspaceFolder\}\/\.\.\/\.\.\/node_modules\/@modelcontextprotocol\/server-everything\/dist\/index\.js", "stdio"\])/, '$1,\n      "env": { "WARDEN_EXTRA": "1" }');
    assert.notEqual(changed, mcp);
    await vscode.workspace.fs.writeFile(mcpJsonFile(), new TextEncoder().encode(changed));
    await waitFor(() => (api.catalogue.server(EVERYTHING)?.launch?.env ?? {}).WARDEN_EXTRA === '1', 'the changed entry from mcp.json');
    assert.deepEqual((parse(changed) as { servers: Record<string, { env?: unknown }> }).servers[EVERYTHING].env, { WARDEN_EXTRA: '1' });
    assert.equal(await vscode.commands.executeCommand('mcpWarden.protectServer', EVERYTHING), true);
    const entry = api.policy.protectedServer(EVERYTHING)!.entry;
    assert.notDeepEqual(entry, approved);
    assert.equal(api.launches.isApproved(file(), EVERYTHING, entry), false);
    await waitFor(() => row()?.held === 'launch not approved', 'the tree to hold the changed entry');

    person.answers.push('deny');
    assert.equal(await api.definitions.resolveMcpServerDefinition(offered()!), undefined);
    const request = person.asked.at(-1)!;
    assert.equal(person.asked.length, 4);
    assert.equal(request.changed, true);
    assert.deepEqual(request.summary.envNames, ['WARDEN_EXTRA']);
  });

  test('a launch change the person applies through the policy review counts as approved', async function () {
    this.timeout(30_000);
    const asked = person.asked.length;
    const reviews = policyReviewer.asked.length;
    const text = await readFile(policyFile());
    const edited = text.replace(/WARDEN_EXTRA: ("1"|'1'|1)/, 'WARDEN_EXTRA: "2"');
    assert.notEqual(edited, text, text);
    await vscode.workspace.fs.writeFile(policyFile(), new TextEncoder().encode(edited));
    await waitFor(() => api.policy.protectedServer(EVERYTHING)?.entry.env && (api.policy.protectedServer(EVERYTHING)!.entry.env as Record<string, string>).WARDEN_EXTRA === '2', 'the reviewed change applied');
    assert.ok(policyReviewer.asked.slice(reviews).some((change) => change.loosened.some((l) => l.server === EVERYTHING && l.what === 'launch')), 'the launch change was in the review');
    const entry = api.policy.protectedServer(EVERYTHING)!.entry;
    await waitFor(() => api.launches.isApproved(file(), EVERYTHING, entry), 'the applied launch entry approved');
    assert.ok(await api.definitions.resolveMcpServerDefinition(offered()!));
    assert.equal(person.asked.length, asked, 'no second prompt');
  });
});
