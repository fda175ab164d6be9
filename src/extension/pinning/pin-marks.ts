// The marks of the tools in the Servers tree: each protected server's reported tools against the approved
// lockfile and the approved policy (what the proxies enforce), recomputed when a report, the policy or the
// approved lockfile changes.
import * as vscode from 'vscode';
import { parseLockfile } from '../../pinning/lockfile';
import { toolMarks, type ToolMark } from '../../pinning/tool-marks';
import type { ProxyStatus } from '../../workbench/proxy-status';
import type { PolicyState } from '../wiring/policy-state';
import type { LockState } from './lock-state';

export class PinMarks {
  private cache = new Map<string, { key: unknown[]; marks: Map<string, ToolMark> }>();

  constructor(
    private readonly proxies: ProxyStatus,
    private readonly policy: PolicyState,
    private readonly locks: LockState,
  ) {}

  /** Fires when the approved lockfile changes (reports and the policy have events of their own). */
  readonly onDidChange = (listener: () => void): { dispose(): void } => this.locks.leash.onDidChange(listener);

  /** A change of the lockfile waiting for a person: how many items would let tools through. */
  waiting(): number | undefined {
    const waiting = this.locks.leash.waiting;
    return waiting && waiting.file === this.locks.uri?.fsPath ? waiting.loosened.length : undefined;
  }

  /** The mark of a tool its proxy reported; undefined when none reported it. */
  mark(server: string, tool: string): ToolMark | undefined {
    return this.marks(server)?.get(tool);
  }

  /** The marks of a server's reported tools, by name. */
  marks(server: string): Map<string, ToolMark> | undefined {
    const reports = this.proxies.reported(server);
    if (!reports) return undefined;
    const lockText = this.locks.approvedText();
    const view = this.policy.view;
    const key = [reports, lockText, view];
    const cached = this.cache.get(server);
    if (cached && cached.key.every((part, index) => part === key[index])) return cached.marks;
    const policy = view.state === 'valid' ? view.policy : view.state === 'invalid' ? view.lastGood : undefined;
    const lock = lockText === undefined ? undefined : parseLockfile(lockText).lockfile;
    const lockName = this.locks.uri ? vscode.workspace.asRelativePath(this.locks.uri) : 'the lockfile';
    const marks = toolMarks(server, reports, { lock, lockName, policy });
    this.cache.set(server, { key, marks });
    return marks;
  }
}
