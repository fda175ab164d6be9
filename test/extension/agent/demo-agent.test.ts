// The Warden demo agent (demo-agent/, what npm start offers a newcomer) in Copilot's real agent mode: each
// prompt of the sample workspace's README makes its call through VS Code's agent loop, Warden decides it
// by the sample policy, and the demo agent says what came back. VS Code's approvals are off, so the only
// prompt is Warden's own, answered here by a scripted person.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { SCANNER, ScriptedApprover, startServersUntil, waitFor, wardenApi, type Api } from '../warden-helpers';
import { approvalsOff, scannerCalls, turnOnCopilotAgent } from './agent-helpers';

const DEMO_AGENT_ID = 'mcp-warden.warden-demo-agent';

interface DemoAgent {
  selector: { vendor: string; id: string };
  /** Everything it said, oldest first. */
  said: string[];
}

suite('Warden demo agent: the prompts a newcomer types', () => {
  let api: Api;
  let demo: DemoAgent;
  const approver = new ScriptedApprover();
  const seats: vscode.Disposable[] = [];

  suiteSetup(async function () {
    this.timeout(120_000);
    api = await wardenApi();
    const extension = vscode.extensions.getExtension<DemoAgent>(DEMO_AGENT_ID);
    assert.ok(extension, `${DEMO_AGENT_ID} is not loaded: the launcher loads demo-agent/ beside Warden`);
    demo = await extension.activate();
    seats.push(api.approvals.use(approver));
    await approvalsOff(true);
    await turnOnCopilotAgent();
    await waitFor(async () => (await vscode.lm.selectChatModels(demo.selector)).length > 0, 'the demo agent among the chat models', 15_000);
    await startServersUntil('stop_scan');
    await waitFor(() => api.proxies.running().includes(SCANNER), 'the scanner behind the proxy');
  });

  suiteTeardown(async () => {
    await approvalsOff(false);
    for (const seat of seats) seat.dispose();
  });

  /** Sends a prompt in a new conversation, as a person types it; resolves with what the demo agent said. */
  async function ask(prompt: string): Promise<string> {
    const before = demo.said.length;
    await vscode.commands.executeCommand('workbench.action.chat.newChat');
    await Promise.race([
      vscode.commands.executeCommand('workbench.action.chat.open', { query: prompt, mode: 'agent', modelSelector: demo.selector, blockOnResponse: true }),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`the agent did not finish "${prompt}"`)), 60_000).unref()),
    ]);
    return waitFor(() => demo.said[before], `the demo agent's answer to "${prompt}"`);
  }

  test('"stop scan S-1": Warden refuses stop_scan, and the demo agent says so with the reason; the scanner never sees it', async function () {
    this.timeout(90_000);
    const calls = scannerCalls().length;
    const answer = await ask('stop scan S-1');
    assert.match(answer, /^\*\*MCP Warden blocked `stop_scan`:\*\* Stopping a running security scan can hide an attack\.\n/);
    assert.match(answer, /The rule is in `\.vscode\/mcp-policy\.yaml:\d+`/);
    assert.deepEqual(scannerCalls().slice(calls), []);
    const decision = api.decisions.entries().find((entry) => entry.tool === 'stop_scan');
    assert.equal(decision?.decision, 'deny');
  });

  test('"start a scan of staging": Warden asks the person; Deny is reported as theirs, Allow once starts the scan', async function () {
    this.timeout(90_000);
    const calls = scannerCalls().length;
    const asked = approver.asked.length;
    approver.answers.push('deny');
    assert.match(await ask('start a scan of staging'), /^You denied `start_security_scan` in MCP Warden's approval prompt/);
    assert.deepEqual(approver.asked.slice(asked).map((prompt) => [prompt.tool, prompt.arguments]), [['start_security_scan', { target: 'staging' }]]);
    assert.deepEqual(scannerCalls().slice(calls), []);
    approver.answers.push('allow-once');
    assert.match(await ask('start a scan of staging'), /^Started: scan S-\d+ of `staging` is running \(0%\)\. MCP Warden allowed `start_security_scan`\.$/);
    assert.deepEqual(scannerCalls().slice(calls), [{ tool: 'start_security_scan', arguments: { target: 'staging' } }]);
  });

  test('"show scan S-1" is allowed, "delete finding F-1" is refused by the delete_* rule, anything else gets the help', async function () {
    this.timeout(90_000);
    assert.match(await ask('show scan S-1'), /^Scan status: scan S-1 of `example\.internal` is \w+ \(\d+%\)\. MCP Warden allowed `get_scan_status`\.$/);
    assert.match(await ask('delete finding F-1'), /^\*\*MCP Warden blocked `delete_finding`:\*\* Findings are evidence\.\n/);
    const help = await ask('what can you do?');
    for (const prompt of ['stop scan S-1', 'start a scan of staging', 'show scan S-1', 'delete finding F-1']) assert.ok(help.includes(`**${prompt}**`), help);
  });
});
