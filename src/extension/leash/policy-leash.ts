// What the proxies enforce: the last policy a person approved. Every text the policy file takes is compared
// with it. No loosening: it becomes the approved policy at once. Any loosening (a deleted file included):
// it waits for the reviewer, and the approved policy stays until the reviewer applies it. A file that is
// not a valid policy changes nothing. The first text seen for a file with no record, in a trusted
// workspace, is trusted as approved.
// No `vscode` here: the logic is tested on its own.
import { parsePolicy } from '../../policy/parse';
import { Disposable } from '../lifecycle';
import type { ApprovedStore } from './approved-store';
import type { PolicyLoosening, ReviewAnswer } from './policy-review';
import type { PolicyReviewerSeat } from './reviewer-seat';

export type KnownTools = ReadonlyMap<string, readonly string[]>;

/** The policy comparison (src/policy/policy-compare.ts). */
export type ComparePolicyTexts = (approved: string | undefined, proposed: string | undefined, file: string, knownTools: KnownTools) =>
  | { ok: true; loosened: PolicyLoosening[] }
  | { ok: false; reason: string };

/** A change of the file that loosens the approved policy: the proxies do not have it. */
export interface WaitingChange {
  file: string;
  /** The file's text; undefined when the file is gone. */
  text: string | undefined;
  loosened: readonly PolicyLoosening[];
  /** True while the reviewer is being asked. */
  inReview: boolean;
}

/** A change a person applied through the review. */
export interface AppliedChange {
  file: string;
  text: string | undefined;
  loosened: readonly PolicyLoosening[];
}

export interface LeashDependencies {
  store: ApprovedStore;
  reviewers: PolicyReviewerSeat;
  compare: ComparePolicyTexts;
  knownTools(): KnownTools;
  /** Hands an approved text to the proxies of `file`. */
  enforce(file: string, text: string): void;
  /** False while the workspace is not trusted: a file seen then is not trusted on first use (yet). */
  trusted?(): boolean;
  /** What the leash holds: the policy (the default) or its lockfile; the reviewer is told which. */
  kind?: 'policy' | 'lockfile';
  /** Whether a text is usable as the file (a policy, by default): only such a text is approved by a click. */
  valid?(text: string, file: string): boolean;
}

const FILE_REMOVED: PolicyLoosening = { server: '*', what: 'the policy file was removed', before: 'the approved policy', after: 'no policy' };
const LOCK_REMOVED: PolicyLoosening = { server: '*', what: 'the lockfile was removed', before: 'the approved lockfile', after: 'no lockfile' };

type Listener<T> = (value: T) => void;

/** A minimal event: `on(listener)` returns what stops it. */
class Emitter<T> {
  private readonly listeners = new Set<Listener<T>>();

  readonly event = (listener: Listener<T>): { dispose(): void } => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) listener(value);
  }

  dispose(): void {
    this.listeners.clear();
  }
}

export class PolicyLeash extends Disposable {
  private readonly changed = this.register(new Emitter<void>());
  /** The approved policy or the waiting change changed. */
  readonly onDidChange = this.changed.event;
  private readonly appliedEmitter = this.register(new Emitter<AppliedChange>());
  /** A person applied a loosening change through the review. */
  readonly onDidApply = this.appliedEmitter.event;
  private waitingChange: WaitingChange | undefined;
  private review: { controller: AbortController; answer: Promise<ReviewAnswer> } | undefined;
  /** Texts Warden wrote on a person's click, per file: when the file holds `written`, `approve` is approved. */
  private readonly ownEdits = new Map<string, { written: string; approve: string }>();
  /** Whether this window has a policy it enforces: trust on first use is for the first one only. */
  private enforcing = false;

  constructor(private readonly deps: LeashDependencies) {
    super();
    this.register({ dispose: () => this.review?.controller.abort('Warden stopped') });
  }

  approvedText(file: string): string | undefined {
    return this.deps.store.get(file);
  }

  /** The change waiting for a person, if any. */
  get waiting(): WaitingChange | undefined {
    return this.waitingChange;
  }

