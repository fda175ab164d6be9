// The workspace policy: the file as saved on disk, read on every change (by the proxy's rules,
// `readPolicyText`, a link's target watched as well as the link), and the policy a person approved, which
// is what the proxies enforce and what the views show (the leash decides when a change becomes approved).
// Its protected servers (those with a `launch` entry in the approved policy) are made known to the
// catalogue, so hovers, go to definition and Discover Tools find them.
import * as vscode from 'vscode';
import type { MemoryCatalogue, ServerInfo } from '../../language/catalogue';
import { parsePolicy, type ParseResult } from '../../policy/parse';
import { protectedServers, toServerLaunch, transportOf, type ProtectedServer } from '../../workbench/launch-entry';
import type { PolicyView } from '../../workbench/tree-model';
import type { PolicyLeash, WaitingChange } from '../leash/policy-leash';
import { Disposable } from '../lifecycle';
import { policyUri } from '../policy-location';
import { readPolicyText } from './policy-reader';
import { WatchedFile } from './watched-file';

export class PolicyState extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;
  private currentView: PolicyView = { state: 'none' };
  /** What the last read found in the file: nothing to read, or why it cannot be used (undefined: it can). */
  private reading: { file: string; problem?: string; parsed?: ParseResult } | undefined;
  private approvedParse: { file: string; text: string; parsed: ParseResult } | undefined;
  private considering = false;
  private guarded: ProtectedServer[] = [];
  private readonly file = this.register(new WatchedFile(() => this.read()));
  private fedServers = '';

  constructor(private readonly catalogue: MemoryCatalogue, readonly leash: PolicyLeash) {
    super();
    this.register(leash.onDidChange(() => {
      if (!this.considering) this.rebuild();
    }));
    this.register(vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('mcpWarden.policyPath')) this.watch();
    }));
    this.register(vscode.workspace.onDidChangeWorkspaceFolders(() => this.watch()));
    // Trusting the workspace is what trust on first use waits for.
    this.register(vscode.workspace.onDidGrantWorkspaceTrust(() => void this.reload()));
    this.watch();
  }

  /** The policy file, when a folder is open. */
  get uri(): vscode.Uri | undefined {
    return policyUri();
  }

  /** The approved policy (what the proxies enforce), and whether the file as saved can be used. */
  get view(): PolicyView {
    return this.currentView;
  }

  /** A change of the file that loosens the policy and waits for a person. */
  get waitingChange(): WaitingChange | undefined {
    const waiting = this.leash.waiting;
    return waiting && waiting.file === this.uri?.fsPath ? waiting : undefined;
  }

  get protectedServers(): readonly ProtectedServer[] {
    return this.guarded;
  }

  protectedServer(name: string): ProtectedServer | undefined {
    return this.guarded.find((server) => server.name === name);
  }

  /** Resolves once the file as it is now has been read. */
  get ready(): Promise<void> {
    return this.file.ready;
  }

  /** Reads the file again now (after Warden wrote it, so the tree does not wait for the watcher). */
  reload(): Promise<void> {
    return this.file.reload();
  }

  private watch(): void {
    this.file.watch(this.uri);
  }

  private async read(): Promise<void> {
    const uri = this.uri;
    const read = uri ? await readPolicyText(uri) : undefined;
    if (this.isDisposed) return;
    this.file.follow(read && 'text' in read ? read.target : undefined);
    this.reading = undefined;
    if (uri && read) {
      const file = uri.fsPath;
      this.considering = true;
      try {
        if ('problem' in read) {
          // Not a file that can be read (a FIFO, a device, too big): nothing to compare; the approved policy stays.
          this.reading = { file, problem: read.problem };
        } else if ('missing' in read) {
          this.reading = { file };
          this.leash.consider(file, undefined, false);
        } else {
          const parsed = parsePolicy(read.text, file);
          const first = parsed.diagnostics.find((d) => d.severity === 'error');
          this.reading = parsed.policy ? { file, parsed } : { file, problem: first ? `Line ${first.range.start.line + 1}: ${first.message}` : 'The file cannot be used.' };
          this.leash.consider(file, read.text, parsed.policy !== undefined);
        }
      } finally {
        this.considering = false;
      }
    }
    this.rebuild();
  }

  /** The view and the protected servers from the approved policy and the last reading of the file. */
  private rebuild(): void {
    const uri = this.uri;
    const reading = uri && this.reading?.file === uri.fsPath ? this.reading : undefined;
    // Until the workspace is trusted nothing is approved on first sight; nothing runs then either, so the
    // views show the file as it is.
    const approved = reading ? (this.approvedParsed(reading.file) ?? (vscode.workspace.isTrusted ? undefined : reading.parsed)) : undefined;
    const policy = approved?.policy;
    if (!reading) this.currentView = { state: 'none' };
    else if (reading.problem !== undefined) this.currentView = policy ? { state: 'invalid', problem: reading.problem, lastGood: policy } : { state: 'invalid', problem: reading.problem };
    else this.currentView = policy ? { state: 'valid', policy } : { state: 'none' };
    this.guarded = approved && approved.document.errors.length === 0 ? protectedServers(approved.document, approved.lineCounter) : [];
    this.feedCatalogue(uri);
    this.changed.fire();
  }

  private approvedParsed(file: string): ParseResult | undefined {
    const text = this.leash.approvedText(file);
    if (text === undefined) return undefined;
    if (this.approvedParse?.text !== text || this.approvedParse.file !== file) this.approvedParse = { file, text, parsed: parsePolicy(text, file) };
    return this.approvedParse.parsed;
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
