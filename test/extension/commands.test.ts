// The policy commands of the palette, run with their arguments inside a real VS Code. (With another
// policyPath the scanner, protected by the sample policy, is unknown; the mcp.json server is known.)
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { readFile, SCANNER, wardenApi, workspaceUri } from './warden-helpers';

suite('Policy commands', () => {
  suiteSetup(async () => {
    await wardenApi();
  });

  test('Explain a Tool\'s Decision: what the sample policy decides for stop_scan, with its rule and line', async () => {
    const decision = await vscode.commands.executeCommand<{ decision: string; reason: string; rule: string; line: number }>('mcpWarden.explainTool', { server: SCANNER, tool: 'stop_scan' });
    assert.equal(decision.decision, 'deny');
    assert.equal(decision.rule, 'stop_scan');
    assert.equal(decision.reason, 'Stopping a running security scan can hide an attack.');
    assert.ok(decision.line > 0);
  });

  test('Explain a Tool\'s Decision: a mistyped tool or server is named as unknown, with the closest known name', async () => {
    type Explained = { decision: string; notes: string[] };
    const tool = await vscode.commands.executeCommand<Explained>('mcpWarden.explainTool', { server: SCANNER, tool: 'stop_scna' });
    assert.equal(tool.notes.length, 1);
    assert.match(tool.notes[0], new RegExp(`^Tool "stop_scna" matches no rule of "${SCANNER}".*Did you mean "stop_scan"\\?$`));
    const server = await vscode.commands.executeCommand<Explained>('mcpWarden.explainTool', { server: 'everythin', tool: 'echo' });
    assert.match(server.notes[0], /^Server "everythin" is neither in the policy nor among the servers VS Code knows: .*Did you mean "everything"\?$/);
    const known = await vscode.commands.executeCommand<Explained>('mcpWarden.explainTool', { server: SCANNER, tool: 'stop_scan' });
    assert.deepEqual(known.notes, []);
  });

  test('Open Policy where there is none creates it with Create Policy: a starter from the known servers', async function () {
    this.timeout(20_000);
    const settings = () => vscode.workspace.getConfiguration('mcpWarden');
    const created = workspaceUri('.vscode', 'opened.mcp-policy.yaml');
    await settings().update('policyPath', '.vscode/opened.mcp-policy.yaml', vscode.ConfigurationTarget.Global);
    try {
      const uri = await vscode.commands.executeCommand<vscode.Uri>('mcpWarden.openPolicy', { create: true });
      assert.equal(uri?.fsPath, created.fsPath);
      const text = await readFile(created);
      assert.match(text, /^version: 1$/m);
      assert.match(text, /^ {2}everything: +# stdio, from the workspace's mcp\.json$/m, text);
      assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, created.fsPath);
      const check = await vscode.commands.executeCommand<{ errors: number }>('mcpWarden.checkPolicy', created);
      assert.equal(check.errors, 0);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await settings().update('policyPath', undefined, vscode.ConfigurationTarget.Global);
      await vscode.workspace.fs.delete(created).then(undefined, () => undefined);
    }
  });
});
