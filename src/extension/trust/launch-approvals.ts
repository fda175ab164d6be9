// A protected server's `launch` entry runs only after a person approved that exact entry on this machine:
// its fingerprint (SHA-256 of the canonical entry) is kept in the extension's global storage per policy file
// and server, outside the workspace. A new or changed entry is asked about (Warden's modal, or the reviewer
// `launches.use` installed) when VS Code starts the server; denied or unanswered, it does not start.
import * as vscode from 'vscode';
import type { LaunchEntry } from '../../workbench/launch-entry';
import { launchFingerprint, summarizeLaunch, type LaunchSummary } from '../../workbench/launch-fingerprint';
import { Disposable } from '../lifecycle';

const KEY = 'mcpWarden.approvedLaunches';
export const LAUNCH_NOT_APPROVED = 'launch not approved';
export const WORKSPACE_NOT_TRUSTED = 'workspace not trusted';

export interface LaunchRequest {
  /** The policy file (absolute path). */
  file: string;
  server: string;
  entry: LaunchEntry;
  fingerprint: string;
  /** What the entry runs, for the prompt. */
  summary: LaunchSummary;
  /** True when another entry of this server was approved before (the entry changed). */
  changed: boolean;
}

export type LaunchVerdict = 'allow' | 'deny';

export interface LaunchReviewer {
  /** Resolves 'allow' to approve this exact entry; anything else (or nothing before `signal` aborts) denies. */
  review(request: LaunchRequest, signal: AbortSignal): Promise<LaunchVerdict | undefined>;
}

type Approved = Record<string, Record<string, string>>;

export class LaunchApprovals extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  /** Fires when an entry is approved or a start was refused (the tree and the definitions follow). */
  readonly onDidChange = this.changed.event;
  /** Reviewers that took the seat, latest last: the latest answers; disposing one gives the seat back. */
  private readonly stands: LaunchReviewer[] = [];
  /** Reviews under way, by file, server and fingerprint: one prompt however often VS Code asks. */
  private readonly asking = new Map<string, Promise<boolean>>();

  constructor(private readonly memento: vscode.Memento, private readonly standard: LaunchReviewer = new ModalLaunchReviewer()) {
    super();
  }

  /** Lets `reviewer` answer until the returned disposable is disposed. */
  use(reviewer: LaunchReviewer): vscode.Disposable {
    const stand = { review: (request: LaunchRequest, signal: AbortSignal) => reviewer.review(request, signal) };
    this.stands.push(stand);
    return new vscode.Disposable(() => {
      const index = this.stands.indexOf(stand);
      if (index >= 0) this.stands.splice(index, 1);
    });
  }

  isApproved(file: string, server: string, entry: LaunchEntry): boolean {
    return this.approvedFingerprint(file, server) === launchFingerprint(entry);
  }

  /** Records `entry` as approved by a person (a click in Warden's UI, an applied policy review). */
  async approve(file: string, server: string, entry: LaunchEntry): Promise<void> {
    const all = this.all();
    await this.memento.update(KEY, { ...all, [file]: { ...(all[file] ?? {}), [server]: launchFingerprint(entry) } });
    this.changed.fire();
  }

  /** True when the entry is approved, now or by the person this asks. */
  ensure(file: string, server: string, entry: LaunchEntry, signal: AbortSignal): Promise<boolean> {
    if (this.isApproved(file, server, entry)) return Promise.resolve(true);
    const fingerprint = launchFingerprint(entry);
    const key = JSON.stringify([file, server, fingerprint]);
    let pending = this.asking.get(key);
    if (!pending) {
      pending = this.ask({ file, server, entry, fingerprint, summary: summarizeLaunch(entry), changed: this.approvedFingerprint(file, server) !== undefined }, signal)
        .finally(() => this.asking.delete(key));
      this.asking.set(key, pending);
    }
    return pending;
  }

  private async ask(request: LaunchRequest, signal: AbortSignal): Promise<boolean> {
    const reviewer = this.stands.at(-1) ?? this.standard;
    const aborted = new Promise<undefined>((resolve) => signal.addEventListener('abort', () => resolve(undefined), { once: true }));
    let verdict: LaunchVerdict | undefined;
    try {
      verdict = signal.aborted ? undefined : await Promise.race([reviewer.review(request, signal), aborted]);
    } catch {
      verdict = undefined;
    }
    // The entry must still be the one asked about: a verdict approves only what the person saw.
    if (verdict === 'allow' && !signal.aborted) {
      await this.approve(request.file, request.server, request.entry);
      return true;
    }
    this.changed.fire();
    return false;
  }

  private approvedFingerprint(file: string, server: string): string | undefined {
    const all = this.all();
    const servers = Object.hasOwn(all, file) ? all[file] : undefined;
    const value = servers && Object.hasOwn(servers, server) ? servers[server] : undefined;
    return typeof value === 'string' ? value : undefined;
  }

  private all(): Approved {
    const value = this.memento.get<unknown>(KEY);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Approved) : {};
  }
}

const ALLOW = 'Allow';
const DONT_START = "Don't start";

/** Warden's own modal: the full command line and the names of what it sets; Enter does not allow. */
export class ModalLaunchReviewer implements LaunchReviewer {
  async review(request: LaunchRequest, signal: AbortSignal): Promise<LaunchVerdict | undefined> {
    const { summary } = request;
    const lines = [`Command: ${summary.commandLine}`];
    if (summary.cwd !== undefined) lines.push(`Working folder: ${summary.cwd}`);
    if (summary.envNames.length > 0) lines.push(`Environment: ${summary.envNames.join(', ')}`);
    if (summary.envFile !== undefined) lines.push(`Environment file: ${summary.envFile}`);
    if (summary.headerNames.length > 0) lines.push(`Headers: ${summary.headerNames.join(', ')}`);
    if (summary.otherKeys.length > 0) lines.push(`Other keys: ${summary.otherKeys.join(', ')}`);
    lines.push(`From the launch entry in ${vscode.workspace.asRelativePath(request.file)}.`);
    const message = request.changed
      ? `MCP Warden: the launch entry of "${request.server}" changed since you approved it. Start it with this command?`
      : `MCP Warden: start the MCP server "${request.server}" with this command? Its launch entry has not been approved on this machine.`;
    if (signal.aborted) return undefined;
    const answer = await vscode.window.showWarningMessage(message, { modal: true, detail: lines.join('\n') }, ALLOW, DONT_START);
    return answer === ALLOW && !signal.aborted ? 'allow' : 'deny';
  }
}
