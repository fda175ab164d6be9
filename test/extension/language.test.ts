// The policy language inside a real VS Code: completion, hover, diagnostics, quick fixes, outline,
// definition and the commands, through the same commands the editor itself calls.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { PolicyLanguageApi } from '../../src/extension/language/policy-language';
import type { WardenApi } from '../../src/extension/warden';
import { readMcpConfig } from '../../src/language/mcp-config';
import type { ToolInfo } from '../../src/policy/model';
import { ScriptedLaunchReviewer } from './warden-helpers';

const EXTENSION_ID = 'mcp-warden.mcp-warden';

suite('Policy language', () => {
  let extension: vscode.Extension<PolicyLanguageApi>;
  let api: PolicyLanguageApi;
  let fixtures: string;
  let policyText: string;
  const cleanUp: (() => Thenable<unknown>)[] = [];

  suiteSetup(async () => {
    extension = vscode.extensions.getExtension<PolicyLanguageApi>(EXTENSION_ID)!;
    api = await extension.activate();
    fixtures = join(extension.extensionPath, 'test', 'fixtures', 'workspace-language');
    policyText = readFileSync(join(fixtures, 'policy.mcp-policy.yaml'), 'utf8');
    await api.catalogueLoaded;
    // The fixture servers as the user's mcp.json would declare them, and their tools as a proxy reports them.
    const mcpJson = vscode.Uri.file(join(fixtures, 'mcp.json'));
    api.catalogue.setServers('user', readMcpConfig(readFileSync(mcpJson.fsPath, 'utf8'), mcpJson.toString(), 'user').servers);
    const tools = JSON.parse(readFileSync(join(fixtures, 'tools.json'), 'utf8')) as Record<string, ToolInfo[]>;
    for (const [server, list] of Object.entries(tools)) api.catalogue.setTools(server, list);
    // Other parts of the extension feed the catalogue too: give back what was there.
    const userServers = declared('user');
    cleanUp.push(async () => {
      api.catalogue.setServers('user', userServers);
      for (const server of Object.keys(tools)) api.catalogue.clearTools(server);
    });
  });

  suiteTeardown(async () => {
    for (const step of cleanUp.reverse()) await step();
    // Untitled policies are dirty: close them unsaved, without the save prompt a test host cannot answer.
    for (const document of opened) {
      await vscode.window.showTextDocument(document);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });

  const opened: vscode.TextDocument[] = [];
  /** The servers one origin declares now, to give back after a test changed them. */
  function declared(origin: 'user' | 'seen') {
    return api.catalogue.servers().filter((server) => server.source.origin === origin);
  }

  async function openPolicy(text = policyText): Promise<vscode.TextDocument> {
    const document = await vscode.workspace.openTextDocument({ language: 'mcp-policy', content: text });
    opened.push(document);
    await vscode.window.showTextDocument(document);
    return document;
  }

  test('completion under tools: lists the server\'s live tools, riskiest first, with risk and description', async () => {
    const document = await openPolicy(policyText.replace('      stop_scna:\n        action: deny\n', '      \n'));
    const line = document.getText().split('\n').indexOf('      ');
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', document.uri, new vscode.Position(line, 6));
    const tools = list.items.filter((item) => item.kind === vscode.CompletionItemKind.Function).sort((a, b) => (a.sortText! < b.sortText! ? -1 : 1));
    assert.deepEqual(tools.map((item) => labelOf(item)), ['start_security_scan', 'stop_scan', 'get_finding', 'list_findings'], 'delete_finding has a rule already');
    const first = tools[0];
    assert.equal((first.label as vscode.CompletionItemLabel).description, 'execute · high');
    assert.equal(first.detail, 'Starts a scan of the repository.');
    assert.equal((first.insertText as vscode.SnippetString).value, 'start_security_scan:\n  action: ${1|ask,deny,allow|}$0');
  });

  test('completion after a colon: enum values with their docs', async () => {
    const document = await openPolicy(policyText.replace('default: allow', 'default: '));
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', document.uri, new vscode.Position(2, 9));
    const values = list.items.filter((item) => item.kind === vscode.CompletionItemKind.EnumMember).map(labelOf);
    assert.deepEqual(values, ['allow', 'ask', 'deny']);
  });

  test('hover on a tool: description, input, risk badge with its source, and the rule that decides it', async () => {
    const document = await openPolicy();
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, positionOf(document, 'delete_finding:', 3));
    const text = hovers.flatMap((hover) => hover.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /\*\*delete_finding\*\* — \[D\] destructive · critical \*\(from the server's annotations\)\*/);
    assert.match(text, /- `finding_id` \*string\*, required — The finding, e\.g\. F-12\./);
    assert.match(text, /\*\*This file: deny\*\* — rule `delete_finding` \(line 8\)/);
    assert.match(text, /> Findings are evidence\./);
  });

  test('hover on a key: the schema\'s docs', async () => {
    const document = await openPolicy();
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, new vscode.Position(2, 2));
    const text = hovers.flatMap((hover) => hover.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /The fallback for calls that no rule matches/);
  });

  test('diagnostics: the parser\'s and the live tools\' problems, as the user types', async () => {
    const document = await openPolicy();
    const found = await diagnosticsOf(document.uri, (all) => all.some((d) => d.code === 'unknown-tool'));
    // On the fixture's servers (lines 4 on); the sample workspace may declare servers of its own, which
    // this policy leaves out and which may be reported on its `servers:` line.
    const summary = found.filter((d) => d.range.start.line >= 4).map((d) => `${d.range.start.line}:${d.code}:${vscode.DiagnosticSeverity[d.severity]}`).sort();
    assert.deepEqual(summary, ['10:unknown-tool:Warning', '12:unruled-risky-tool:Information']);
    for (const other of found.filter((d) => d.range.start.line < 4)) assert.match(other.message, /^Server "[^"]+" is not in this policy/);
    assert.equal(found.find((d) => d.code === 'unknown-tool')!.message, 'Server "security-agent" has no tool "stop_scna"; did you mean "stop_scan"?');
    assert.match(found.find((d) => d.code === 'unruled-risky-tool')!.message, /Tool "run_command" \(execute · high\) has no rule, and the policy's default allows it\. Execute tools should be rate-limited and have argument checks/);

    const editor = vscode.window.activeTextEditor!;
    await editor.edit((edit) => edit.replace(new vscode.Range(2, 9, 2, 14), 'alow'));
    const typed = await diagnosticsOf(document.uri, (all) => all.some((d) => d.code === 'invalid-value'));
    assert.equal(typed.find((d) => d.code === 'invalid-value')!.message, 'Invalid value "alow" for "default": expected one of allow, ask, deny');
  });

  test('quick fixes: the right spelling of a tool, and a rule for an unruled high-risk tool', async () => {
    const document = await openPolicy();
    await diagnosticsOf(document.uri, (all) => all.some((d) => d.code === 'unknown-tool'));
    const rename = await codeActions(document, positionOf(document, 'stop_scna', 2));
    const fix = rename.find((action) => action.title === 'Change to "stop_scan"');
    assert.ok(fix?.edit, `no rename among: ${rename.map((a) => a.title).join(', ')}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.match(document.getText(), /\n {6}stop_scan:\n {8}action: deny\n/);

    const risky = await codeActions(document, positionOf(document, 'files:', 1));
    const rule = risky.find((action) => action.title === 'Ask before each call of "run_command", at most 10 a minute');
    assert.ok(rule?.edit, `no rule fix among: ${risky.map((a) => a.title).join(', ')}`);
    assert.ok(await vscode.workspace.applyEdit(rule.edit));
    assert.ok(
      document.getText().endsWith('      write_file: { action: allow }\n      run_command:\n        action: ask\n        reason: "Runs something: a person approves each call."\n        rate_limit: { max: 10, window: 1m }\n'),
      document.getText(),
    );
  });

  test('quick fix of an invalid value, from the parser\'s diagnostic', async () => {
    const document = await openPolicy(policyText.replace('default: ask', 'default: dney'));
    const actions = await codeActions(document, positionOf(document, 'dney', 1));
    const fix = actions.find((action) => action.title === 'Change to "deny"');
    assert.ok(fix?.edit && fix.isPreferred);
    await vscode.workspace.applyEdit(fix.edit);
    assert.match(document.getText(), /\n {4}default: deny\n/);
  });

  test('outline: servers, then their rules', async () => {
    const document = await openPolicy();
    const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', document.uri);
    assert.deepEqual(symbols.map((s) => [s.name, s.children.map((c) => `${c.name} (${c.detail})`)]), [
      ['security-agent', ['delete_finding (deny · [D] destructive · critical)', 'stop_scna (deny)']],
      ['files', ['write_file (allow · [W] write · medium)']],
    ]);
  });

  test('go to definition: from a server name to its entry in mcp.json', async () => {
    const document = await openPolicy();
    const locations = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', document.uri, positionOf(document, 'security-agent:', 2));
    assert.equal(locations.length, 1);
    const location = locations[0] as vscode.Location;
    assert.equal(location.uri.fsPath, join(fixtures, 'mcp.json'));
    assert.deepEqual([location.range.start.line, location.range.start.character], [4, 4]);
  });

  test('Create Policy writes a commented starter policy from the known servers and tools', async () => {
    const folder = vscode.workspace.workspaceFolders![0].uri;
    const target = vscode.Uri.joinPath(folder, 'created-by-test.mcp-policy.yaml');
    cleanUp.push(() => vscode.workspace.fs.delete(target).then(undefined, () => undefined));
    // Create Policy also pins the servers whose tools Warden has, in the lockfile beside the policy.
    cleanUp.push(() => vscode.workspace.fs.delete(vscode.Uri.joinPath(folder, 'created-by-test.mcp-policy.lock')).then(undefined, () => undefined));
    const written = await vscode.commands.executeCommand<vscode.Uri>('mcpWarden.createPolicy', { uri: target, overwrite: true, open: false });
    assert.equal(written?.toString(), target.toString());
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(target));
    assert.match(text, /^# MCP Warden policy/);
    assert.match(text, /\n {6}delete_finding:\n {8}action: deny\n/);
    assert.match(text, /\n {6}run_command:\n {8}action: ask\n {8}reason: "Runs something: a person approves each call."\n {8}rate_limit: \{ max: 10, window: 1m \}\n/);
    assert.match(text, /\n {2}github: +# http, from the user's mcp.json\n {4}# Its tools have not been listed yet[^\n]*\n {4}default: ask\n/);
  });

  test('the workspace mcp.json feeds the catalogue, and its changes too', async function () {
    const folder = vscode.workspace.workspaceFolders![0].uri;
    const file = vscode.Uri.joinPath(folder, '.vscode', 'mcp.json');
    if (await exists(file)) this.skip(); // the sample workspace has its own; leave it alone
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode('{ "servers": { "from-workspace": { "command": "node", "args": ["--version"] } } }'));
    cleanUp.push(() => vscode.workspace.fs.delete(file).then(undefined, () => undefined));
    await waitFor(() => api.catalogue.server('from-workspace')?.source.origin === 'workspace', 'the new mcp.json to be read');
    assert.equal(api.catalogue.server('from-workspace')!.transport, 'stdio');
    await vscode.workspace.fs.delete(file);
    await waitFor(() => api.catalogue.server('from-workspace') === undefined, 'the deleted mcp.json to be forgotten');
  });

  test('Discover Tools starts a stdio server, lists its tools into the catalogue, and stops it', async () => {
    const server = join(extension.extensionPath, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');
    const seen = declared('seen');
    const before = api.catalogue.tools('discovery-test');
    api.catalogue.setServers('seen', [...seen, { name: 'discovery-test', transport: 'stdio', source: { origin: 'seen' }, launch: { command: process.execPath, args: [server, 'stdio'] } }]);
    cleanUp.push(async () => {
      api.catalogue.setServers('seen', seen);
      if (!before) api.catalogue.clearTools('discovery-test');
    });
    // As the Servers view calls it: with the tree node of the server. The command it starts runs only once
    // a person allowed it in Warden's prompt, which shows the command.
    const person = new ScriptedLaunchReviewer('allow');
    const seat = (api as unknown as WardenApi).launches.use(person);
    cleanUp.push(async () => seat.dispose());
    const count = await vscode.commands.executeCommand<number>('mcpWarden.discoverTools', { kind: 'server', name: 'discovery-test' });
    assert.ok(count !== undefined && count >= 10, `listed ${count} tools`);
    assert.deepEqual(person.asked.map((request) => request.server), ['discovery-test']);
    const names = api.catalogue.rankedTools('discovery-test').map((t) => t.info.name);
    assert.ok(names.includes('echo') && names.includes('get-sum'), names.join(', '));
    assert.equal(api.catalogue.tools('discovery-test')?.origin, 'discovery');
  });
});

function labelOf(item: vscode.CompletionItem): string {
  return typeof item.label === 'string' ? item.label : item.label.label;
}

function positionOf(document: vscode.TextDocument, needle: string, into: number): vscode.Position {
  const offset = document.getText().indexOf(needle);
  assert.ok(offset >= 0, `"${needle}" is not in the document`);
  return document.positionAt(offset + into);
}

async function codeActions(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.CodeAction[]> {
  return vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', document.uri, new vscode.Range(position, position));
}

/** The document's diagnostics (every collection's) once `ready` says they are complete. */
async function diagnosticsOf(uri: vscode.Uri, ready: (all: vscode.Diagnostic[]) => boolean): Promise<vscode.Diagnostic[]> {
  await waitFor(() => ready(vscode.languages.getDiagnostics(uri)), 'the diagnostics');
  return vscode.languages.getDiagnostics(uri);
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  return vscode.workspace.fs.stat(uri).then(() => true, () => false);
}
