// The lockfile beside the workspace policy, under the same leash as the policy: every text it takes (by an
// edit, an agent, `mcp-warden pin` in a terminal, git) is compared with the lockfile a person approved, and
// only a change that holds tools back applies at once; one that lets a tool through waits for a person.
// What the proxies get is always the approved lockfile, sent with the policy over the control channel
// (`settle`), and settled after every read: the editor holds a policy back until its lockfile is settled,
// so no proxy runs a moment without its pins.
import * as vscode from 'vscode';
import { lockfilePathFor, MAX_LOCKFILE_BYTES, parseLockfile } from '../../pinning/lockfile';
import type { PolicyLeash } from '../leash/policy-leash';
import { Disposable } from '../lifecycle';
import { readPolicyText } from '../wiring/policy-reader';
import { WatchedFile } from '../wiring/watched-file';
import type { PolicyState } from '../wiring/policy-state';

/** Hands the approved lockfile of a policy file (undefined: none) to the proxies of that policy. */
export type SettleLock = (policyFile: string, lock: string | undefined) => void;

export class LockState extends Disposable {
  private readonly file = this.register(new WatchedFile(() => this.read()));
  private lastProblem: string | undefined;

  constructor(private readonly policy: PolicyState, readonly leash: PolicyLeash, private readonly settle: SettleLock) {
    super();
    // A review applied (or the store changed): the proxies follow.
    this.register(leash.onDidChange(() => this.settleNow()));
    // The policy's path moved (a setting, another folder first): the lockfile beside it moves too.
    this.register(policy.onDidChange(() => {
      if (this.uri?.fsPath !== this.file.uri?.fsPath) this.watch();
    }));
    this.register(vscode.workspace.onDidGrantWorkspaceTrust(() => void this.reload()));
    this.watch();
  }

  /** The lockfile of the workspace policy, when there is a folder. */
  get uri(): vscode.Uri | undefined {
    const policy = this.policy.uri;
    return policy && policy.with({ path: lockfilePathFor(policy.path) });
  }

  /** The approved lockfile's text: what the proxies enforce. */
  approvedText(): string | undefined {
    const uri = this.uri;
    return uri && this.leash.approvedText(uri.fsPath);
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
    if (!uri) return;
    const read = await readPolicyText(uri, MAX_LOCKFILE_BYTES, 'The lockfile');
    if (this.isDisposed || this.uri?.fsPath !== uri.fsPath) return;
    this.file.follow('text' in read ? read.target : undefined);
    const file = uri.fsPath;
    // A file that cannot be read (a FIFO, too big) changes nothing: the approved lockfile stays, and the person is told why.
    const problem = 'problem' in read ? read.problem : undefined;
    if (problem !== undefined && problem !== this.lastProblem) void vscode.window.showWarningMessage(`MCP Warden: ${problem} The approved pins stay in force.`);
    this.lastProblem = problem;
    if ('missing' in read) this.leash.consider(file, undefined, false);
    else if ('text' in read) this.leash.consider(file, read.text, parseLockfile(read.text).lockfile !== undefined);
    this.settleNow();
  }

  private settleNow(): void {
    const policy = this.policy.uri;
    const lock = this.uri;
    if (policy && lock) this.settle(policy.fsPath, this.leash.approvedText(lock.fsPath));
  }
}
