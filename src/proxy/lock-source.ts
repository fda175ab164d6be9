// The lockfile the proxy enforces, kept current, beside the policy it belongs to. Two sources, like the
// policy's: the file (the standalone CLI: read at start, followed through links like the policy file, only a
// regular file of bounded size) and the editor (a proxy the editor launched: the approved lockfile text sent
// with the approved policy; the file is never read). No lockfile: nothing is pinned. A valid text replaces
// the pins; an invalid or unreadable one keeps the last good pins, and with none yet every server that is
// not `pin: off` is refused with the reason (fail closed: never enforce nothing in its place).
import { basename, dirname, resolve } from 'node:path';
import { formatLockfile, lockfilePathFor, MAX_LOCKFILE_BYTES, parseLockfile, type Lockfile } from '../pinning/lockfile';
import { FileFollower } from './file-follower';
import { readRegularFileSync } from './regular-file';

export type LockState =
  | { status: 'none' }
  | { status: 'loaded'; lock: Lockfile }
  /** No good lockfile yet and the one given is unusable: pinned calls are refused with `problem`. */
  | { status: 'refused'; problem: string };

/** What happened at a (re)load, for stderr and the editor. */
export interface LockReport {
  level: 'info' | 'warn' | 'error';
  message: string;
}

/** What the relay reads: the pins of the moment and their changes. */
export interface EnforcedLock {
  /** The lockfile's absolute path. */
  readonly file: string;
  /** The path as reasons name it: `.vscode/mcp-policy.lock`, `team.mcp-policy.lock`. */
  readonly name: string;
  readonly current: LockState;
  /** The report of the last (re)load, if any. */
  readonly lastReport: LockReport | undefined;
  onChange(listener: (report: LockReport) => void): () => void;
}

/** Lockfile texts in, pins out: each valid text replaces the pins; an invalid one keeps the last good pins. */
export class LockHolder implements EnforcedLock {
  readonly file: string;
  readonly name: string;
  private state: LockState = { status: 'none' };
  lastReport: LockReport | undefined;
  private lastText: string | undefined | null = null;
  private readonly listeners: ((report: LockReport) => void)[] = [];

  constructor(policyFile: string) {
    this.file = lockfilePathFor(resolve(policyFile));
    this.name = displayName(this.file);
  }

  get current(): LockState {
    return this.state;
  }

  onChange(listener: (report: LockReport) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const index = this.listeners.indexOf(listener);
      if (index !== -1) this.listeners.splice(index, 1);
    };
  }

  /** The lockfile's text, or undefined for none. Reported only when it differs from the last one applied. */
  apply(text: string | undefined, from: string): LockReport | undefined {
    if (text === this.lastText) return undefined;
    this.lastText = text;
    if (text === undefined) {
      this.state = { status: 'none' };
      return this.report({ level: 'info', message: `no lockfile ${from}: no server is pinned` });
    }
    const read = parseLockfile(text);
    if (read.lockfile) {
      this.state = { status: 'loaded', lock: read.lockfile };
      const count = read.lockfile.servers.size;
      return this.report({ level: 'info', message: `lockfile loaded (${count} ${count === 1 ? 'server' : 'servers'} pinned): ${this.file}` });
    }
    return this.unusable(`the lockfile ${this.file} is invalid: ${read.errors.join('; ')}`);
  }

  /** The lockfile cannot be used (unreadable, invalid): the last good pins stay, else pinned calls are refused. */
  unusable(problem: string): LockReport {
    this.lastText = null;
    if (this.state.status === 'loaded') return this.report({ level: 'warn', message: `${problem}; keeping the last good pins` });
    this.state = { status: 'refused', problem };
    return this.report({ level: 'error', message: `${problem}; every call to a server that is not "pin: off" is refused until it is fixed` });
  }

  /** The pins as a lockfile text (for tests and reports). */
  text(): string | undefined {
    return this.state.status === 'loaded' ? formatLockfile(this.state.lock) : undefined;
  }

  private report(report: LockReport): LockReport {
    this.lastReport = report;
    for (const listener of this.listeners) listener(report);
    return report;
  }
}

/** After a change is seen, wait this long for more writes before reading (as for the policy file). */
const SETTLE_MS = 15;

/** The lockfile on disk beside the policy file, followed: the standalone CLI's source. */
export class LockFileSource extends LockHolder {
  private follower: FileFollower | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(policyFile: string) {
    super(policyFile);
    this.load();
  }

  /** Re-reads the file. Missing: no pins at first, the last good pins once there were some. */
  load(): LockReport | undefined {
    const read = readRegularFileSync(this.file, MAX_LOCKFILE_BYTES);
    if (read.ok) return this.apply(read.text, `at ${this.file}`);
    if (!read.missing) return this.unusable(`the lockfile ${read.problem}`);
    if (this.current.status === 'loaded') return this.unusable(`the lockfile ${this.file} is missing`);
    return this.apply(undefined, `at ${this.file}`);
  }

  watch(): void {
    this.follower = new FileFollower(this.file, () => this.changed());
    this.follower.follow();
  }

  private changed(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.follower?.follow();
      this.load();
    }, SETTLE_MS);
    this.timer.unref();
  }

  close(): void {
    this.follower?.close();
    if (this.timer) clearTimeout(this.timer);
  }
}

/** The lockfile as reasons name it: from its workspace folder (`.vscode/mcp-policy.lock`), else its file name. */
function displayName(file: string): string {
  const dir = dirname(file);
  return basename(dir) === '.vscode' ? `.vscode/${basename(file)}` : basename(file);
}
