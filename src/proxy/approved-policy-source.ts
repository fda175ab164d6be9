// The policy of a proxy the editor launched: only the text the editor sends over the control channel (the
// last one a person approved), never the file on disk, which anyone who can write the workspace can change.
// Until a text arrives, and for good when the channel could not admit the proxy, every call is refused with
// the reason. Each text is applied as a reload is (same parser and engine; rate-limit windows carry over);
// an invalid one keeps the last good policy. The file's path is still the policy's name in reasons.
import type { Decision } from '../policy/model';
import { LockHolder } from './lock-source';
import { PolicyHolder, type PolicyStatus } from './policy-source';

const NOT_YET = 'the editor that launched this proxy has not sent the approved policy yet (a proxy the editor launches never reads the policy file)';

export class ApprovedPolicySource extends PolicyHolder {
  /** The approved lockfile the editor sends with the policy (never the file). */
  readonly lock: LockHolder;
  private lastText: string | undefined;

  constructor(file: string) {
    super(file, NOT_YET);
    this.lock = new LockHolder(this.file);
    this.enforcer = { refusal: this.refusal(NOT_YET) };
  }

  /** The status to report before anything arrived. */
  waiting(): PolicyStatus {
    return { status: 'missing', file: this.file, keptLastGood: false, detail: NOT_YET };
  }

  /**
   * An approved text from the editor, with the approved lockfile (undefined: none, nothing pinned): enforced
   * from the next call on (undefined when the policy is the one enforced). The lockfile goes first, so the
   * policy's listeners see the pins it came with.
   */
  receive(text: string, lock?: string): PolicyStatus | undefined {
    this.lock.apply(lock, 'approved in the editor');
    if (text === this.lastText) return undefined;
    this.lastText = text;
    return this.report(this.statusOfText(text));
  }

  /** The editor welcomed this proxy without a policy for its file: what is enforced stays (nothing, at first). */
  noneSent(): PolicyStatus {
    const detail = `the editor has no approved policy for ${this.file}`;
    if (this.enforcer.engine) return this.report({ status: 'missing', file: this.file, keptLastGood: true, detail });
    this.enforcer = { refusal: this.refusal(detail) };
    return this.report({ status: 'missing', file: this.file, keptLastGood: false, detail });
  }

  /** The channel could not admit this proxy (or is not configured): no approved policy will ever arrive. */
  unreachable(why: string): PolicyStatus {
    const detail = `the control channel to the editor that launched this proxy cannot be used (${why}), so no approved policy can arrive`;
    if (!this.enforcer.engine) this.enforcer = { refusal: this.refusal(detail) };
    return this.report({ status: 'missing', file: this.file, keptLastGood: this.enforcer.engine !== undefined, detail });
  }

  /** The editor refused this proxy after admitting it: no approved change can reach it, so nothing is enforced as approved. */
  lost(why: string): PolicyStatus {
    const detail = `the editor that launched this proxy no longer accepts it (${why}), so approved changes cannot arrive`;
    this.enforcer = { refusal: this.refusal(detail) };
    return this.report({ status: 'missing', file: this.file, keptLastGood: false, detail });
  }

  private refusal(detail: string): Decision {
    return { decision: 'deny', reason: `No approved policy: ${detail}. Every tool call is refused`, rule: null, line: null, rateLimit: null, hidden: false };
  }
}
