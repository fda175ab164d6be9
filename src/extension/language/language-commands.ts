// "MCP Warden: Create Policy" (a commented starter file from the known servers and tools) and
// "MCP Warden: Discover Tools" (start a stdio server, list its tools into the catalogue, stop it).
// Both take their input as arguments too, so tests and other views can run them without prompts.
import * as vscode from 'vscode';
import type { MemoryCatalogue, ServerInfo } from '../../language/catalogue';
import { starterPolicy } from '../../language/starter-policy';
import { exists, policyUri } from '../policy-location';
import { discoveryRefusal } from '../trust/discovery-gate';
import { pinCreatedPolicy } from '../pinning/create-policy-pins';
import type { CatalogueFeeds } from './catalogue-feeds';
import { listToolsOverStdio } from './discover-tools';

export interface CreatePolicyOptions {
  /** Where to write; the workspace policy (`mcpWarden.policyPath`) when absent. */
  uri?: vscode.Uri | string;
  /** Replace an existing file without asking (true), or never (false); ask when absent. */
  overwrite?: boolean;
  /** Show the file in an editor (default true). */
  open?: boolean;
}

export function registerLanguageCommands(catalogue: MemoryCatalogue, feeds: CatalogueFeeds): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('mcpWarden.createPolicy', (options?: CreatePolicyOptions) => createPolicy(catalogue, feeds, options)),
    // From the palette (no argument), a tree node ({ name } or { server }), or a caller with the name.
    vscode.commands.registerCommand('mcpWarden.discoverTools', (target?: string | { server?: string; name?: string }) =>
      discoverTools(catalogue, feeds, typeof target === 'string' ? target : (target?.server ?? target?.name)),
    ),
  ];
}

async function createPolicy(catalogue: MemoryCatalogue, feeds: CatalogueFeeds, options: CreatePolicyOptions = {}): Promise<vscode.Uri | undefined> {
  const target = typeof options.uri === 'string' ? vscode.Uri.parse(options.uri) : (options.uri ?? policyUri());
  if (!target) {
    void vscode.window.showWarningMessage('MCP Warden: open a folder first; the policy lives in the workspace.');
    return undefined;
  }
  if (await exists(target)) {
    const replace = options.overwrite ?? (await vscode.window.showWarningMessage(`${vscode.workspace.asRelativePath(target)} exists. Replace it with a starter policy?`, { modal: true }, 'Replace')) === 'Replace';
    if (!replace) return undefined;
  }
  await feeds.loaded;
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(starterPolicy(catalogue)));
  // The servers it writes rules for are pinned (those whose definitions Warden has and no pin yet).
  await pinCreatedPolicy(target, catalogue.servers().filter((server) => catalogue.tools(server.name)).map((server) => server.name));
  if (options.open !== false) await vscode.window.showTextDocument(target);
  return target;
}

async function discoverTools(catalogue: MemoryCatalogue, feeds: CatalogueFeeds, name?: string): Promise<number | undefined> {
  await feeds.loaded;
  const startable = catalogue.servers().filter((s) => s.transport === 'stdio' && s.launch?.command);
  const server = name ? catalogue.server(name) : await pickServer(startable);
  if (!server) return undefined;
  if (!server.launch?.command) {
    void vscode.window.showWarningMessage(`MCP Warden: "${server.name}" is not a stdio server Warden can start; its tools are listed when it runs behind Warden's proxy.`);
    return undefined;
  }
  const refusal = await discoveryRefusal(server);
  if (refusal !== undefined) {
    void vscode.window.showWarningMessage(`MCP Warden: "${server.name}" was not started to list its tools: ${refusal}.`);
    return undefined;
  }
  try {
    const tools = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `MCP Warden: listing the tools of ${server.name}…` },
      () => listToolsOverStdio(server.launch!, { workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath }),
    );
    catalogue.setTools(server.name, tools, 'discovery');
    void vscode.window.showInformationMessage(`MCP Warden: ${server.name} has ${tools.length} tools.`);
    return tools.length;
  } catch (error) {
    void vscode.window.showErrorMessage(`MCP Warden: could not list the tools of ${server.name}: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

async function pickServer(servers: readonly ServerInfo[]): Promise<ServerInfo | undefined> {
  if (servers.length === 0) {
    void vscode.window.showInformationMessage('MCP Warden: no stdio server in mcp.json to discover.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    servers.map((server) => ({ label: server.name, description: [server.launch?.command, ...(server.launch?.args ?? [])].join(' '), server })),
    { placeHolder: 'Which server should Warden start to list its tools?' },
  );
  return picked?.server;
}
