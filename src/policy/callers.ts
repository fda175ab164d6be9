// Rules that only some callers may use: `only: [group:security, alice]`. An entry names a user (`alice`,
// or `user:alice` for a name that holds a colon) or a group (`group:security`), matched exactly. A call
// with no caller identity (a local proxy, which has none) is admitted by no list: such a rule denies it.
import type { CallerList, Principal } from './model';

export const USER_PREFIX = 'user:';
export const GROUP_PREFIX = 'group:';

/** The caller list an `only` value writes; undefined when it is not a list of entries (the schema reports it). */
export function callerListOf(value: unknown): CallerList | undefined {
  if (!Array.isArray(value) || value.length === 0 || !value.every((entry) => typeof entry === 'string' && entry.length > 0)) return undefined;
  const users = new Set<string>();
  const groups = new Set<string>();
  for (const entry of value as string[]) {
    if (entry.startsWith(GROUP_PREFIX)) groups.add(entry.slice(GROUP_PREFIX.length));
    else users.add(entry.startsWith(USER_PREFIX) ? entry.slice(USER_PREFIX.length) : entry);
  }
  return { users, groups, entries: [...(value as string[])] };
}

/** Whether `principal` is one of the callers `list` names. No principal: never. */
export function admits(list: CallerList, principal: Principal | undefined): boolean {
  if (!principal) return false;
  if (list.users.has(principal.name)) return true;
  for (const group of principal.groups) if (list.groups.has(group)) return true;
  return false;
}

/** The list in one canonical spelling per entry (`user:` or `group:`), sorted: what two lists are compared by. */
export function canonicalCallers(list: CallerList): string[] {
  return [...[...list.users].map((u) => USER_PREFIX + u), ...[...list.groups].map((g) => GROUP_PREFIX + g)].sort();
}

/** The list for a person: the entries as written, joined. */
export function callersLabel(list: CallerList): string {
  return list.entries.join(', ');
}

/** Why a call the rule `pattern` decides is refused to a caller its list does not name. */
export function notAdmittedReason(tool: string, pattern: string, list: CallerList, principal: Principal | undefined, ruleReason: string | undefined): string {
  const who = principal ? `caller "${principal.name}" is not among them` : 'this call has no caller identity';
  if (ruleReason) return `${ruleReason} (rule "${pattern}" is only for ${callersLabel(list)}; ${who})`;
  return `Tool "${tool}" is only for ${callersLabel(list)} (rule "${pattern}"); ${who}`;
}
