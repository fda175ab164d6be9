import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { MemoryCatalogue } from '../../src/language/catalogue';
import { parsePolicy } from '../../src/policy/parse';
import type { ToolInfo } from '../../src/policy/model';
import { MENU_WHEN, serverContextValue, toolContextValue } from '../../src/workbench/context-value';
import { protectedServers } from '../../src/workbench/launch-entry';
import { buildTreeModel, type PolicyView, type ServerRuntime, type TreeSource } from '../../src/workbench/tree-model';

const SCANNER_TOOLS: ToolInfo[] = [
  { name: 'start_security_scan', description: 'Start a security scan of a target. Returns the id of the new scan.', annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true } },
  { name: 'stop_scan', description: 'Stop a running security scan. Findings gathered so far are kept; the scan cannot be resumed.' },
  { name: 'get_scan_status', description: 'Get the status and progress of a security scan.', annotations: { readOnlyHint: true, openWorldHint: false } },
  { name: 'list_findings', description: 'List the findings of a scan, most severe first.', annotations: { readOnlyHint: true } },
  { name: 'delete_finding', description: 'Delete a finding permanently.', annotations: { destructiveHint: true } },
  { name: 'debug_dump', description: 'Dump the internal state.' },
];

const POLICY = `version: 1
default: allow
servers:
  security-scanner:
    launch:
      command: node
      args: ["\${workspaceFolder}/scanner.js"]
    tools:
      stop_scan:
        action: deny
        reason: Stopping a scan can hide an attack.
      start_security_scan:
        action: ask
        rate_limit: { max: 5, window: 1m }
      "delete_*":
        action: deny
      debug_*:
        hide: true
      list_findings:
        risk: { category: write, level: critical }
  everything:
    tools:
      get-env:
        action: deny
`;

function sourceOf(policyText: string, runtime: Record<string, ServerRuntime> = {}, mutate?: (catalogue: MemoryCatalogue) => void): TreeSource {
  const catalogue = new MemoryCatalogue();
  catalogue.setServers('workspace', [{ name: 'everything', transport: 'stdio', source: { origin: 'workspace', uri: 'file:///ws/.vscode/mcp.json' } }]);
  catalogue.setTools('security-scanner', SCANNER_TOOLS, 'proxy', 1_000);
  catalogue.setTools('everything', [{ name: 'echo', annotations: { readOnlyHint: true } }, { name: 'get-env', annotations: { readOnlyHint: true } }], 'discovery', 1_000);
  mutate?.(catalogue);
  const parsed = parsePolicy(policyText, '/ws/.vscode/mcp-policy.yaml');
  const counter = new LineCounter();
  const document = parseDocument(policyText, { lineCounter: counter });
  const policy: PolicyView = parsed.policy ? { state: 'valid', policy: parsed.policy } : { state: 'invalid', problem: parsed.diagnostics[0]?.message ?? '?' };
  return {
    servers: catalogue.servers(),
    protectedServers: protectedServers(document, counter),
    listed: (server) => {
      const listed = catalogue.tools(server);
      return listed && { tools: catalogue.rankedTools(server), origin: listed.origin, updated: listed.updated };
    },
    policy,
    runtime: (server) => runtime[server],
    now: 1_000 + 5 * 60_000,
  };
}

