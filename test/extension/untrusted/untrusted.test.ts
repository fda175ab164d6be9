// Workspace Trust, in a VS Code started with trust enabled and the sample workspace not trusted (a run of
// its own: `npm run test:vscode` starts it after the main suite). Warden runs in restricted mode: its views
// and policy checks work, but no protected server is offered to VS Code, none starts, and no launch entry
// runs (Discover Tools and Approve Launch included); the tree says why.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { SCANNER, ScriptedLaunchReviewer, waitFor, wardenApi, type Api } from '../warden-helpers';

suite('Untrusted workspace: no protected server', () => {
  let api: Api;
  const person = new ScriptedLaunchReviewer('allow');
  let seat: vscode.Disposable;

  suiteSetup(async function () {
    this.timeout(30_000);
    assert.equal(vscode.workspace.isTrusted, false, 'this run opens the sample workspace untrusted');
    api = await wardenApi();
    seat = api.launches.use(person);
    await waitFor(() => api.policy.protectedServer(SCANNER), 'the policy read, with its protected scanner');
  });

  suiteTeardown(() => seat?.dispose());

  test('Warden is active in restricted mode and reads its policy', () => {
    assert.equal(vscode.extensions.getExtension('mcp-warden.mcp-warden')?.isActive, true);
    assert.equal(api.policy.view.state, 'valid');
  });

  test('no protected server is offered to VS Code, and resolving one starts nothing', async () => {
    assert.deepEqual(api.definitions.provideMcpServerDefinitions(), []);
    const definition = new vscode.McpStdioServerDefinition(SCANNER, process.execPath, []);
    assert.equal(await api.definitions.resolveMcpServerDefinition(definition), undefined);
    // Nor in gateway mode: no gateway is started for it.
    const http = new vscode.McpHttpServerDefinition(SCANNER, vscode.Uri.parse('http://127.0.0.1/servers/security-scanner/mcp'));
    assert.equal(await api.definitions.resolveMcpServerDefinition(http), undefined);
    assert.equal(api.gateway.pid, undefined, 'a gateway was started');
    assert.equal(person.asked.length, 0, 'not even asked: nothing runs here');
    // (VS Code's own start command would ask for trust first: a dialog this host refuses.)
    assert.deepEqual(api.proxies.running(), []);
  });

  test('the tree says why: a notice, and each protected server held as not trusted', () => {
    const model = api.tree.refresh();
    assert.ok(model.notices.some((notice) => /not trusted: protected servers are not offered/.test(notice.message)), JSON.stringify(model.notices));
    const scanner = model.servers.find((row) => row.name === SCANNER)!;
    assert.deepEqual([scanner.state, scanner.held, scanner.contextValue], ['held', 'workspace not trusted', 'server:protected:held:stdio']);
    assert.match(scanner.description, /protected · workspace not trusted/);
  });

  test('no launch entry runs: Discover Tools and Approve Launch refuse', async () => {
    assert.equal(await vscode.commands.executeCommand('mcpWarden.discoverTools', SCANNER), undefined);
    assert.equal(api.catalogue.tools(SCANNER)?.origin === 'discovery', false);
    assert.equal(await vscode.commands.executeCommand('mcpWarden.approveLaunch', SCANNER), false);
    assert.equal(person.asked.length, 0);
  });
});
