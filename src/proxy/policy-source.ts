// The policy the proxy enforces, kept current. Two sources: the file (the standalone CLI: read at start,
// re-read when it changes) and the editor (a proxy the editor launched: the approved text it sends, see
// approved-policy-source.ts). Either way a valid text replaces the engine (rate-limit windows survive: one
// EngineState for the proxy's life); an invalid one keeps the last good policy and reports why. With no
// good policy yet, every call is refused with the reason (fail closed). The file is followed through
// symbolic links, and only a regular file of at most MAX_POLICY_BYTES is read: anything else is refused
// with the reason, at start and on reload (where the last good policy is kept), and never blocks the proxy.
import { resolve } from 'node:path';
import { EngineState, PolicyEngine } from '../policy/engine';
import { formatLocation, refuseAll } from '../policy/fail-closed';
import type { Decision, Diagnostic } from '../policy/model';
import { parsePolicy } from '../policy/parse';
import { START_OF_FILE } from '../policy/positions';
import { FileFollower } from './file-follower';
import { LockFileSource, type EnforcedLock } from './lock-source';
import { readRegularFileSync } from './regular-file';

/** The largest policy file read (1 MiB): policies are a few KB; a bigger file is refused with the reason. */
export const MAX_POLICY_BYTES = 1024 * 1024;

export type PolicyStatus =
  | { status: 'loaded'; file: string }
  | { status: 'invalid'; file: string; diagnostics: Diagnostic[]; keptLastGood: boolean }
  | { status: 'missing'; file: string; keptLastGood: boolean; /** Why there is none, when not a missing file. */ detail?: string };

/** What decides calls right now: an engine, or (no good policy yet) a refusal for every call. */
export type Enforcer = { engine: PolicyEngine; refusal?: undefined } | { engine?: undefined; refusal: Decision };

/** After a change is seen, wait this long for more writes before reading (editors write in steps). */
const SETTLE_MS = 15;

/** What the relay reads: the enforcer of the moment, the state that outlives reloads, and reload events. */
export interface EnforcedPolicy {
  /** The policy file's absolute path, named in reasons. */
  readonly file: string;
  readonly state: EngineState;
  readonly current: Enforcer;
  onChange(listener: (status: PolicyStatus, enforcer: Enforcer) => void): () => void;
  /** The lockfile beside the policy: the tool definitions pinned (see tool-pins.ts). */
  readonly lock?: EnforcedLock;
}

/** A policy made from texts: each valid one becomes the engine; an invalid one keeps the last good engine. */
export abstract class PolicyHolder implements EnforcedPolicy {
  readonly file: string;
  readonly state = new EngineState();
  protected enforcer: Enforcer;
  private readonly listeners: ((status: PolicyStatus, enforcer: Enforcer) => void)[] = [];

  constructor(file: string, notYet: string) {
    this.file = resolve(file);
    this.enforcer = { refusal: refuseAll(this.file, notYet) };
  }

  get current(): Enforcer {
    return this.enforcer;
  }

  /** Called after every (re)load attempt with what happened; returns the way to stop listening. */
  onChange(listener: (status: PolicyStatus, enforcer: Enforcer) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const index = this.listeners.indexOf(listener);
      if (index !== -1) this.listeners.splice(index, 1);
    };
  }

  /** Parses `text`; a valid policy becomes the engine, anything else keeps the last good one (or refuses all). */
  protected statusOfText(text: string): PolicyStatus {
    const { policy, diagnostics } = parsePolicy(text, this.file);
    if (policy) {
      try {
        this.enforcer = { engine: new PolicyEngine(policy, this.state) };
        return { status: 'loaded', file: this.file };
      } catch (error) {
        // A policy the parser accepts but the engine cannot compile is treated as invalid: fail closed.
        diagnostics.push({ range: START_OF_FILE, severity: 'error', code: 'engine-error', message: `the policy cannot be enforced: ${(error as Error).message}` });
      }
    }
    const keptLastGood = this.enforcer.engine !== undefined;
    if (!keptLastGood) this.enforcer = { refusal: refuseAll(this.file, diagnostics) };
    return { status: 'invalid', file: this.file, diagnostics: diagnostics.filter((d) => d.severity === 'error'), keptLastGood };
  }

  protected report(status: PolicyStatus): PolicyStatus {
    for (const listener of this.listeners) listener(status, this.enforcer);
    return status;
  }
}

/** The policy file on disk, followed: the standalone CLI's source. */
export class PolicySource extends PolicyHolder {
  /** The lockfile beside the policy file, read and followed by the same rules. */
  readonly lock: LockFileSource;
  private lastText: string | undefined;
  private lastStatus: PolicyStatus | undefined;
  private follower: FileFollower | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(file: string) {
    super(file, 'not read yet');
    this.lock = new LockFileSource(this.file);
    this.load();
  }

  /** Re-reads the file now; returns what happened. */
  load(): PolicyStatus {
    const read = readRegularFileSync(this.file, MAX_POLICY_BYTES);
    if (!read.ok) {
      this.lastText = undefined;
      const keptLastGood = this.enforcer.engine !== undefined;
      if (read.missing) {
        if (!keptLastGood) this.enforcer = { refusal: refuseAll(this.file, `policy file ${read.problem}`) };
        return this.report({ status: 'missing', file: this.file, keptLastGood });
      }
      // Not a file that can be read (a FIFO, a device, a directory, too big, no permission): an error in
      // the policy, reported with the reason like any other.
      const diagnostics: Diagnostic[] = [{ range: START_OF_FILE, severity: 'error', code: 'unreadable-policy-file', message: `the policy file ${read.problem}` }];
      if (!keptLastGood) this.enforcer = { refusal: refuseAll(this.file, diagnostics) };
      return this.report({ status: 'invalid', file: this.file, diagnostics, keptLastGood });
    }
    const text = read.text;
    if (text === this.lastText && this.lastStatus) return this.lastStatus; // a touch, or a second event for one save
    this.lastText = text;
    return this.report(this.statusOfText(text));
  }

  protected override report(status: PolicyStatus): PolicyStatus {
    this.lastStatus = status;
    return super.report(status);
  }

  /**
   * Starts following the file: the directories of the path, of each link and of the file the links end
   * at are watched, so edits of a link's target, replace-by-rename saves and retargeted links are seen.
   */
  watch(): void {
    this.follower = new FileFollower(this.file, () => this.changed());
    this.follower.follow();
    this.lock.watch();
  }

  private changed(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.follower?.follow(); // the links may lead somewhere else now
      this.load();
    }, SETTLE_MS);
    this.timer.unref();
  }

  close(): void {
    this.follower?.close();
    this.lock.close();
    if (this.timer) clearTimeout(this.timer);
  }
}

/** A status as one or more lines for stderr. */
export function describeStatus(status: PolicyStatus): string {
  switch (status.status) {
    case 'loaded':
      return `policy loaded: ${status.file}`;
    case 'missing':
      if (status.detail !== undefined) return `${status.detail}; ${status.keptLastGood ? 'keeping the last approved policy' : 'every tool call is refused until one arrives'}`;
      return status.keptLastGood
        ? `policy file is missing: ${status.file}; keeping the last good policy`
        : `policy file not found: ${status.file}; every tool call is refused until it exists`;
    case 'invalid': {
      const head = status.keptLastGood
        ? `policy has errors; keeping the last good policy`
        : `policy has errors; every tool call is refused until they are fixed`;
      const lines = status.diagnostics.map((d) => `  ${formatLocation(status.file, d)}: ${d.message}`);
      return [head, ...lines].join('\n');
    }
  }
}
