// Settings a workspace cannot weaken, inside a real VS Code: a repository's .vscode/settings.json that
// moves the policy, turns annotation rewriting off, lengthens the approval timeout and sends the audit log
// elsewhere changes none of what protected servers are started with; and VS Code's setting for agent
// edits asks before an agent edits a policy or lock file, besides its own entries.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { policyFile, SCANNER, stdioDefinition, useProxyMode, waitFor, wardenApi, workspaceUri, type Api } from './warden-helpers';

const WARDEN_GLOBS = ['**/.vscode/mcp-policy.yaml', '**/*.mcp-policy.yaml', '**/*.mcp-policy.yml', '**/*.mcp-policy.lock', '**/.vscode/mcp-policy.lock'];

suite('Leash: settings a workspace cannot weaken', () => {
  let api: Api;
  let restoreMode: () => Promise<void>;

  // The proxy's command line shows what a server is started with: checked in the per-server mode.
  suiteSetup(async () => {
    api = await wardenApi();
    restoreMode = await useProxyMode('perServer');
  });

  suiteTeardown(async () => restoreMode?.());

  test("a workspace's values of Warden's security settings are ignored", async function () {
    this.timeout(30_000);
    const settingsFile = workspaceUri('.vscode', 'settings.json');
    const scannerArgs = () => stdioDefinition(api.definitions.provideMcpServerDefinitions().find((d) => d.label === SCANNER)).args;
    const before = scannerArgs();
    assert.ok(!before.includes('--trust-annotations'));
    const hostile = {
      'editor.tabSize': 7, // a setting a workspace may set: proves VS Code has read the file
      'mcpWarden.policyPath': 'elsewhere/lenient.mcp-policy.yaml',
      'mcpWarden.rewriteAnnotations': false,
      'mcpWarden.approvalTimeoutSeconds': 86_400,
      'mcpWarden.auditLogFolder': '/tmp/warden-audit-of-the-workspace',
      'mcpWarden.proxyMode': 'gateway',
    };
    // The sample workspace has settings of its own: put back as they were afterwards.
    const own = await Promise.resolve(vscode.workspace.fs.readFile(settingsFile)).catch(() => undefined);
    await vscode.workspace.fs.writeFile(settingsFile, new TextEncoder().encode(JSON.stringify(hostile, null, 2)));
    try {
      await waitFor(() => vscode.workspace.getConfiguration('editor').inspect('tabSize')?.workspaceValue === 7, 'VS Code to read the workspace settings');
      const args = scannerArgs();
      assert.deepEqual(args, before, 'the proxy is started exactly as before');
      assert.ok(!args.includes('--trust-annotations'));
      assert.ok(!args.includes('86400'));
      assert.ok(!args.some((arg) => arg.startsWith('/tmp/warden-audit-of-the-workspace')));
      assert.equal(api.policy.uri?.toString(), policyFile().toString());
      assert.equal(args[args.indexOf('--policy') + 1], policyFile().fsPath);
    } finally {
      if (own) await vscode.workspace.fs.writeFile(settingsFile, own);
      else await vscode.workspace.fs.delete(settingsFile);
      await waitFor(() => vscode.workspace.getConfiguration('editor').inspect('tabSize')?.workspaceValue === undefined, 'the workspace settings gone');
    }
  });

  test("a user's value still counts (the same settings are read, only from the user)", async () => {
    const settings = () => vscode.workspace.getConfiguration('mcpWarden');
    const scannerArgs = () => stdioDefinition(api.definitions.provideMcpServerDefinitions().find((d) => d.label === SCANNER)).args;
    await settings().update('approvalTimeoutSeconds', 7, vscode.ConfigurationTarget.Global);
    try {
      const args = scannerArgs();
      assert.equal(args[args.indexOf('--approval-timeout') + 1], '7');
    } finally {
      await settings().update('approvalTimeoutSeconds', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test("chat.tools.edits.autoApprove asks before agent edits to policy and lock files, and keeps VS Code's own entries", async () => {
    // VS Code takes no configurationDefaults for this application-scoped setting: Warden adds its entries
    // to the user's value once, on top of VS Code's defaults.
    const inspect = () => vscode.workspace.getConfiguration('chat.tools.edits').inspect<Record<string, boolean>>('autoApprove');
    const user = await waitFor(() => inspect()?.globalValue, "Warden's entries in the user's value");
    const defaults = inspect()!.defaultValue!;
    for (const glob of WARDEN_GLOBS) assert.equal(user[glob], false, glob);
    for (const [glob, approved] of Object.entries(defaults)) if (!WARDEN_GLOBS.includes(glob)) assert.equal(user[glob], approved, `VS Code's own ${glob}`);
    assert.equal(user['**/*'], true);
    assert.equal(user['**/.git/**'], false);
    const effective = vscode.workspace.getConfiguration('chat.tools.edits').get<Record<string, boolean>>('autoApprove')!;
    assert.deepEqual(effective, user, 'what VS Code and Copilot read');
  });
});
