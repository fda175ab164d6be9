// The Servers tree inside a real VS Code: its content and badges through the provider, and the one-click
// rules, which edit the policy file in place (comments intact) while the tree follows the file.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TreeElement } from '../../src/extension/tree/tree-elements';
import type { ToolInfo } from '../../src/policy/model';
import type { ServerRow, ToolRow } from '../../src/workbench/tree-model';
import { keepFiles, policyFile, readFile, SCANNER, waitFor, wardenApi, type Api } from './warden-helpers';

// The scanner's tools as its tools/list gives them (test/fixtures/security-scanner.js).
const SCANNER_TOOLS: ToolInfo[] = [
  { name: 'start_security_scan', description: 'Start a security scan of a target. Returns the id of the new scan.', annotations: { title: 'Start a security scan', readOnlyHint: false, destructiveHint: false, openWorldHint: true } },
  { name: 'stop_scan', description: 'Stop a running security scan. Findings gathered so far are kept; the scan cannot be resumed.' },
  { name: 'get_scan_status', description: 'Get the status and progress of a security scan.', annotations: { title: 'Scan status', readOnlyHint: true, openWorldHint: false } },
  { name: 'list_findings', description: 'List the findings of a scan, most severe first.', annotations: { title: 'List findings', readOnlyHint: true, openWorldHint: false } },
  { name: 'delete_finding', description: 'Delete a finding permanently.', annotations: { title: 'Delete a finding', readOnlyHint: false, destructiveHint: true, openWorldHint: false } },
];

