// Pinned tools inside a real VS Code, with a protected server that changes a tool when told
// (test/fixtures/shifting-server.js): pinned from the tree, the call works; after the server changes its
// tool the tree marks it and the call never reaches the server; Pin tools run by name (as an agent
// would, through run_vscode_command) pins nothing unless a person accepts; Review change… opens the diff
// and Accept updates the lockfile, after which the call works again. The person at the editor is played
// through `policyChanges.use`, which also answers Warden's lockfile modal.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { TreeElement } from '../../src/extension/tree/tree-elements';
import { parseLockfile } from '../../src/pinning/lockfile';
import { liveDefinition } from '../../src/pinning/tool-marks';
import type { ServerRow, ToolRow } from '../../src/workbench/tree-model';
import { keepFiles, policyFile, readFile, ScriptedPolicyReviewer, startServersUntil, waitFor, wardenApi, workspaceUri, type Api } from './warden-helpers';

const SERVER = 'shifter';
const lockFile = () => workspaceUri('.vscode', 'mcp-policy.lock');

suite('Pinning: pinned tools in the editor', () => {
  let api: Api;
  let restore: () => Promise<void>;
  let folder: string;
  let shiftFile: string;
  let recordFile: string;
  const person = new ScriptedPolicyReviewer('apply');
  let seat: vscode.Disposable;

  const serverNode = () => (api.tree.getChildren() as TreeElement[]).find((element): element is ServerRow => element.kind === 'server' && element.name === SERVER);
  const toolRow = (tool: string) => serverNode()?.tools.find((row: ToolRow) => row.name === tool);
  const toolItem = (tool: string) => {
    const row = toolRow(tool);
    return row && api.tree.getTreeItem(row);
  };
  /** VS Code's name of the shifting server's tool: the one beside its `add` (no other sample server has `add`). */
  const vsCodeTool = (tool: string) => {
    const add = vscode.lm.tools.find((candidate) => candidate.tags.includes('mcp') && candidate.name.endsWith('_add'));
    return add && `${add.name.slice(0, -'add'.length)}${tool}`;
  };
  const call = async (tool: string, input: Record<string, unknown>): Promise<string> => {
    try {
      const result = await vscode.lm.invokeTool(vsCodeTool(tool)!, { input, toolInvocationToken: undefined }, new vscode.CancellationTokenSource().token);
      return result.content.map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : '')).join('');
    } catch (error) {
      return `threw: ${(error as Error).message}`;
    }
  };
  const echoCallsReceived = () => readFileSync(recordFile, 'utf8').split('\n').filter((line) => line.includes('"tools/call"') && line.includes('"echo"')).length;

  suiteSetup(async function () {
    this.timeout(180_000);
    api = await wardenApi();
    folder = mkdtempSync(join(tmpdir(), 'warden-pinning-'));
    shiftFile = join(folder, 'shift.json');
    recordFile = join(folder, 'calls.jsonl');
    writeFileSync(shiftFile, '{}\n');
    writeFileSync(recordFile, '');
    restore = await keepFiles(api, policyFile());
    seat = api.policyChanges.use(person);
    const policy = await readFile(policyFile());
    const entry = [
      `  ${SERVER}:`,
      '    launch:',
      '      type: stdio',
      '      command: node',
      '      args: ["${workspaceFolder}/../../test/fixtures/shifting-server.js"]',
      `      env: { SHIFT_FILE: ${JSON.stringify(shiftFile)}, RECORD_FILE: ${JSON.stringify(recordFile)} }`,
      '',
    ].join('\n');
    await vscode.workspace.fs.writeFile(policyFile(), new TextEncoder().encode(`${policy.trimEnd()}\n${entry}`));
    await api.policy.reload();
    await waitFor(() => api.policy.protectedServer(SERVER), 'the shifting server to be protected (its launch entry applied)');
    await startServersUntil('add', 120_000);
    await waitFor(() => api.proxies.reported(SERVER)?.some((tool) => tool.name === 'echo'), "the shifting server's tools reported by its proxy");
  });

  suiteTeardown(async function () {
    this.timeout(60_000);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // The lockfile removed is a loosening: the person applies it, so the host's approved state is clean again.
    await vscode.workspace.fs.delete(lockFile()).then(undefined, () => undefined);
    await api.pinning.ready();
    await waitFor(async () => {
      await vscode.commands.executeCommand('mcpWarden.reviewLockChange');
      return api.pinning.approvedLock() === undefined;
    }, 'the removed lockfile to be approved').catch(() => undefined);
    seat?.dispose();
    await restore?.();
    rmSync(folder, { recursive: true, force: true });
  });

  test('pinned from the tree (a click) and unchanged: the call works; after the rug pull the tree marks it and the call never reaches the server', async function () {
    this.timeout(60_000);
    const asked = person.asked.length;
    const node = serverNode();
    assert.ok(node, 'the shifting server in the tree');
    assert.equal(await vscode.commands.executeCommand('mcpWarden.pinServerTools', node), true);
    assert.equal(person.asked.length, asked, "a click in Warden's tree pins without a review");
    const lock = await readFile(lockFile());
    assert.equal(api.pinning.approvedLock(), lock, 'the lockfile Warden wrote on a click is the approved one');
    assert.match(lock, /"echo"/);
    const entry = parseLockfile(lock).lockfile?.servers.get(SERVER);
    assert.equal(entry?.instructions, 'Tools to echo and add.', "the server's instructions are pinned with its tools");
    assert.deepEqual(entry?.serverInfo, { name: 'shifting-server', version: '1.0.0' });
    assert.equal(await call('echo', { message: 'before' }), 'Echo: before');

    const received = echoCallsReceived();
    writeFileSync(shiftFile, JSON.stringify({ description: true }));
    const item = await waitFor(() => {
      const found = toolItem('echo');
      return typeof found?.description === 'string' && found.description.includes('changed since pinned') ? found : undefined;
    }, 'the tree to mark echo as changed');
    assert.match(String(item.contextValue), /:pin-changed/);
    assert.match(String(item.description), /description/);
    // Text from the server is appended as text: Markdown escapes it (spaces as &nbsp;).
    const tooltip = (item.tooltip as vscode.MarkdownString).value.replace(/&nbsp;/g, ' ');
    assert.match(tooltip, /changed since it was pinned/);
    assert.match(tooltip, /hidden-instructions|sensitive-path/, 'the tooltip lists the findings of the live description');
    const answer = await call('echo', { message: 'after' });
    assert.doesNotMatch(answer, /Echo: after/);
    assert.equal(echoCallsReceived(), received, 'the changed tool never reached the server');
  });

  test('Pin tools by name (as run_vscode_command would run it) pins nothing while the person keeps it blocked', async function () {
    this.timeout(30_000);
    const before = await readFile(lockFile());
    const approved = api.pinning.approvedLock();
    person.answers.push('keep');
    const asked = person.asked.length;
    assert.equal(await vscode.commands.executeCommand('mcpWarden.pinServerTools', SERVER), false);
    assert.equal(person.asked.length, asked + 1, "the change was put to Warden's modal");
    const change = person.asked.at(-1)!;
    assert.equal(change.kind, 'lockfile');
    assert.ok(change.loosened.some((item) => item.server === SERVER && item.tool === 'echo' && item.what === 'pin'), JSON.stringify(change.loosened));
    assert.equal(await readFile(lockFile()), before, 'nothing was written');
    assert.equal(api.pinning.approvedLock(), approved, 'nothing was approved');
    // Pin all, which VS Code runs with no argument, is put to the modal the same way.
    person.answers.push('keep');
    assert.equal(await vscode.commands.executeCommand('mcpWarden.pinAllTools'), false);
    assert.equal(await readFile(lockFile()), before);
  });

  test('Review change… opens the diff of pinned against live; Accept updates the lockfile and the call works again', async function () {
    this.timeout(60_000);
    const asked = person.asked.length;
    assert.equal(await vscode.commands.executeCommand('mcpWarden.reviewToolChange', { server: SERVER, tool: 'echo' }), true);
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    assert.ok(input instanceof vscode.TabInputTextDiff, 'a diff editor is open');
    assert.equal(input.original.scheme, 'mcp-warden-definition');
    const live = (await vscode.workspace.openTextDocument(input.modified)).getText();
    assert.match(live, /IMPORTANT/);
    assert.doesNotMatch((await vscode.workspace.openTextDocument(input.original)).getText(), /IMPORTANT/);
    assert.equal(person.asked.length, asked + 1);
    assert.equal(person.asked.at(-1)!.kind, 'lockfile');

    const lock = await readFile(lockFile());
    assert.match(lock, /IMPORTANT/, 'the lockfile has the live definition');
    assert.equal(api.pinning.approvedLock(), lock, 'and it is the approved one');
    await waitFor(async () => (await call('echo', { message: 'again' })) === 'Echo: again', 'the accepted tool to work again');
  });

  test('a lockfile written behind Warden\'s back that lets tools through waits: the tree and the status bar say so, the approved pins stay', async function () {
    this.timeout(30_000);
    const approved = api.pinning.approvedLock()!;
    person.answers.push('never');
    await vscode.workspace.fs.writeFile(lockFile(), new TextEncoder().encode('{\n  "version": 1,\n  "servers": {}\n}\n'));
    const waiting = await waitFor(() => api.pinning.waiting(), 'the lockfile change to wait for a person');
    assert.deepEqual(waiting.loosened.map((item) => [item.server, item.what, item.after]), [[SERVER, 'pins', 'entry removed: not pinned']]);
    await waitFor(() => api.tree.model().notices.some((notice) => notice.command === 'mcpWarden.reviewLockChange'), 'the tree to say a lockfile change waits');
    await waitFor(() => api.statusBar.text.includes('change waiting'), 'the status bar to say a change waits');
    assert.equal(api.pinning.approvedLock(), approved, 'the approved pins stay until a person accepts');
    person.release('keep');
    await vscode.workspace.fs.writeFile(lockFile(), new TextEncoder().encode(approved));
    await waitFor(() => !api.pinning.waiting() && !api.statusBar.text.includes('change waiting'), 'the waiting change to end with the file put back');
  });

  test('Create Policy pins the servers it writes rules for, beside the policy it writes', async function () {
    this.timeout(30_000);
    const created = workspaceUri('.vscode', 'pin-check.mcp-policy.yaml');
    const createdLock = workspaceUri('.vscode', 'pin-check.mcp-policy.lock');
    try {
      await vscode.commands.executeCommand('mcpWarden.createPolicy', { uri: created, overwrite: true, open: false });
      assert.match(await readFile(created), new RegExp(`${SERVER}:`));
      const lock = parseLockfile(await readFile(createdLock)).lockfile;
      assert.ok(lock, 'a valid lockfile beside the created policy');
      const echo = lock.servers.get(SERVER)?.tools.get('echo');
      assert.ok(echo, `${SERVER} is pinned: ${[...lock.servers.keys()].join(', ')}`);
      assert.deepEqual(echo.definition, liveDefinition(api.proxies.reported(SERVER)!.find((tool) => tool.name === 'echo')!), 'pinned as its proxy lists it');
    } finally {
      for (const uri of [created, createdLock]) await vscode.workspace.fs.delete(uri).then(undefined, () => undefined);
    }
  });
});
