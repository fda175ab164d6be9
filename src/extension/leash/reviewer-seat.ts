// Which reviewer answers policy changes: Warden's modal, unless a test (or another extension, through the
// API) has taken the seat for a while. Whatever goes wrong while asking keeps the approved policy.
import type { PolicyChange, PolicyReviewer, ReviewAnswer } from './policy-review';

export class PolicyReviewerSeat {
  /** The reviewers that took the seat, latest last: the latest answers; disposing one gives it back. */
  private readonly stands: PolicyReviewer[] = [];

  constructor(private readonly standard: PolicyReviewer) {}

  /** Lets `reviewer` answer until the returned disposable is disposed. */
  use(reviewer: PolicyReviewer): { dispose(): void } {
    const stand = { review: (change: PolicyChange, signal: AbortSignal) => reviewer.review(change, signal) };
    this.stands.push(stand);
    return {
      dispose: () => {
        const index = this.stands.indexOf(stand);
        if (index >= 0) this.stands.splice(index, 1);
      },
    };
  }

  /** Resolves `'apply'` only when the reviewer says so before `signal` aborts; otherwise `'keep'`. */
  async review(change: PolicyChange, signal: AbortSignal): Promise<ReviewAnswer> {
    if (signal.aborted) return 'keep';
    const reviewer = this.stands.at(-1) ?? this.standard;
    const aborted = new Promise<'keep'>((resolve) => signal.addEventListener('abort', () => resolve('keep'), { once: true }));
    try {
      const answer = await Promise.race([reviewer.review(change, signal), aborted]);
      return answer === 'apply' && !signal.aborted ? 'apply' : 'keep';
    } catch {
      return 'keep';
    }
  }
}
