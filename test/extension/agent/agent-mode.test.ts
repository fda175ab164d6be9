// Copilot's real agent mode against a protected server, with VS Code's approvals off (as Autopilot runs):
// whatever the agent does through its own tools, Warden's guarantees hold. The agent is Copilot Chat; its
// model is the project's scripted one, which makes exactly the tool calls each test plans.
import * as assert from 'node:assert/strict';
import { keepFiles, mcpJsonFile, policyFile, readFile, startServersUntil, wardenApi, type Api } from '../warden-helpers';
import { agentModel, approvalsOff, askAgent, scannerCalls, turnOnCopilotAgent, type AgentModel } from './agent-helpers';

suite('Agent mode: what the agent cannot do to Warden', () => {
  let api: Api;
  let model: AgentModel;
  let restore: () => Promise<void>;

  suiteSetup(async function () {
    this.timeout(120_000);
    api = await wardenApi();
    model = await agentModel();
    restore = await keepFiles(api, policyFile(), mcpJsonFile());
    await approvalsOff(true);
    await turnOnCopilotAgent();
    await startServersUntil('stop_scan');
  });

  suiteTeardown(async () => {
    await approvalsOff(false);
    await restore?.();
  });

  test('approvals off: the agent\'s stop_scan is blocked with the reason and never reaches the scanner; its next call does', async function () {
    this.timeout(60_000);
    const before = scannerCalls().length;
    model.plan([{ tool: 'stop_scan', input: { scan_id: 'S-1' } }, { tool: 'get_scan_status', input: { scan_id: 'S-1' } }]);
    assert.equal(await askAgent(model, 'Stop scan S-1, then show me its status.'), undefined, 'VS Code asked, with its approvals off');

    const [stop, status] = model.results.slice(-2);
    assert.match(stop.tool, /^mcp_.*_stop_scan$/);
    assert.match(stop.text, new RegExp(`^Blocked by policy: Stopping a running security scan can hide an attack\\. \\(${escape(policyFile().fsPath)}:\\d+\\)$`));
    assert.equal((JSON.parse(status.text) as { status: string }).status, 'completed');
    assert.deepEqual(scannerCalls().slice(before), [{ tool: 'get_scan_status', arguments: { scan_id: 'S-1' } }]);
    const denied = api.decisions.entries().find((entry) => entry.tool === 'stop_scan');
    assert.deepEqual([denied?.decision, denied?.rule], ['deny', 'stop_scan']);
  });

  test('an agent edit that tightens the policy, through Copilot\'s own edit tool, applies to the agent\'s very next call', async function () {
    this.timeout(60_000);
    const before = scannerCalls().length;
    const rule = '      list_findings:\n        risk: { category: read, level: medium }\n';
    const denied = '      list_findings:\n        action: deny\n        reason: Findings stay with the scanner.\n        risk: { category: read, level: medium }\n';
    assert.ok((await readFile(policyFile())).includes(rule), 'the sample policy has the list_findings rule');
    model.plan([
      { tool: 'list_findings', input: { scan_id: 'S-1' } },
      { tool: 'replace_string_in_file', input: { filePath: policyFile().fsPath, oldString: rule, newString: denied } },
      { tool: 'list_findings', input: { scan_id: 'S-1' } },
    ]);
    assert.equal(await askAgent(model, 'List the findings of S-1, then deny list_findings in the policy and list them again.'), undefined);

    const [listed, edited, blocked] = model.results.slice(-3);
    assert.match(listed.text, /Outdated TLS configuration/);
    assert.equal(edited.tool, 'replace_string_in_file', edited.text);
    assert.ok((await readFile(policyFile())).includes(denied), `the edit is on disk; the edit tool said: ${edited.text}`);
    assert.match(blocked.text, /^Blocked by policy: Findings stay with the scanner\. \(/);
    assert.deepEqual(scannerCalls().slice(before).map((call) => call.tool), ['list_findings']);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
