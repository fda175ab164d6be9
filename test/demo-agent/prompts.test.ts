// The Warden demo agent's prompts (demo-agent/prompts.js): each plain prompt of the sample workspace's
// README names a tool the security scanner really has, with arguments its schema accepts, and the sample
// policy decides it as the README says; what came back is put into words that keep Warden's reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PolicyEngine } from '../../src/policy/engine';
import { parsePolicy } from '../../src/policy/parse';

const ROOT = resolve(__dirname, '../../..');
// Plain JavaScript outside the compiled tree: loaded as the extension host loads it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const prompts = require(join(ROOT, 'demo-agent', 'prompts.js')) as {
  HELP: string;
  matchPrompt(prompt: string): { tool: string; input: Record<string, string> } | undefined;
  report(calledName: string, text: string): string;
};

const README_PROMPTS: Array<[string, string, Record<string, string>, string]> = [
  ['stop scan S-1', 'stop_scan', { scan_id: 'S-1' }, 'deny'],
  ['start a scan of staging', 'start_security_scan', { target: 'staging' }, 'ask'],
  ['show scan S-1', 'get_scan_status', { scan_id: 'S-1' }, 'allow'],
  ['delete finding F-1', 'delete_finding', { finding_id: 'F-1' }, 'deny'],
];

test('each prompt of the README calls the scanner tool it names, decided as the README says', () => {
  const scanner = readFileSync(join(ROOT, 'test', 'fixtures', 'security-scanner.js'), 'utf8');
  const parsed = parsePolicy(readFileSync(join(ROOT, 'examples', 'workspace', '.vscode', 'mcp-policy.yaml'), 'utf8'));
  assert.ok(parsed.policy, 'the sample policy has no error');
  const engine = new PolicyEngine(parsed.policy);
  for (const [prompt, tool, input, decision] of README_PROMPTS) {
    assert.deepEqual(prompts.matchPrompt(prompt), { tool, input }, prompt);
    assert.match(scanner, new RegExp(`name: '${tool}'`), `the scanner has ${tool}`);
    assert.equal(engine.decide({ server: 'security-scanner', tool, args: input, session: 's' }).decision, decision, prompt);
  }
});

test('the prompts are read loosely, and anything else gets the help that lists them', () => {
  assert.deepEqual(prompts.matchPrompt('  Please STOP\nscan s-12 now '), { tool: 'stop_scan', input: { scan_id: 'S-12' } });
  assert.deepEqual(prompts.matchPrompt('start a scan against api.example.com'), { tool: 'start_security_scan', input: { target: 'api.example.com' } });
  assert.deepEqual(prompts.matchPrompt('start a scan'), { tool: 'start_security_scan', input: { target: 'staging' } });
  for (const other of ['hello', 'stop', 'scan S-1', 'delete everything', '']) assert.equal(prompts.matchPrompt(other), undefined, other);
  for (const [prompt] of README_PROMPTS) assert.ok(prompts.HELP.includes(`**${prompt}**`), `the help lists "${prompt}"`);
});

test("Warden's refusal is reported with its reason and where the rule is; a Deny and a skip as the person's", () => {
  const blocked = prompts.report('mcp_security-scanner_stop_scan', 'Blocked by policy: Stopping a running security scan can hide an attack. (/home/a/examples/workspace/.vscode/mcp-policy.yaml:24)');
  assert.match(blocked, /^\*\*MCP Warden blocked `stop_scan`:\*\* Stopping a running security scan can hide an attack\.$/m);
  assert.match(blocked, /`\.vscode\/mcp-policy\.yaml:24`/);
  assert.match(blocked, /never received the call/);
  for (const no of ['Denied in the editor', 'declined in the editor']) {
    assert.match(prompts.report('mcp_security-scanner_start_security_scan', `Blocked by policy: ${no} (/w/.vscode/mcp-policy.yaml:28)`), /^You denied `start_security_scan` in MCP Warden's approval prompt/);
  }
  // Nobody answered: Warden's reason is reported as it is.
  assert.match(prompts.report('mcp_x_start_security_scan', 'Blocked by policy: The approval prompt was closed without an answer (/w/.vscode/mcp-policy.yaml:28)'), /^\*\*MCP Warden blocked `start_security_scan`:\*\* The approval prompt was closed without an answer$/m);
  assert.match(prompts.report('mcp_x_start_security_scan', 'The user chose to skip the tool call, they want to proceed without running it'), /^You skipped `start_security_scan`/);
});

test("the scanner's answer is reported in plain words, and anything unexpected as it came", () => {
  const scan = JSON.stringify({ id: 'S-2', target: 'staging', profile: 'quick', status: 'running', progress: 0 }, null, 2);
  assert.equal(prompts.report('mcp_security-scanner_start_security_scan', scan), 'Started: scan S-2 of `staging` is running (0%). MCP Warden allowed `start_security_scan`.');
  assert.match(prompts.report('mcp_security-scanner_get_scan_status', 'no scan S-9'), /^`get_scan_status` returned:\n\n```\nno scan S-9\n```$/);
});
