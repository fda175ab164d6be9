// What loosens for the tools no exact rule names, on one server. Such a tool is decided by the first glob
// that matches it in the order of precedence (more literal characters, then the first written), or by
// the defaults when none does. So for every pair (the glob or default deciding it under the approved
// policy, the one under the proposed policy) whose treatments differ by a loosening, the question is
// whether some name is decided by exactly that pair: it matches both globs and no glob that comes
// before either. A pair of one glob kept in both policies, where the other comes first, cannot be.
import { findName } from './glob-search';
import type { Policy, ToolRule } from './model';
import { defaultTreatment, loosenedTreatment, NOTHING_APPROVED, ruleTreatment, type Change } from './tool-treatment';

export interface GlobLoosening extends Change {
  /** The glob that decides these tools under the proposed policy, or did; absent when defaults decide them on both sides. */
  tool?: string;
}

/** Past this many pairs the caller compares the server as a whole. */
const MAX_PAIRS = 4_000_000;
/** Steps (glob positions visited) one search and all of a server's searches may take; past them a pair counts as loosening. */
export interface SearchBudget {
  perPair: number;
  perServer: number;
}

const BUDGET: SearchBudget = { perPair: 100_000, perServer: 2_000_000 };

/**
 * `before.policy` undefined: nothing approved. `avoid`: exact rule keys of either policy (their rule decides them).
 * Undefined when there are too many globs to pair.
 */
export function globLoosenings(
  server: string,
  before: { policy?: Policy },
  after: { policy?: Policy },
  avoid: ReadonlySet<string>,
  limits: SearchBudget = BUDGET,
): GlobLoosening[] | undefined {
  const was = byPrecedence(before.policy, server);
  const is = byPrecedence(after.policy, server);
  if ((was.length + 1) * (is.length + 1) > MAX_PAIRS) return undefined;
  const wasRank = new Map(was.map((rule, i) => [rule.pattern, i]));
  const isRank = new Map(is.map((rule, i) => [rule.pattern, i]));
  const wasDefault = before.policy ? defaultTreatment(before.policy, server) : NOTHING_APPROVED;
  const isDefault = after.policy ? defaultTreatment(after.policy, server) : NOTHING_APPROVED;

  const loosened: GlobLoosening[] = [];
  let budget = limits.perServer;
  for (let i = 0; i <= was.length; i++) {
    const b = was[i]; // undefined: the defaults
    for (let j = 0; j <= is.length; j++) {
      const a = is[j];
      // A glob of one policy that the other has, coming first there: no name is decided by this pair.
      if (b && (isRank.get(b.pattern) ?? Infinity) < j) continue;
      if (a && (wasRank.get(a.pattern) ?? Infinity) < i) continue;
      const glob = a?.pattern ?? b?.pattern;
      const changes = loosenedTreatment(b ? ruleTreatment(b) : wasDefault, a ? ruleTreatment(a) : isDefault, glob === undefined ? 'default' : 'decision');
      if (changes.length === 0) continue;
      // Tools the policy-wide default decides under both: reported once, for `*`.
      if (glob === undefined && isDefault.source === 'default' && wasDefault.source !== 'server default') continue;

      const must = [...new Set([b?.pattern, a?.pattern].filter((p): p is string => p !== undefined))];
      const mustNot = [...new Set([...was.slice(0, i), ...is.slice(0, j)].map((rule) => rule.pattern))];
      const steps = { left: Math.min(limits.perPair, budget) };
      const allowed = steps.left;
      const found = allowed > 0 ? findName(must, mustNot, avoid, steps) : 'unknown';
      budget -= allowed - Math.max(steps.left, 0);
      if (found === 'none') continue;
      // A name decided by this pair, or one that could not be ruled out (counted as loosening: fail closed).
      for (const change of changes) loosened.push({ ...(glob === undefined ? {} : { tool: glob }), ...change });
    }
  }
  return loosened;
}

/** A server's glob rules in the engine's order: more literal characters first, then file order. */
function byPrecedence(policy: Policy | undefined, server: string): ToolRule[] {
  const rules = policy?.servers.get(server)?.tools ?? [];
  return rules.filter((rule) => rule.isGlob).sort((x, y) => y.literalChars - x.literalChars || x.index - y.index);
}
