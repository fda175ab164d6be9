// The tool names a policy comparison tries for one server: every tool the catalogue knows, every rule
// key of either policy used as a name, names each glob matches, names a changed glob shares with any
// other glob (where the two may decide differently), and one name no exact rule matches (for defaults
// and catch-all globs). Each name comes with the name a person is shown for it.
import { canonicalJson } from './canonical-json';
import { sharedName } from './glob-witness';
import type { ToolRule } from './model';

/** Name tried -> name shown (a probe is shown as its glob; the unnamed tool as undefined). */
export type ComparedNames = Map<string, string | undefined>;

/** Past this much work finding shared names (pattern lengths multiplied, over all pairs), the caller compares the server as a whole. */
const SHARED_NAME_BUDGET = 5_000_000;

/** Stands for what a wildcard matches: a control character, which real tool names do not hold. */
const FILLER = '\u0001';

export function comparedNames(before: readonly ToolRule[], after: readonly ToolRule[], catalogue: readonly string[]): ComparedNames | undefined {
  const names: ComparedNames = new Map();
  const add = (name: string, shown: string | undefined) => {
    if (!names.has(name)) names.set(name, shown);
  };
  for (const tool of catalogue) add(tool, tool);
  const rules = [...before, ...after];
  for (const rule of rules) for (const probe of probesOf(rule)) add(probe, rule.pattern);

  const globs = [...new Set(rules.filter((rule) => rule.isGlob).map((rule) => rule.pattern))];
  const changed = changedGlobs(before, after);
  let work = 0;
  for (const pattern of changed) for (const other of globs) work += (pattern.length + 1) * (other.length + 1);
  if (work > SHARED_NAME_BUDGET) return undefined;
  for (const pattern of changed) {
    for (const other of globs) {
      if (other === pattern) continue;
      const shared = sharedName(pattern, other);
      if (shared !== undefined) add(shared, shared.includes(FILLER) ? pattern : shared);
    }
  }

  const exact = new Set(rules.filter((rule) => !rule.isGlob).map((rule) => rule.pattern));
  let unnamed = '\u0000any other tool';
  while (exact.has(unnamed)) unnamed += '\u0000';
  names.set(unnamed, undefined);
  return names;
}

/** A rule key used as a tool name, and for a glob two more names it matches (its wildcards as little, and as a filler). */
function probesOf(rule: ToolRule): string[] {
  if (!rule.isGlob) return [rule.pattern];
  return [rule.pattern, rule.pattern.replace(/\*/g, '').replace(/\?/g, '_'), rule.pattern.replace(/[*?]/g, FILLER)];
}

/**
 * Globs whose rule is not the same on both sides: added, removed, changed in what it does, or moved
 * among globs of as many literal characters (whose file order breaks their ties).
 */
function changedGlobs(before: readonly ToolRule[], after: readonly ToolRule[]): Set<string> {
  const was = new Map(before.filter((rule) => rule.isGlob).map((rule) => [rule.pattern, rule]));
  const is = new Map(after.filter((rule) => rule.isGlob).map((rule) => [rule.pattern, rule]));
  const changed = new Set<string>();
  for (const pattern of new Set([...was.keys(), ...is.keys()])) {
    const a = was.get(pattern);
    const b = is.get(pattern);
    if (!a || !b || meaning(a) !== meaning(b)) changed.add(pattern);
  }
  for (const moved of reorderedTies([...was.values()], [...is.values()])) changed.add(moved);
  return changed;
}

function meaning(rule: ToolRule): string {
  return canonicalJson([rule.action, rule.hide, rule.rateLimit ?? null, rule.args ?? null, rule.risk ?? null]);
}

/** Globs on both sides whose order among the globs of the same specificity differs. */
function reorderedTies(before: ToolRule[], after: ToolRule[]): string[] {
  const inAfter = new Set(after.map((rule) => rule.pattern));
  const common = new Set(before.map((rule) => rule.pattern).filter((pattern) => inAfter.has(pattern)));
  const order = (rules: ToolRule[]) => {
    const groups = new Map<number, string[]>();
    for (const rule of [...rules].sort((x, y) => x.index - y.index)) {
      if (!common.has(rule.pattern)) continue;
      const group = groups.get(rule.literalChars);
      if (group) group.push(rule.pattern);
      else groups.set(rule.literalChars, [rule.pattern]);
    }
    return groups;
  };
  const was = order(before);
  const is = order(after);
  const moved: string[] = [];
  for (const [chars, patterns] of was) if (canonicalJson(patterns) !== canonicalJson(is.get(chars) ?? [])) moved.push(...patterns);
  return moved;
}