  /**
   * The file now holds `proposed` (undefined: there is no file; `valid`: it parses as a policy). Updates the
   * approved policy or the waiting change, and starts the review of a new loosening.
   */
  consider(file: string, proposed: string | undefined, valid: boolean): void {
    const own = this.ownEdits.get(file);
    if (own && own.written === proposed) {
      this.ownEdits.delete(file);
      // A click approves nothing in a workspace not trusted yet: trusting it is the person's act that comes first.
      if (this.deps.trusted?.() ?? true) this.approve(file, own.approve);
    }
    const record = this.deps.store.record(file);
    if (record === undefined) {
      if (proposed === undefined || !valid || !(this.deps.trusted?.() ?? true)) {
        this.setWaiting(undefined);
        return;
      }
      // Trust on first use: the person opened and trusted the workspace with this policy in it. Only for the
      // window's first policy: one that appears once another is enforced (another folder put first, another
      // path) is reviewed below, as a loosening of nothing approved.
      if (!this.enforcing) {
        this.approve(file, proposed);
        return;
      }
    }
    if (record === proposed || (record === null && proposed === undefined)) {
      if (typeof record === 'string') {
        this.enforcing = true;
        this.deps.enforce(file, record);
      }
      this.setWaiting(undefined);
      return;
    }
    if (proposed !== undefined && !valid) {
      // Not a policy: the approved one stays, and an earlier waiting text is no longer in the file.
      this.setWaiting(undefined);
      return;
    }
    const compared = this.deps.compare(record ?? undefined, proposed, file, this.deps.knownTools());
    if (!compared.ok) {
      this.setWaiting(undefined);
      return;
    }
    // A removed file removes every rule: it is reviewed even if the comparison found nothing to list.
    const loosened = proposed === undefined && compared.loosened.length === 0 ? [this.deps.kind === 'lockfile' ? LOCK_REMOVED : FILE_REMOVED] : compared.loosened;
    if (loosened.length === 0) {
      this.approve(file, proposed);
      this.setWaiting(undefined);
      return;
    }
    if (this.waitingChange?.file === file && this.waitingChange.text === proposed) return;
    const change: WaitingChange = { file, text: proposed, loosened, inReview: false };
    this.setWaiting(change);
    void this.startReview(change);
  }

  /** Asks the reviewer again about the waiting change (the review command); `'keep'` when there is none. */
  reviewAgain(): Promise<ReviewAnswer> {
    const change = this.waitingChange;
    return change ? this.startReview(change) : Promise.resolve('keep');
  }

  /**
   * Warden wrote `written` to `file` on a person's click, by applying `edit` to `base` (the text it read;
   * undefined when it created the file). What the click changes is approved; a loosening already waiting
   * in `base` is not: the edit is applied to the approved text instead, and the rest still waits.
   */
  ownEdit(file: string, base: string | undefined, written: string, edit: (text: string) => string): void {
    const record = this.deps.store.record(file);
    let approve: string | undefined;
    if (record === undefined || record === base || (record === null && base === undefined) || this.onlyTightens(record ?? undefined, base, file)) {
      approve = written;
    } else if (record !== null) {
      try {
        approve = edit(record);
      } catch {
        approve = undefined; // The edit does not apply to the approved text: the whole change is reviewed.
      }
    }
    const valid = this.deps.valid ?? ((text: string) => parsePolicy(text, file).policy !== undefined);
    if (approve !== undefined && valid(approve, file)) this.ownEdits.set(file, { written, approve });
    else this.ownEdits.delete(file);
  }

  private onlyTightens(approved: string | undefined, text: string | undefined, file: string): boolean {
    if (text === undefined) return false;
    const compared = this.deps.compare(approved, text, file, this.deps.knownTools());
    return compared.ok && compared.loosened.length === 0;
  }

  private approve(file: string, text: string | undefined): void {
    if (text !== undefined) this.enforcing = true;
    if (this.deps.store.record(file) === (text ?? null)) {
      if (text !== undefined) this.deps.enforce(file, text);
      return;
    }
    void this.deps.store.set(file, text ?? null);
    if (text !== undefined) this.deps.enforce(file, text);
    this.changed.fire();
  }

  private setWaiting(change: WaitingChange | undefined): void {
    if (change === undefined && this.waitingChange === undefined) return;
    if (change === undefined) this.review?.controller.abort('the policy file changed again');
    this.waitingChange = change;
    this.changed.fire();
  }

  private startReview(change: WaitingChange): Promise<ReviewAnswer> {
    this.review?.controller.abort('the policy file changed again');
    const controller = new AbortController();
    // The text under review goes with it: Show diff shows what Apply approves, even if the file changes meanwhile.
    const kind = this.deps.kind === 'lockfile' ? { kind: this.deps.kind } : {};
    const answer = this.deps.reviewers.review({ file: change.file, loosened: change.loosened, proposedText: change.text ?? '', ...kind }, controller.signal);
    const review = { controller, answer };
    this.review = review;
    change.inReview = true;
    this.changed.fire();
    return answer.then((result) => {
      if (this.review === review) this.review = undefined;
      if (this.waitingChange !== change || controller.signal.aborted) return 'keep';
      change.inReview = false;
      if (result === 'apply') {
        this.waitingChange = undefined;
        this.approve(change.file, change.text);
        this.appliedEmitter.fire({ file: change.file, text: change.text, loosened: change.loosened });
      }
      this.changed.fire();
      return result;
    });
  }
}
