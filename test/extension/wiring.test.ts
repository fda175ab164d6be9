// The wiring into VS Code's MCP configuration, inside a real VS Code: Protect moves a server's entry from
// the sample's mcp.json (which has comments) into the policy's `launch`, the definition provider offers it
// as Warden's proxy, Unprotect moves it back; inputs are asked once and kept in secret storage.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { parse } from 'jsonc-parser';
import { setServerLaunch } from '../../src/workbench/launch-edits';
import { PROXY_NODE_OPTIONS } from '../../src/workbench/proxy-launch';
import { keepFiles, mcpJsonFile, policyFile, readFile, SCANNER, ScriptedLaunchReviewer, ScriptedPolicyReviewer, stdioDefinition, useProxyMode, waitFor, wardenApi, type Api } from './warden-helpers';

const plain = (text: string) => JSON.parse(JSON.stringify(parse(text))) as { servers: Record<string, Record<string, unknown>> };

suite('Wiring: protect, unprotect, definitions', () => {
  let api: Api;
  let restore: () => Promise<void>;
  let originalMcp: string;
  let originalPolicy: string;
  // A person at the editor: applies the reviewed changes these commands make, approves the launches they start.
  const reviewer = new ScriptedPolicyReviewer('apply');
  const launches = new ScriptedLaunchReviewer('allow');
  let seats: vscode.Disposable[] = [];
  let restoreMode: () => Promise<void>;

  // These check the proxy's command line: the per-server mode (gateway.test.ts checks the gateway's).
  suiteSetup(async () => {
    api = await wardenApi();
    restoreMode = await useProxyMode('perServer');
    seats = [api.policyChanges.use(reviewer), api.launches.use(launches)];
    restore = await keepFiles(api, mcpJsonFile(), policyFile());
    originalMcp = await readFile(mcpJsonFile());
    originalPolicy = await readFile(policyFile());
  });

  suiteTeardown(async () => {
    await restoreMode?.();
    await restore?.();
    for (const seat of seats) seat.dispose();
  });

  test('Protect moves "everything" into the policy and VS Code is offered it through the proxy; Unprotect restores both files byte for byte', async function () {
    this.timeout(30_000);
    const entry = plain(originalMcp).servers.everything;
    await waitFor(() => api.catalogue.server('everything')?.source.origin === 'workspace', 'everything from mcp.json');

    assert.equal(await vscode.commands.executeCommand('mcpWarden.protectServer', 'everything'), true);
    const mcp = await readFile(mcpJsonFile());
    assert.deepEqual(Object.keys(plain(mcp).servers), []);
    assert.equal(mcp, originalMcp.replace(/ {4}\/\/ The reference MCP server[^\n]*\n {4}"everything": \{[\s\S]*?\n {4}\}\n/, ''), 'only the entry and its own comment left');
    assert.deepEqual(api.policy.protectedServer('everything')?.entry, entry);
    const policy = await readFile(policyFile());
    assert.ok(policy.includes('  everything:\n    launch:\n      type: stdio\n      command: node\n      args: ["${workspaceFolder}/../../node_modules/@modelcontextprotocol/server-everything/dist/index.js", "stdio"]\n    default: allow\n'), policy);

    const definitions = api.definitions.provideMcpServerDefinitions();
    assert.deepEqual(definitions.map((d) => d.label).sort(), ['everything', SCANNER]);
    const everything = stdioDefinition(definitions.find((d) => d.label === 'everything'));
    const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    assert.equal(everything.command, process.execPath);
    // The editor's Node runs the CLI, with the proxy's Node options when it is Node itself (here: the server's Node).
    const cli = everything.args.findIndex((arg) => arg.endsWith('/dist/cli.js'));
    assert.deepEqual(everything.args.slice(0, cli), process.versions.electron ? [] : PROXY_NODE_OPTIONS);
    assert.deepEqual(everything.args.slice(cli + 1, cli + 6), ['proxy', '--policy', policyFile().fsPath, '--server', 'everything']);
    assert.deepEqual(everything.args.slice(everything.args.indexOf('--')), ['--', 'node', `${folder}/../../node_modules/@modelcontextprotocol/server-everything/dist/index.js`, 'stdio']);
    assert.equal(everything.env.ELECTRON_RUN_AS_NODE, '1');
    assert.match(everything.version ?? '', /^[0-9a-f]{16}$/);
    const row = await waitFor(() => api.tree.refresh().servers.find((s) => s.name === 'everything' && s.isProtected && !s.duplicated), 'everything to be shown protected');
    // Protected by name, not by a click in the tree: its launch entry waits for a person's approval.
    assert.equal(row.contextValue, 'server:protected:held:stdio');
    assert.equal(row.held, 'launch not approved');

    const reviews = reviewer.asked.length;
    assert.equal(await vscode.commands.executeCommand('mcpWarden.unprotectServer', { name: 'everything' }), true);
    assert.deepEqual(reviewer.asked.slice(reviews).map((change) => change.loosened.filter((l) => l.server === 'everything').map((l) => l.what).sort()), [['launch', 'protection']], 'Unprotect with plain arguments was reviewed');
    assert.equal(await readFile(mcpJsonFile()), originalMcp);
    assert.equal(await readFile(policyFile()), originalPolicy);
    assert.equal(api.policy.protectedServer('everything'), undefined);
  });

  test('Unprotect the scanner (no record of its move) and Protect it again: both files come back as they were', async function () {
    this.timeout(30_000);
    const launch = api.policy.protectedServer(SCANNER)!.entry;
    assert.equal(await vscode.commands.executeCommand('mcpWarden.unprotectServer', SCANNER), true);
    const mcp = await readFile(mcpJsonFile());
    assert.deepEqual(plain(mcp).servers[SCANNER], launch);
    assert.deepEqual(Object.keys(plain(mcp).servers), ['everything', SCANNER]);
    assert.ok(mcp.startsWith(originalMcp.slice(0, originalMcp.lastIndexOf('    }\n  }'))), 'the file up to the new entry is unchanged');
    assert.equal(api.policy.protectedServer(SCANNER), undefined);
    await waitFor(() => api.catalogue.server(SCANNER)?.source.origin === 'workspace', 'the scanner from mcp.json');
    const row = api.tree.refresh().servers.find((s) => s.name === SCANNER)!;
    assert.equal(row.contextValue, 'server:unprotected:unknown:stdio');

    assert.equal(await vscode.commands.executeCommand('mcpWarden.protectServer', SCANNER), true);
    assert.equal(await readFile(mcpJsonFile()), originalMcp);
    assert.equal(await readFile(policyFile()), originalPolicy);
    assert.deepEqual(api.policy.protectedServer(SCANNER)?.entry, launch);
  });

  test('Discover Tools lists a protected server\'s tools from its launch entry in the policy', async function () {
    this.timeout(30_000);
    // Declared in no mcp.json: the catalogue knows it from the policy (once mcp.json's change is read).
    const server = await waitFor(() => api.catalogue.server(SCANNER)?.source.origin === 'seen' && api.catalogue.server(SCANNER), 'the scanner known from the policy');
    assert.equal(server.launch?.command, 'node');
    assert.equal(server.source.uri, policyFile().toString());
    // As the tree's Discover action runs it: on the server's node.
    const node = api.tree.model().servers.find((row) => row.name === SCANNER);
    assert.equal(await vscode.commands.executeCommand('mcpWarden.discoverServerTools', node), 5);
    assert.equal(api.catalogue.tools(SCANNER)?.origin, 'discovery');
    assert.deepEqual(api.catalogue.rankedTools(SCANNER).map((t) => t.info.name).sort(), ['delete_finding', 'get_scan_status', 'list_findings', 'start_security_scan', 'stop_scan']);
  });

  test('resolving a definition asks its ${input:...} once (secret storage), attaches the control channel, reads envFile', async () => {
    const text = await readFile(policyFile());
    const withInput = setServerLaunch(text, 'input-demo', { command: 'node', args: ['--token=${input:wardenDemoToken}'], envFile: '${workspaceFolder}/.vscode/demo.env' });
    const envFile = vscode.Uri.joinPath(policyFile(), '..', 'demo.env');
    await vscode.workspace.fs.writeFile(envFile, new TextEncoder().encode('# demo\nDEMO_LEVEL=debug\n'));
    await api.inputs.store('wardenDemoToken', 's3cret');
    try {
      await vscode.workspace.fs.writeFile(policyFile(), new TextEncoder().encode(withInput));
      await api.policy.reload();
      // A launch entry added by writing the file is a loosening: offered once the person applied it.
      const offered = stdioDefinition(await waitFor(() => api.definitions.provideMcpServerDefinitions().find((d) => d.label === 'input-demo'), 'input-demo offered'));
      assert.ok(offered.args.includes('--token=${input:wardenDemoToken}'), 'offered before the input is known');
      const resolved = stdioDefinition(await api.definitions.resolveMcpServerDefinition(offered));
      assert.ok(resolved.args.includes('--token=s3cret'));
      assert.equal(resolved.env.MCP_WARDEN_CONTROL_SOCKET, await api.controlSocket);
      const ticket = resolved.env.MCP_WARDEN_CONTROL_TICKET;
      assert.match(String(ticket), /^[0-9a-f]{64}$/);
      // Resolving fills in the definition it is given: keep the first ticket before asking again.
      const again = stdioDefinition(await api.definitions.resolveMcpServerDefinition(offered));
      assert.match(String(again.env.MCP_WARDEN_CONTROL_TICKET), /^[0-9a-f]{64}$/);
      assert.notEqual(again.env.MCP_WARDEN_CONTROL_TICKET, ticket, 'a fresh ticket for each start');
      assert.equal(resolved.env.DEMO_LEVEL, undefined, 'the envFile’s variables are not the proxy’s own');
      assert.equal((JSON.parse(String(resolved.env.MCP_WARDEN_SERVER_ENV)) as Record<string, string>).DEMO_LEVEL, 'debug');
    } finally {
      await api.inputs.forget('wardenDemoToken');
      await vscode.workspace.fs.delete(envFile);
      await vscode.workspace.fs.writeFile(policyFile(), new TextEncoder().encode(text));
      await api.policy.reload();
    }
  });

  test('the audit log goes to mcpWarden.auditLogFolder when it is set, relative to the workspace folder', async () => {
    const settings = () => vscode.workspace.getConfiguration('mcpWarden');
    const auditArgument = () => {
      const scanner = stdioDefinition(api.definitions.provideMcpServerDefinitions().find((d) => d.label === SCANNER));
      return scanner.args[scanner.args.indexOf('--audit') + 1];
    };
    assert.match(auditArgument(), new RegExp(`/audit/${SCANNER}\\.jsonl$`));
    await settings().update('auditLogFolder', 'warden-audit', vscode.ConfigurationTarget.Global);
    try {
      const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
      assert.equal(auditArgument(), `${folder}/warden-audit/${SCANNER}.jsonl`);
    } finally {
      await settings().update('auditLogFolder', undefined, vscode.ConfigurationTarget.Global);
    }
    assert.match(auditArgument(), new RegExp(`/audit/${SCANNER}\\.jsonl$`));
  });

  test('mcpWarden.rewriteAnnotations off: the proxy is told to trust the server\u2019s annotations', async () => {
    const settings = () => vscode.workspace.getConfiguration('mcpWarden');
    const scannerArgs = () => stdioDefinition(api.definitions.provideMcpServerDefinitions().find((d) => d.label === SCANNER)).args;
    assert.ok(!scannerArgs().includes('--trust-annotations'));
    await settings().update('rewriteAnnotations', false, vscode.ConfigurationTarget.Global);
    try {
      const args = scannerArgs();
      assert.ok(args.indexOf('--trust-annotations') > 0 && args.indexOf('--trust-annotations') < args.indexOf('--'), args.join(' '));
    } finally {
      await settings().update('rewriteAnnotations', undefined, vscode.ConfigurationTarget.Global);
    }
    assert.ok(!scannerArgs().includes('--trust-annotations'));
  });
});
