// Protect moves a server's entry from mcp.json into the policy (`servers.<name>.launch`), where the
// definition provider offers it to VS Code behind Warden's proxy; Unprotect moves it back. Both files keep
// their comments and order, and an Unprotect right after a Protect restores mcp.json byte for byte.
// Protect tightens: it needs no review, and its launch entry is approved only when a person clicked it in
// the tree (otherwise the entry waits for its own approval when VS Code starts it). Unprotect loosens: run
// with anything but a tree node, it waits for the policy-changes review before either file is written.
import * as vscode from 'vscode';
import type { MemoryCatalogue, ServerInfo } from '../../language/catalogue';
import { removeServerLaunch, setServerLaunch } from '../../workbench/launch-edits';
import { McpJsonEditError, readServerEntry, removeServerEntry, restoreServerEntry, type RemovedEntry } from '../../workbench/mcp-json-edits';
import type { LaunchApprovals } from '../trust/launch-approvals';
import { mayEdit, type KnownTools } from '../trust/reviewed-edit';
import { isTreeNode } from '../trust/tree-nodes';
import { editPolicy } from './policy-writer';
import type { PolicyState } from './policy-state';
import { readText, writeText, type WriteResult } from './text-files';

const REMOVED_KEY = 'mcpWarden.removedEntries';

interface RemovedRecord extends RemovedEntry {
  /** The mcp.json the entry came from. */
  uri: string;
}

/** A server name, or a tree node that carries one. */
export type ServerTarget = string | { server?: string; name?: string } | undefined;

export function serverName(target: ServerTarget): string | undefined {
  if (typeof target === 'string') return target;
  return target?.server ?? target?.name;
}

export function registerProtectCommands(context: vscode.ExtensionContext, catalogue: MemoryCatalogue, policy: PolicyState, launches: LaunchApprovals): vscode.Disposable[] {
  const protect = new ProtectCommands(context, catalogue, policy, launches);
  return [
    vscode.commands.registerCommand('mcpWarden.protectServer', (target?: ServerTarget) => protect.protect(serverName(target), target)),
    vscode.commands.registerCommand('mcpWarden.unprotectServer', (target?: ServerTarget) => protect.unprotect(serverName(target), target)),
  ];
}

/** VS Code reads mcp.json from disk: an edit waiting in a dirty editor takes effect on save. */
function warnIfUnsaved(uri: vscode.Uri, result: WriteResult): void {
  if (result !== 'unsaved') return;
  void vscode.window.showWarningMessage(`MCP Warden: ${vscode.workspace.asRelativePath(uri)} had unsaved changes, so the edit waits in the editor: save the file to apply it.`);
}

