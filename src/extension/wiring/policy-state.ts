// The workspace policy as saved on disk, which is what the proxies enforce: parsed on every change, the last
// good version kept while the file has errors, and its protected servers (those with a `launch` entry) made
// known to the catalogue, so hovers, go to definition and Discover Tools find them. The file is read by
// the proxy's rules (`readPolicyText`), and a link's target is watched as well as the link.
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import type { MemoryCatalogue, ServerInfo } from '../../language/catalogue';
import type { Policy } from '../../policy/model';
import { parsePolicy } from '../../policy/parse';
import { protectedServers, toServerLaunch, transportOf, type ProtectedServer } from '../../workbench/launch-entry';
import type { PolicyView } from '../../workbench/tree-model';
import { Disposable } from '../lifecycle';
import { policyUri } from '../policy-location';
import { readPolicyText } from './policy-reader';

const RELOAD_DELAY_MS = 50;

export class PolicyState extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;
  private currentView: PolicyView = { state: 'none' };
  private lastGood: Policy | undefined;
  private guarded: ProtectedServer[] = [];
  private watcher: vscode.FileSystemWatcher | undefined;
  /** When the policy path is a link: a watcher of the file it leads to, and that file. */
  private targetWatcher: { path: string; watcher: vscode.FileSystemWatcher } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private fedServers = '';
  private loading: Promise<void> = Promise.resolve();

  constructor(private readonly catalogue: MemoryCatalogue) {
    super();
    this.register(vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('mcpWarden.policyPath')) this.watch();
    }));
    this.register(vscode.workspace.onDidChangeWorkspaceFolders(() => this.watch()));
    this.register({ dispose: () => this.watcher?.dispose() });
    this.register({ dispose: () => this.targetWatcher?.watcher.dispose() });
    this.register({ dispose: () => clearTimeout(this.timer) });
    this.watch();
  }

  /** The policy file, when a folder is open. */
  get uri(): vscode.Uri | undefined {
    return policyUri();
  }

  get view(): PolicyView {
    return this.currentView;
  }

  get protectedServers(): readonly ProtectedServer[] {
    return this.guarded;
  }

  protectedServer(name: string): ProtectedServer | undefined {
    return this.guarded.find((server) => server.name === name);
  }

  /** Resolves once the file as it is now has been read. */
  get ready(): Promise<void> {
    return this.loading;
  }

  /** Reads the file again now (after Warden wrote it, so the tree does not wait for the watcher). */
  reload(): Promise<void> {
    clearTimeout(this.timer);
    this.loading = this.read();
    return this.loading;
  }

  private watch(): void {
    this.watcher?.dispose();
    const uri = this.uri;
    if (uri) {
      this.watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(uri, '..'), uri.path.split('/').pop()!));
      this.listen(this.watcher);
    }
    void this.reload();
  }

  private listen(watcher: vscode.FileSystemWatcher): void {
    const later = () => this.later();
    watcher.onDidChange(later);
    watcher.onDidCreate(later);
    watcher.onDidDelete(later);
  }

  /** Watches the file a link leads to (edits there change no event of the link), or stops when there is none. */
  private followTarget(uri: vscode.Uri | undefined, target: string | undefined): void {
    const followed = target !== undefined && uri !== undefined && target !== uri.fsPath ? target : undefined;
    if (this.targetWatcher?.path === followed) return;
    this.targetWatcher?.watcher.dispose();
    this.targetWatcher = undefined;
    if (followed === undefined) return;
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dirname(followed)), basename(followed)));
    this.listen(watcher);
    this.targetWatcher = { path: followed, watcher };
  }

  private later(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.reload(), RELOAD_DELAY_MS);
  }

  private async read(): Promise<void> {
    const uri = this.uri;
    const read = uri ? await readPolicyText(uri) : undefined;
    if (this.isDisposed) return;
    this.followTarget(uri, read && 'text' in read ? read.target : undefined);
    if (!uri || !read || 'missing' in read) {
      this.currentView = { state: 'none' };
      this.lastGood = undefined;
      this.guarded = [];
    } else if ('problem' in read) {
      // Not a file that can be read (a FIFO, a device, too big): the last good policy still shows.
      this.currentView = this.lastGood ? { state: 'invalid', problem: read.problem, lastGood: this.lastGood } : { state: 'invalid', problem: read.problem };
    } else {
      const parsed = parsePolicy(read.text, uri.fsPath);
      if (parsed.policy) {
        this.lastGood = parsed.policy;
        this.currentView = { state: 'valid', policy: parsed.policy };
      } else {
        const first = parsed.diagnostics.find((d) => d.severity === 'error');
        const problem = first ? `Line ${first.range.start.line + 1}: ${first.message}` : 'The file cannot be used.';
        this.currentView = this.lastGood ? { state: 'invalid', problem, lastGood: this.lastGood } : { state: 'invalid', problem };
      }
      // A file with YAML errors still has the launch entries it had; the definitions keep them.
      if (parsed.document.errors.length === 0) this.guarded = protectedServers(parsed.document, parsed.lineCounter);
    }
    this.feedCatalogue(uri);
    this.changed.fire();
  }

  /** Protected servers are in no mcp.json any more: the catalogue learns of them from the policy. */
  private feedCatalogue(uri: vscode.Uri | undefined): void {
    const servers: ServerInfo[] = this.guarded.map((server) => {
      const info: ServerInfo = { name: server.name, source: { origin: 'seen', range: server.range }, launch: toServerLaunch(server.entry) };
      if (uri) info.source.uri = uri.toString();
      const transport = transportOf(server.entry);
      if (transport) info.transport = transport;
      return info;
    });
    const fed = JSON.stringify(servers);
    if (fed === this.fedServers) return;
    this.fedServers = fed;
    this.catalogue.setServers('seen', servers);
  }
}
