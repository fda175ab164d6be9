// The tool names a policy comparison tries for one server: every tool the catalogue knows, every exact
// rule key of either policy, and one name for each set of globs (of either policy) a name can match,
// the empty set included (the tools the defaults decide). Any other name is decided like one of these
// by both policies, so together they try every decision either policy can give on this server.
import { globRegions } from './glob-regions';
import type { ToolRule } from './model';

export interface ComparedNames {
  /** Names a person knows: catalogue tools and exact rule keys. */
  named: Set<string>;
  /** A name for each set of globs a name can match; shown by the glob that decides it. */
  regions: string[];
}

/** Undefined when the globs are too many or too tangled to explore. */
export function comparedNames(before: readonly ToolRule[], after: readonly ToolRule[], catalogue: readonly string[]): ComparedNames | undefined {
  const rules = [...before, ...after];
  const exact = new Set(rules.filter((rule) => !rule.isGlob).map((rule) => rule.pattern));
  const regions = globRegions(
    rules.filter((rule) => rule.isGlob).map((rule) => rule.pattern),
    exact,
  );
  if (!regions) return undefined;
  return { named: new Set([...catalogue, ...exact]), regions: regions.names };
}
