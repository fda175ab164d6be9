// The review that commands run before they loosen the policy on behalf of someone who may not be a person
// (another extension, a keybinding, an agent running commands): the same reviewer as a changed policy file.
import type { PolicyChange, PolicyLoosening, ReviewAnswer } from './policy-review';
import type { PolicyReviewerSeat } from './reviewer-seat';

let seat: PolicyReviewerSeat | undefined;

/** Set at activation; until then (and after deactivation) every review keeps the approved policy. */
export function setReviewSeat(current: PolicyReviewerSeat | undefined): void {
  seat = current;
}

/**
 * Asks the policy-changes reviewer (the one `policyChanges.use` installed, or Warden's modal) whether
 * `loosened` may be applied to the policy `file`. `'keep'` when nobody answers before `signal` aborts.
 * `proposedText`, when given, is what Show diff compares with the approved policy; `kind` says whether the
 * file is the policy or its lockfile.
 */
export function reviewLoosening(file: string, loosened: readonly PolicyLoosening[], signal: AbortSignal = new AbortController().signal, proposedText?: string, kind?: PolicyChange['kind']): Promise<ReviewAnswer> {
  if (!seat) return Promise.resolve('keep');
  return seat.review({ file, loosened, ...(proposedText === undefined ? {} : { proposedText }), ...(kind === undefined ? {} : { kind }) }, signal);
}
