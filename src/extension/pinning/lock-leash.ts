// The lockfile's leash: the policy's leash (src/extension/leash/policy-leash.ts) over the lockfile's text,
// with the lockfile's comparison. Its approved text is kept in the same store as the approved policy (keyed
// by the lockfile's path) and reviewed by the same reviewer, who is told it is the lockfile.
// No `vscode` here: the logic is tested on its own.
import { compareLockTexts } from '../../pinning/lock-compare';
import { parseLockfile } from '../../pinning/lockfile';
import type { ApprovedStore } from '../leash/approved-store';
import { PolicyLeash } from '../leash/policy-leash';
import type { PolicyReviewerSeat } from '../leash/reviewer-seat';

export interface LockLeashDependencies {
  store: ApprovedStore;
  reviewers: PolicyReviewerSeat;
  /** An approved lockfile text of `file` (the proxies get it through LockState's settle, with the policy). */
  approved?(file: string, text: string): void;
  trusted?(): boolean;
}

export function createLockLeash(deps: LockLeashDependencies): PolicyLeash {
  return new PolicyLeash({
    kind: 'lockfile',
    store: deps.store,
    reviewers: deps.reviewers,
    compare: (approved, proposed, file) => compareLockTexts(approved, proposed, file),
    knownTools: () => new Map(),
    valid: (text) => parseLockfile(text).lockfile !== undefined,
    ...(deps.trusted ? { trusted: deps.trusted } : {}),
    enforce: (file, text) => deps.approved?.(file, text),
  });
}
