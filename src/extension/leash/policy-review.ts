// What a person is asked when a policy change loosens what the proxies enforce, and who answers.
// The same reviewer answers a changed policy file and a command run with plain arguments.

import type { Loosening } from '../../policy/policy-compare';

/** One way a proposed policy relaxes the approved one: `{ server, tool?, what, before, after }`. */
export type PolicyLoosening = Loosening;

export interface PolicyChange {
  /** The policy file (absolute path). */
  file: string;
  /** What loosens, rule by rule and tool by tool. */
  loosened: readonly PolicyLoosening[];
  /** The text that would become approved (empty for a deleted file): what Show diff compares with the approved one. */
  proposedText?: string;
  /** What the file is: the policy (when absent) or the lockfile beside it, whose pins let changed tools through. */
  kind?: 'policy' | 'lockfile';
}

export type ReviewAnswer = 'apply' | 'keep';

export interface PolicyReviewer {
  /**
   * Asks a person. Resolves `'apply'` to make the change the approved policy, `'keep'` to keep the approved
   * one. `signal` aborts when the answer is no longer wanted (the file changed again); the reviewer should
   * then close its prompt. Anything but `'apply'` (a rejection, no answer) keeps the approved policy.
   */
  review(change: PolicyChange, signal: AbortSignal): Promise<ReviewAnswer>;
}
