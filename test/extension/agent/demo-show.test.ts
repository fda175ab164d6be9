// The README's picture of the story Warden exists for, on demand:
//   node scripts/warden-screenshots.mjs chat      (out/screenshots/chat.png; with no name, docs/images/)
// Copilot's agent, with the demo agent as its model, is asked "stop scan S-1"; Warden refuses the call, and
// the chat, the Decisions view and the rule in the policy are on screen together.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { policyFile, startServersUntil, waitFor, wardenApi } from '../warden-helpers';
import { turnOnCopilotAgent } from './agent-helpers';

const DEMO_AGENT = { vendor: 'mcp-warden-demo', id: 'warden-demo' };

suite('Warden demo agent, on demand', () => {
  test('warden screenshot: chat', async function () {
    if (!(process.env.MOCHA_GREP ?? '').includes('screenshot: chat')) this.skip();
    this.timeout(150_000);
    const api = await wardenApi();
    await startServersUntil('stop_scan');
    // As npm start's served profile says (scripts/host/served-profile.mjs): no notice asking for a utility model.
    await vscode.workspace.getConfiguration('chat').update('byokUtilityModelDefault', 'mainAgent', vscode.ConfigurationTarget.Global);
    await turnOnCopilotAgent();
    await waitFor(async () => (await vscode.lm.selectChatModels(DEMO_AGENT)).length > 0, 'the Warden demo agent among the chat models', 30_000);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const editor = await vscode.window.showTextDocument(policyFile(), { preview: false });
    const text = editor.document.getText();
    const server = editor.document.positionAt(text.indexOf('  security-scanner:'));
    const rule = editor.document.positionAt(text.indexOf('stop_scan:'));
    editor.revealRange(new vscode.Range(server, server), vscode.TextEditorRevealType.AtTop);
    editor.selection = new vscode.Selection(rule, rule);
    await vscode.commands.executeCommand('mcpWarden.decisions.focus');
    await vscode.commands.executeCommand('workbench.action.chat.open', { query: 'stop scan S-1', mode: 'agent', modelSelector: DEMO_AGENT, blockOnResponse: true });
    // A fresh host for each picture: the only stop_scan decision is this one.
    const refusal = await waitFor(() => api.decisions.entries().find((entry) => entry.tool === 'stop_scan'), 'the refusal in the Decisions view');
    assert.equal(refusal.decision, 'deny');
    await pause(1500);
    console.log('[[warden-screenshot]]');
    await pause(3000);
  });
});

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