class ProtectCommands {
  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly catalogue: MemoryCatalogue,
    private readonly policy: PolicyState,
    private readonly launches: LaunchApprovals,
  ) {}

  /** Returns true when the server ends up protected. */
  async protect(name: string | undefined, target?: unknown): Promise<boolean> {
    name ??= await this.pick('Protect which server?', (server) => server.source.origin === 'workspace' || server.source.origin === 'user');
    if (!name) return false;
    await this.policy.ready;
    if (this.policy.protectedServer(name)) {
      void vscode.window.showInformationMessage(`MCP Warden: ${name} is protected already.`);
      return true;
    }
    const server = this.catalogue.server(name);
    const uri = server?.source.uri && (server.source.origin === 'workspace' || server.source.origin === 'user') ? vscode.Uri.parse(server.source.uri) : undefined;
    if (!uri) {
      void vscode.window.showWarningMessage(`MCP Warden: ${name} is not declared in an mcp.json, so there is no entry to protect.`);
      return false;
    }
    if (server!.source.origin === 'user') {
      const answer = await vscode.window.showWarningMessage(
        `${name} is declared in your user mcp.json. Protecting it moves its entry into this workspace's policy, so other workspaces no longer see it.`,
        { modal: true },
        'Protect',
      );
      if (answer !== 'Protect') return false;
    }
    try {
      const text = await readText(uri);
      const entry = text === undefined ? undefined : readServerEntry(text, name);
      if (text === undefined || !entry) throw new McpJsonEditError(`${vscode.workspace.asRelativePath(uri)} no longer declares ${name}.`);
      const { text: without, removed } = removeServerEntry(text, name);
      const edit = (policyText: string) => setServerLaunch(policyText, name, entry);
      // What changes for this server only tightens (it ran without Warden); anything else would be reviewed.
      if (!(await mayEdit(this.policy, { target, edit, knownTools: () => this.knownTools(), ignore: (item) => item.server === name && item.what === 'launch' }))) return false;
      // The policy first: if writing mcp.json fails, the server is declared twice rather than nowhere.
      if (!(await editPolicy(this.policy, edit))) return false;
      const policyFile = this.policy.uri?.fsPath;
      if (isTreeNode(target) && policyFile) await this.launches.approve(policyFile, name, this.policy.protectedServer(name)?.entry ?? entry);
      warnIfUnsaved(uri, await writeText(uri, without));
      await this.remember({ ...removed, uri: uri.toString() });
      void vscode.window.showInformationMessage(`MCP Warden: ${name} is protected: VS Code now starts it through Warden, and its entry lives in the policy.`);
      return true;
    } catch (error) {
      void vscode.window.showErrorMessage(`MCP Warden: could not protect ${name}: ${(error as Error).message}`);
      return false;
    }
  }

  /** Returns true when the server ends up unprotected. */
  async unprotect(name: string | undefined, target?: unknown): Promise<boolean> {
    await this.policy.ready;
    name ??= await this.pickProtected();
    if (!name) return false;
    const guarded = this.policy.protectedServer(name);
    if (!guarded) {
      void vscode.window.showInformationMessage(`MCP Warden: ${name} is not protected.`);
      return false;
    }
    const record = this.records()[name];
    const folder = vscode.workspace.workspaceFolders?.[0];
    const uri = record ? vscode.Uri.parse(record.uri) : folder && vscode.Uri.joinPath(folder.uri, '.vscode', 'mcp.json');
    if (!uri) return false;
    const edit = (policyText: string) => removeServerLaunch(policyText, name);
    const unguarded = { server: name, what: 'protection', before: "every call decided by Warden's proxy", after: `VS Code runs it directly from ${vscode.workspace.asRelativePath(uri)}` };
    if (!(await mayEdit(this.policy, { target, edit, knownTools: () => this.knownTools(), alsoLoosens: [unguarded] }))) return false;
    try {
      const text = (await readText(uri)) ?? '';
      const restored = restoreServerEntry(text, name, guarded.entry, record);
      // mcp.json first: if writing the policy fails, the server is declared twice rather than nowhere.
      warnIfUnsaved(uri, await writeText(uri, restored));
      if (!(await editPolicy(this.policy, edit, { create: false }))) return false;
      await this.forget(name);
      void vscode.window.showInformationMessage(`MCP Warden: ${name} is no longer protected; its entry is back in ${vscode.workspace.asRelativePath(uri)}.`);
      return true;
    } catch (error) {
      void vscode.window.showErrorMessage(`MCP Warden: could not unprotect ${name}: ${(error as Error).message}`);
      return false;
    }
  }

  private knownTools(): KnownTools {
    return new Map(this.catalogue.servers().map((server) => [server.name, this.catalogue.tools(server.name)?.tools.map((tool) => tool.name) ?? []]));
  }

  private records(): Record<string, RemovedRecord> {
    return this.context.workspaceState.get<Record<string, RemovedRecord>>(REMOVED_KEY) ?? {};
  }

  private remember(record: RemovedRecord): Thenable<void> {
    return this.context.workspaceState.update(REMOVED_KEY, { ...this.records(), [record.name]: record });
  }

  private forget(name: string): Thenable<void> {
    const { [name]: _removed, ...rest } = this.records();
    return this.context.workspaceState.update(REMOVED_KEY, rest);
  }

  private async pick(placeHolder: string, filter: (server: ServerInfo) => boolean): Promise<string | undefined> {
    const names = this.catalogue.servers().filter(filter).map((server) => server.name);
    if (names.length === 0) {
      void vscode.window.showInformationMessage('MCP Warden: no server in mcp.json to protect.');
      return undefined;
    }
    return vscode.window.showQuickPick(names, { placeHolder });
  }

  private async pickProtected(): Promise<string | undefined> {
    const names = this.policy.protectedServers.map((server) => server.name);
    if (names.length === 0) {
      void vscode.window.showInformationMessage('MCP Warden: no server is protected.');
      return undefined;
    }
    return vscode.window.showQuickPick(names, { placeHolder: 'Unprotect which server?' });
  }
}
