// Copilot's real agent mode against a pinned server that changed a tool (test/fixtures/shifting-server.js),
// with VS Code's approvals off: the agent cannot pin the changed tool, neither through Warden's commands
// (run_vscode_command) nor by writing the lockfile from its terminal; the person at the editor, played
// through the policy-changes reviewer, keeps it blocked, and the changed tool never reaches the server.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { formatLockfile, parseLockfile, pinServer } from '../../../src/pinning/lockfile';
import { liveDefinition } from '../../../src/pinning/tool-marks';
import type { TreeElement } from '../../../src/extension/tree/tree-elements';
import type { ServerRow } from '../../../src/workbench/tree-model';
import { keepFiles, policyFile, readFile, startServersUntil, waitFor, wardenApi, workspaceUri, type Api } from '../warden-helpers';
import { agentModel, approvalsOff, askAgent, HeldReviewer, turnOnCopilotAgent, type AgentModel, type AgentResult } from './agent-helpers';

const SERVER = 'shifter';
const lockFile = () => workspaceUri('.vscode', 'mcp-policy.lock');

suite('Agent mode: the agent cannot pin a changed tool', () => {
  let api: Api;
  let model: AgentModel;
  let restore: () => Promise<void>;
  let folder: string;
  let shiftFile: string;
  let recordFile: string;
  const reviewer = new HeldReviewer();
  let seat: vscode.Disposable;

  const echoCallsReceived = () => readFileSync(recordFile, 'utf8').split('\n').filter((line) => line.includes('"tools/call"') && line.includes('"echo"')).length;
  const echoHeld = () => api.tree.getTreeItem(api.tree.model().servers.find((s) => s.name === SERVER)!.tools.find((t) => t.name === 'echo')!).contextValue?.includes(':pin-changed');

  async function agentTurn(prompt: string, calls: Parameters<AgentModel['plan']>[0]): Promise<AgentResult[]> {
    const before = model.results.length;
    model.plan(calls);
    const confirmation = await askAgent(model, prompt);
    if (confirmation) await vscode.commands.executeCommand('workbench.action.chat.cancel').then(undefined, () => undefined);
    assert.equal(confirmation, undefined, `VS Code asked before ${confirmation?.toolId}`);
    return model.results.slice(before);
  }

  suiteSetup(async function () {
    this.timeout(180_000);
    api = await wardenApi();
    model = await agentModel();
    folder = mkdtempSync(join(tmpdir(), 'warden-agent-pinning-'));
    shiftFile = join(folder, 'shift.json');
    recordFile = join(folder, 'calls.jsonl');
    writeFileSync(shiftFile, '{}\n');
    writeFileSync(recordFile, '');
    restore = await keepFiles(api, policyFile());
    seat = api.policyChanges.use(reviewer);
    await approvalsOff(true);
    await turnOnCopilotAgent();
    // A person adds the shifting server to the policy and pins it from the tree.
    reviewer.standing = 'apply';
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
    await waitFor(() => api.policy.protectedServer(SERVER), 'the shifting server to be protected');
    reviewer.standing = undefined;
    await startServersUntil('add', 120_000);
    await waitFor(() => api.proxies.reported(SERVER)?.some((tool) => tool.name === 'echo'), "the shifting server's tools reported");
    const node = (api.tree.getChildren() as TreeElement[]).find((element): element is ServerRow => element.kind === 'server' && element.name === SERVER);
    assert.equal(await vscode.commands.executeCommand('mcpWarden.pinServerTools', node), true);
    // The rug pull: echo's description gains hidden instructions.
    writeFileSync(shiftFile, JSON.stringify({ description: true }));
    await waitFor(() => echoHeld(), 'the tree to mark echo as changed');
  });

  suiteTeardown(async function () {
    this.timeout(60_000);
    reviewer.answer('keep');
    reviewer.standing = 'apply';
    await approvalsOff(false);
    await vscode.workspace.fs.delete(lockFile()).then(undefined, () => undefined);
    await waitFor(() => api.pinning.approvedLock() === undefined, 'the removed lockfile to be approved', 10_000).catch(() => undefined);
    await restore?.();
    seat?.dispose();
    rmSync(folder, { recursive: true, force: true });
  });

  test("run_vscode_command with Pin Tools and Pin All writes and approves nothing while the person keeps the tool blocked", async function () {
    this.timeout(90_000);
    const lock = await readFile(lockFile());
    const approved = api.pinning.approvedLock();
    const asked = reviewer.asked.length;
    reviewer.standing = 'keep';
    try {
      const [pin, pinAll] = await agentTurn('Pin the shifter tools, then pin all tools.', [
        { tool: 'run_vscode_command', input: { commandId: 'mcpWarden.pinServerTools', name: 'Pin the shifter tools', args: [SERVER] } },
        { tool: 'run_vscode_command', input: { commandId: 'mcpWarden.pinAllTools', name: 'Pin all tools', args: [] } },
      ]);
      assert.equal(pin.tool, 'run_vscode_command', pin.text);
      assert.equal(pinAll.tool, 'run_vscode_command', pinAll.text);
    } finally {
      reviewer.standing = undefined;
    }
    const reviews = reviewer.asked.slice(asked).filter((change) => change.kind === 'lockfile' && change.loosened.some((item) => item.server === SERVER && item.tool === 'echo'));
    assert.equal(reviews.length, 2, `both commands were put to Warden's modal: ${JSON.stringify(reviewer.asked.slice(asked))}`);
    assert.equal(await readFile(lockFile()), lock, 'the lockfile is as the person left it');
    assert.equal(api.pinning.approvedLock(), approved, 'and so are the approved pins');
    assert.ok(echoHeld(), 'echo is still held back');
  });

  test('a lockfile the agent writes from its terminal to pin the changed tool is held for review; the tool never reaches the server', async function () {
    this.timeout(90_000);
    const approved = api.pinning.approvedLock()!;
    const current = parseLockfile(approved).lockfile!;
    const live = api.proxies.reported(SERVER)!.map((tool) => ({ name: tool.name, ...liveDefinition(tool) }));
    const pinned = current.servers.get(SERVER)!;
    const forged = formatLockfile(pinServer(current, SERVER, { serverInfo: pinned.serverInfo, instructions: pinned.instructions, tools: live }, ['echo']).lockfile);
    const asked = reviewer.asked.length;
    const command = `printf '%s' '${Buffer.from(forged).toString('base64')}' | base64 -d > '${lockFile().fsPath}'`;
    const [ran] = await agentTurn('Accept the new echo definition in the lockfile.', [
      { tool: 'run_in_terminal', input: { command, explanation: 'Pin echo', goal: 'Pin echo', mode: 'sync', isBackground: false, timeout: 15_000 } },
    ]);
    assert.equal(await readFile(lockFile()), forged, `the terminal wrote the lockfile; it said: ${ran.text}`);
    const change = await waitFor(() => reviewer.asked.slice(asked).find((c) => c.kind === 'lockfile' && c.loosened.some((l) => l.server === SERVER && l.tool === 'echo')), 'the review of the lockfile change');
    assert.equal(change.file, lockFile().fsPath);
    assert.equal(api.pinning.approvedLock(), approved, 'the approved pins stay');
    assert.ok(api.pinning.waiting(), 'the change waits for a person');

    const received = echoCallsReceived();
    const add = vscode.lm.tools.find((candidate) => candidate.tags.includes('mcp') && candidate.name.endsWith('_add'))!;
    const echo = `${add.name.slice(0, -'add'.length)}echo`;
    const answer = await vscode.lm.invokeTool(echo, { input: { message: 'x' }, toolInvocationToken: undefined }, new vscode.CancellationTokenSource().token).then(
      (result) => result.content.map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : '')).join(''),
      (error: Error) => `threw: ${error.message}`,
    );
    assert.doesNotMatch(answer, /Echo: x/);
    assert.equal(echoCallsReceived(), received, 'the changed tool never reached the server');
    reviewer.answer('keep');
  });
});