test('stop_scan is execute/high and denied, with its rule in the tooltip and Allow/Ask offered', () => {
  const model = buildTreeModel(sourceOf(POLICY, { 'security-scanner': { state: 'running' } }));
  const scanner = model.servers.find((s) => s.name === 'security-scanner')!;
  const stop = scanner.tools.find((t) => t.name === 'stop_scan')!;
  assert.equal(stop.description, 'execute · high · denied');
  assert.equal(stop.badge, 'X');
  assert.deepEqual(stop.icon, { id: 'run', color: 'mcpWarden.risk.high' });
  assert.equal(stop.contextValue, 'tool:deny:high:rule:enforced');
  assert.match(stop.tooltip, /^\*\*stop_scan\*\* — \[X\] execute · high \*\(from the tool's name\)\*/);
  assert.match(stop.tooltip, /\*\*Decision: denied\*\* — rule `stop_scan` \(line 9\)\n\n> Stopping a scan can hide an attack\./);
  assert.equal(stop.decision.line, 9);
});

test('a server row: protected, running, tool count and denied count; tools riskiest first', () => {
  const model = buildTreeModel(sourceOf(POLICY, { 'security-scanner': { state: 'running' } }));
  const scanner = model.servers.find((s) => s.name === 'security-scanner')!;
  // stop_scan, delete_finding (glob) and the hidden debug_dump are denied.
  assert.equal(scanner.description, 'stdio · protected · running · 6 tools · 3 denied');
  assert.equal(scanner.contextValue, 'server:protected:running:stdio');
  assert.equal(scanner.launchLine, 5);
  assert.deepEqual(scanner.tools.map((t) => [t.name, t.description]), [
    ['delete_finding', 'destructive · critical · denied'],
    ['list_findings', 'write · critical · allowed'],
    ['debug_dump', 'execute · high · hidden'],
    ['start_security_scan', 'execute · high · ask · ≤ 5 per 1m'],
    ['stop_scan', 'execute · high · denied'],
    ['get_scan_status', 'read · low · allowed'],
  ]);
  assert.equal(scanner.tools.find((t) => t.name === 'list_findings')!.risk.source, 'policy');
  assert.equal(scanner.tools.find((t) => t.name === 'debug_dump')!.contextValue, 'tool:deny:high:rule:enforced');
  assert.equal(scanner.tools.find((t) => t.name === 'get_scan_status')!.contextValue, 'tool:allow:low:norule:enforced');
});

test('a rule with an args check shows its action with "args checked", is not counted as denied, and says so in its tooltip', () => {
  const policy = POLICY.replace('      get-env:\n', `      get-sum:
        args: { type: object, properties: { a: { type: number, maximum: 10 } }, required: [a] }
        rate_limit: { max: 3, window: 1m }
      echo:
        action: ask
        args: { type: object, required: [message] }
      get-env:
`);
  const model = buildTreeModel(sourceOf(policy, {}, (catalogue) => {
    catalogue.setTools('everything', [{ name: 'echo' }, { name: 'get-sum' }, { name: 'get-env', annotations: { readOnlyHint: true } }], 'discovery', 1_000);
  }));
  const everything = model.servers.find((s) => s.name === 'everything')!;
  const sum = everything.tools.find((t) => t.name === 'get-sum')!;
  assert.equal(sum.description, 'read · medium · allowed · args checked · ≤ 3 per 1m (not enforced)');
  assert.equal(sum.action, 'allow');
  assert.equal(sum.decision.decision, 'allow');
  assert.match(sum.tooltip, /\*\*Decision: allowed\*\* — rule `get-sum` \(line \d+\); each call's arguments are checked \(a call that fails the check is denied\); at most 3 calls per 1m/);
  assert.doesNotMatch(sum.tooltip, /Arguments rejected/);
  assert.equal(everything.tools.find((t) => t.name === 'echo')!.description.split(' · ').slice(-2).join(' · '), 'ask · args checked (not enforced)');
  assert.equal(everything.description, 'stdio · not protected · 3 tools · 1 denied', 'only get-env is denied');
});

test('an unprotected server: its decisions are shown as not enforced, and its tooltip says where it is declared', () => {
  const model = buildTreeModel(sourceOf(POLICY));
  const everything = model.servers.find((s) => s.name === 'everything')!;
  assert.equal(everything.description, 'stdio · not protected · 2 tools · 1 denied');
  assert.equal(everything.contextValue, 'server:unprotected:unknown:stdio');
  assert.equal(everything.configUri, 'file:///ws/.vscode/mcp.json');
  assert.equal(everything.tools.find((t) => t.name === 'get-env')!.description, 'read · medium · denied (not enforced)');
  assert.match(everything.tooltip, /declared in the workspace's mcp\.json/);
  const scanner = model.servers.find((s) => s.name === 'security-scanner')!;
  assert.equal(scanner.state, 'stopped', 'a protected server without a proxy is stopped');
  assert.match(scanner.tooltip, /6 tools, listed by Warden's proxy 5 min ago\./);
});

test('a protected server still in mcp.json is flagged; a server with no listed tools says so', () => {
  const model = buildTreeModel(sourceOf(POLICY, {}, (catalogue) => {
    catalogue.setServers('workspace', [
      { name: 'everything', transport: 'stdio', source: { origin: 'workspace' } },
      { name: 'security-scanner', transport: 'stdio', source: { origin: 'workspace' } },
    ]);
    catalogue.clearTools('everything');
  }));
  const scanner = model.servers.find((s) => s.name === 'security-scanner')!;
  assert.equal(scanner.duplicated, true);
  assert.match(scanner.description, /also in mcp\.json$/);
  assert.deepEqual(scanner.icon, { id: 'shield', color: 'mcpWarden.risk.critical' });
  const everything = model.servers.find((s) => s.name === 'everything')!;
  assert.equal(everything.description, 'stdio · not protected · tools not listed');
  assert.equal(everything.tools.length, 0);
});

test('an invalid policy: a notice, the last good decisions kept; with none, protected tools are refused', () => {
  const good = parsePolicy(POLICY).policy!;
  const source = sourceOf(POLICY);
  const kept = buildTreeModel({ ...source, policy: { state: 'invalid', problem: 'line 3: bad', lastGood: good } });
  assert.equal(kept.notices[0].severity, 'warning');
  assert.match(kept.notices[0].message, /keep the last good version\. line 3: bad/);
  assert.equal(kept.servers.find((s) => s.name === 'security-scanner')!.tools.find((t) => t.name === 'get_scan_status')!.action, 'allow');
  const none = buildTreeModel({ ...source, policy: { state: 'invalid', problem: 'line 3: bad' } });
  assert.equal(none.notices[0].severity, 'error');
  const status = none.servers.find((s) => s.name === 'security-scanner')!.tools.find((t) => t.name === 'get_scan_status')!;
  assert.equal(status.description, 'read · low · denied');
  assert.match(status.decision.reason!, /every call is refused/);
});

test('a policy change waiting for review: a notice on top that runs the review command; none when nothing waits', () => {
  const source = sourceOf(POLICY);
  assert.equal(buildTreeModel(source).notices.length, 0);
  const model = buildTreeModel({ ...source, waitingChange: { loosened: 2 } });
  assert.deepEqual(model.notices.map((n) => [n.severity, n.command]), [['warning', 'mcpWarden.reviewPolicyChange']]);
  assert.match(model.notices[0].message, /^A change to the policy is waiting for your review: it loosens what is enforced \(2 items\), so protected servers keep the approved policy\./);
  // The rows show what is enforced: the policy given (the approved one).
  assert.equal(model.servers.find((s) => s.name === 'security-scanner')!.tools.find((t) => t.name === 'stop_scan')!.action, 'deny');
});

test('the menus show each action only where it changes something', () => {
  const matches = (when: string, value: string) => new RegExp(/\/(.*)\/$/.exec(when.replace(/^viewItem =~ /, ''))![1]).test(value);
  const denied = toolContextValue('deny', 'high', true, true);
  const allowed = toolContextValue('allow', 'low', false, true);
  const asked = toolContextValue('ask', 'medium', true, false);
  assert.deepEqual([matches(MENU_WHEN.denyTool, denied), matches(MENU_WHEN.allowTool, denied), matches(MENU_WHEN.askTool, denied)], [false, true, true]);
  assert.deepEqual([matches(MENU_WHEN.denyTool, allowed), matches(MENU_WHEN.allowTool, allowed), matches(MENU_WHEN.askTool, allowed)], [true, false, true]);
  assert.deepEqual([matches(MENU_WHEN.denyTool, asked), matches(MENU_WHEN.allowTool, asked), matches(MENU_WHEN.askTool, asked)], [true, true, false]);
  assert.deepEqual([matches(MENU_WHEN.revealRule, denied), matches(MENU_WHEN.revealRule, allowed)], [true, false]);
  assert.deepEqual([denied, toolContextValue('allow', 'low', false, false), `${denied}:pin-changed`].map((value) => matches(MENU_WHEN.tryToolCall, value)), [true, false, true], 'Try a call only where the call passes Warden');
  const guarded = serverContextValue(true, 'running', 'stdio');
  const open = serverContextValue(false, 'unknown', 'http');
  assert.deepEqual([matches(MENU_WHEN.protectServer, guarded), matches(MENU_WHEN.unprotectServer, guarded)], [false, true]);
  assert.deepEqual([matches(MENU_WHEN.protectServer, open), matches(MENU_WHEN.unprotectServer, open)], [true, false]);
  assert.deepEqual([matches(MENU_WHEN.discoverServerTools, guarded), matches(MENU_WHEN.discoverServerTools, open)], [true, false]);
});

test('package.json\'s tree menus use exactly these when clauses', () => {
  const manifest = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as { contributes: { menus: Record<string, { command: string; when?: string }[]> } };
  const items = manifest.contributes.menus['view/item/context'].filter((item) => item.when?.startsWith('view == mcpWarden.servers'));
  assert.ok(items.length >= 9);
  for (const item of items) {
    const key = item.command.replace(/^mcpWarden\./, '') as keyof typeof MENU_WHEN;
    assert.ok(key in MENU_WHEN, `${item.command} has no clause in MENU_WHEN`);
    assert.equal(item.when, `view == mcpWarden.servers && ${MENU_WHEN[key]}`, item.command);
  }
  assert.deepEqual(new Set(items.map((item) => item.command.replace(/^mcpWarden\./, ''))), new Set(Object.keys(MENU_WHEN)));
});