suite('Servers tree', () => {
  let api: Api;
  let restore: () => Promise<void>;

  suiteSetup(async () => {
    api = await wardenApi();
    restore = await keepFiles(api, policyFile());
    if (!api.catalogue.tools(SCANNER)) api.catalogue.setTools(SCANNER, SCANNER_TOOLS, 'api');
    api.catalogue.setTools('everything', [{ name: 'echo', annotations: { readOnlyHint: true } }, { name: 'get-env', annotations: { readOnlyHint: true } }, { name: 'toggle-simulated-logging' }], 'api');
    api.tree.refresh();
  });

  suiteTeardown(async () => {
    await restore?.();
    api.catalogue.clearTools('everything');
  });

  test('servers: the protected scanner and the unprotected everything, with state, counts and actions', () => {
    // Other suites may have made more servers known; these two are the sample's.
    const roots = api.tree.getChildren().filter((e): e is ServerRow => e.kind === 'server' && (e.name === 'everything' || e.name === SCANNER));
    assert.deepEqual(roots.map((s) => s.name), ['everything', SCANNER]);
    const scanner = api.tree.getTreeItem(roots[1]);
    assert.equal(scanner.label, SCANNER);
    assert.match(String(scanner.description), /^stdio · protected · (running|stopped) · 5 tools · 2 denied$/);
    assert.match(String(scanner.contextValue), /^server:protected:(running|stopped):stdio$/);
    assert.equal((scanner.iconPath as vscode.ThemeIcon).id, 'shield');
    assert.match((scanner.tooltip as vscode.MarkdownString).value, /Protected: VS Code starts it through Warden's proxy/);
    const everything = api.tree.getTreeItem(roots[0]);
    assert.equal(everything.description, 'stdio · not protected · 3 tools · 2 denied');
    assert.equal(everything.contextValue, 'server:unprotected:unknown:stdio');
  });

  test('tools: risk icon coloured by level, letter badge, "category · level · decision", tooltip with the rule', () => {
    const tools = toolsOf(api, SCANNER);
    assert.deepEqual(tools.map((t) => [t.name, api.tree.getTreeItem(t).description]), [
      ['delete_finding', 'destructive · high · denied'],
      ['start_security_scan', 'execute · high · ask · ≤ 10 per 1m'],
      ['stop_scan', 'execute · high · denied'],
      ['list_findings', 'read · medium · allowed'],
      ['get_scan_status', 'read · low · allowed'],
    ]);
    const stop = api.tree.getTreeItem(tools[2]);
    assert.equal(stop.contextValue, 'tool:deny:high:rule:enforced');
    assert.deepEqual([(stop.iconPath as vscode.ThemeIcon).id, (stop.iconPath as vscode.ThemeIcon).color?.id], ['run', 'mcpWarden.risk.high']);
    const badge = api.tree.decorations.provideFileDecoration(stop.resourceUri!) as vscode.FileDecoration;
    assert.deepEqual([badge.badge, badge.color, badge.tooltip], ['X', undefined, 'risk: execute · high']);
    const tooltip = (stop.tooltip as vscode.MarkdownString).value;
    assert.match(tooltip, /^\*\*stop_scan\*\* — \[X\] execute · high \*\(from the tool's name\)\*/);
    assert.match(tooltip, /\*\*Decision: denied\*\* — rule `stop_scan` \(line \d+\)\n\n> Stopping a running security scan can hide an attack\./);
    const status = api.tree.getTreeItem(tools[4]);
    assert.equal((api.tree.decorations.provideFileDecoration(status.resourceUri!) as vscode.FileDecoration).badge, 'R');
    assert.equal(tools[3].risk.source, 'policy', "list_findings' label comes from the policy's risk override");
    const getEnv = toolsOf(api, 'everything').find((t) => t.name === 'get-env')!;
    assert.equal(api.tree.getTreeItem(getEnv).description, 'read · medium · denied (not enforced)');
    assert.equal(toolsOf(api, 'everything').find((t) => t.name === 'toggle-simulated-logging')!.description.split(' · ').at(-1), 'hidden (not enforced)');
  });

  test('Ask, Rate limit, Allow and Deny edit the policy in place: added lines only, every comment kept; the tree follows', async () => {
    const original = await readFile(policyFile());
    assert.equal(await vscode.commands.executeCommand('mcpWarden.askTool', { server: SCANNER, tool: 'get_scan_status' }), true);
    let text = await readFile(policyFile());
    assert.deepEqual(addedLines(original, text), ['      get_scan_status:', '        action: ask']);
    assert.equal(api.tree.getTreeItem(toolOf(api, SCANNER, 'get_scan_status')).description, 'read · low · ask');
    assert.equal(api.tree.getTreeItem(toolOf(api, SCANNER, 'get_scan_status')).contextValue, 'tool:ask:low:rule:enforced');

    assert.equal(await vscode.commands.executeCommand('mcpWarden.rateLimitTool', { server: SCANNER, tool: 'get_scan_status', max: 20, window: '30s' }), true);
    text = await readFile(policyFile());
    assert.deepEqual(addedLines(original, text), ['      get_scan_status:', '        action: ask', '        rate_limit: { max: 20, window: 30s }']);
    assert.equal(api.tree.getTreeItem(toolOf(api, SCANNER, 'get_scan_status')).description, 'read · low · ask · ≤ 20 per 30s');

    assert.equal(await vscode.commands.executeCommand('mcpWarden.allowTool', toolOf(api, SCANNER, 'get_scan_status')), true);
    assert.equal(api.tree.getTreeItem(toolOf(api, SCANNER, 'get_scan_status')).description, 'read · low · allowed · ≤ 20 per 30s');

    // list_findings has a rule with only a risk override: Deny puts `action` first in it.
    assert.equal(await vscode.commands.executeCommand('mcpWarden.denyTool', { server: SCANNER, tool: 'list_findings' }), true);
    text = await readFile(policyFile());
    assert.match(text, / {6}list_findings:\n {8}action: deny\n {8}risk: \{ category: read, level: medium \}\n/);
    const comments = (t: string) => t.split('\n').filter((line) => /(^|\s)#/.test(line));
    assert.deepEqual(comments(text), comments(original));
    assert.equal(api.tree.getTreeItem(toolOf(api, SCANNER, 'list_findings')).description, 'read · medium · denied');
    assert.equal(await api.policy.ready, undefined);
    assert.equal(api.policy.view.state, 'valid');
  });

  test('Reveal rule opens the policy at the rule that decides the tool, a glob included', async () => {
    const text = await readFile(policyFile());
    assert.equal(await vscode.commands.executeCommand('mcpWarden.revealRule', { server: SCANNER, tool: 'delete_finding' }), true);
    const editor = vscode.window.activeTextEditor!;
    assert.equal(editor.document.uri.toString(), policyFile().toString());
    assert.equal(editor.selection.active.line, text.split('\n').findIndex((line) => line.trim() === 'delete_*:'));
  });

  test('Open configuration: a protected server opens at its launch entry, an unprotected one at its mcp.json entry', async () => {
    assert.equal(await vscode.commands.executeCommand('mcpWarden.openServerConfiguration', SCANNER), true);
    let editor = vscode.window.activeTextEditor!;
    assert.equal(editor.document.lineAt(editor.selection.active.line).text.trim(), 'launch:');
    assert.equal(await vscode.commands.executeCommand('mcpWarden.openServerConfiguration', { name: 'everything' }), true);
    editor = vscode.window.activeTextEditor!;
    assert.ok(editor.document.uri.path.endsWith('/.vscode/mcp.json'));
    assert.match(editor.document.lineAt(editor.selection.active.line).text, /^\s*"everything": \{/);
  });

  test('an invalid policy: a notice on top, the last good decisions kept, the status bar warns', async () => {
    const text = await readFile(policyFile());
    await vscode.workspace.fs.writeFile(policyFile(), new TextEncoder().encode(text.replace('default: allow', 'default: maybe')));
    await waitFor(() => api.policy.view.state === 'invalid', 'the policy to be read as invalid');
    const model = api.tree.refresh();
    assert.equal(model.notices.length, 1);
    assert.match(model.notices[0].message, /^The policy has errors; protected servers keep the last good version\. Line 7: /);
    assert.equal(api.tree.getTreeItem(toolOf(api, SCANNER, 'stop_scan')).description, 'execute · high · denied');
    assert.match(api.statusBar.text, /^\$\(shield\) 1 \$\(warning\)$/);
    assert.equal((api.statusBar.backgroundColor as vscode.ThemeColor).id, 'statusBarItem.warningBackground');
    await vscode.workspace.fs.writeFile(policyFile(), new TextEncoder().encode(text));
    await waitFor(() => api.policy.view.state === 'valid', 'the policy to be valid again');
    assert.equal(api.statusBar.text, '$(shield) 1');
    assert.equal(api.statusBar.backgroundColor, undefined);
  });
});

function toolsOf(api: Api, server: string): ToolRow[] {
  const row = api.tree.getChildren().find((e): e is ServerRow => e.kind === 'server' && e.name === server);
  assert.ok(row, `${server} is not in the tree`);
  return api.tree.getChildren(row).filter((e: TreeElement): e is ToolRow => e.kind === 'tool');
}

function toolOf(api: Api, server: string, tool: string): ToolRow {
  const found = toolsOf(api, server).find((t) => t.name === tool);
  assert.ok(found, `${tool} is not under ${server}`);
  return found;
}

/** The lines of `after` that are not in `before`, when `before` is `after` with them taken out (in order). */
function addedLines(before: string, after: string): string[] {
  const a = before.split('\n');
  const b = after.split('\n');
  const added: string[] = [];
  let i = 0;
  for (const line of b) {
    if (i < a.length && a[i] === line) i++;
    else added.push(line);
  }
  assert.equal(i, a.length, 'every line of the original is still there, in order');
  return added;
}
