// Feeds the catalogue: the servers of every workspace folder's `.vscode/mcp.json` and of the user's
// `mcp.json`, re-read when they change, and the tools listed earlier, kept in workspace state so the
// editor knows them before any server has started.
import * as vscode from 'vscode';
import type { MemoryCatalogue, ServerInfo, ToolsOrigin } from '../../language/catalogue';
import { readMcpConfig } from '../../language/mcp-config';
import type { ToolInfo } from '../../policy/model';

const CACHE_KEY = 'mcpWarden.toolCache';
const RELOAD_DELAY_MS = 200;

interface CachedTools {
  tools: ToolInfo[];
  origin: ToolsOrigin;
  updated: number;
}

export class CatalogueFeeds implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private lastSaved = '';
  /** Resolves once both mcp.json files and the cache have been read. */
  readonly loaded: Promise<void>;

  constructor(
    private readonly catalogue: MemoryCatalogue,
    private readonly context: vscode.ExtensionContext,
  ) {
    this.loadCache();
    const workspaceWatcher = vscode.workspace.createFileSystemWatcher('**/.vscode/mcp.json');
    const reloadWorkspace = () => this.later('workspace', () => this.readWorkspace());
    this.subscriptions.push(
      workspaceWatcher,
      workspaceWatcher.onDidChange(reloadWorkspace),
      workspaceWatcher.onDidCreate(reloadWorkspace),
      workspaceWatcher.onDidDelete(reloadWorkspace),
      vscode.workspace.onDidChangeWorkspaceFolders(reloadWorkspace),
      catalogue.onDidChange(() => this.later('cache', () => this.saveCache())),
    );
    const userFile = this.userConfigUri();
    if (userFile) {
      const userWatcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(userFile, '..'), 'mcp.json'));
      const reloadUser = () => this.later('user', () => this.readUser(userFile));
      this.subscriptions.push(userWatcher, userWatcher.onDidChange(reloadUser), userWatcher.onDidCreate(reloadUser), userWatcher.onDidDelete(reloadUser));
    }
    this.loaded = Promise.all([this.readWorkspace(), userFile ? this.readUser(userFile) : undefined]).then(() => undefined);
  }

  /** Re-reads the mcp.json files now. */
  reload(): Promise<void> {
    const userFile = this.userConfigUri();
    return Promise.all([this.readWorkspace(), userFile ? this.readUser(userFile) : undefined]).then(() => undefined);
  }

  private async readWorkspace(): Promise<void> {
    const servers: ServerInfo[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const file = vscode.Uri.joinPath(folder.uri, '.vscode', 'mcp.json');
      const text = await readText(file);
      if (text !== undefined) servers.push(...readMcpConfig(text, file.toString(), 'workspace').servers);
    }
    this.catalogue.setServers('workspace', servers);
  }

  private async readUser(file: vscode.Uri): Promise<void> {
    const text = await readText(file);
    this.catalogue.setServers('user', text === undefined ? [] : readMcpConfig(text, file.toString(), 'user').servers);
  }

  /** The user's mcp.json sits in the user data folder, two levels above this extension's global storage. */
  private userConfigUri(): vscode.Uri | undefined {
    const storage = this.context.globalStorageUri;
    return storage ? vscode.Uri.joinPath(storage, '..', '..', 'mcp.json') : undefined;
  }

  private loadCache(): void {
    const cached = this.context.workspaceState.get<Record<string, CachedTools>>(CACHE_KEY) ?? {};
    for (const [server, entry] of Object.entries(cached)) {
      if (Array.isArray(entry?.tools)) this.catalogue.setTools(server, entry.tools, 'cache', entry.updated);
    }
  }

  private saveCache(): void {
    const cache: Record<string, CachedTools> = {};
    for (const server of this.catalogue.servers()) {
      const listed = this.catalogue.tools(server.name);
      if (listed) cache[server.name] = { tools: [...listed.tools], origin: listed.origin, updated: listed.updated };
    }
    const text = JSON.stringify(cache);
    if (text === this.lastSaved) return;
    this.lastSaved = text;
    void this.context.workspaceState.update(CACHE_KEY, cache);
  }

  private later(key: string, work: () => unknown): void {
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      void work();
    }, RELOAD_DELAY_MS));
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}

async function readText(file: vscode.Uri): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
  } catch {
    return undefined;
  }
}
