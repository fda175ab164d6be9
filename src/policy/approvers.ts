// Who may answer a call that asks, on a team's approvals page: the server's `approvers`, else the top
// level's, else nobody. A wider list lets more people approve calls, so it is a loosening: an entry
// added (a new group may hold anyone), or a list where there was none (nobody could answer before).
import { admits, callersLabel, canonicalCallers } from './callers';
import type { CallerList, Policy, Principal } from './model';
import type { Loosening } from './policy-compare';

export function approversOf(policy: Policy, server: string): CallerList | undefined {
  return policy.servers.get(server)?.approvers ?? policy.approvers;
}

/** Whether `principal` may answer calls to `server`. No list, or no principal: never. */
export function mayApprove(policy: Policy, server: string, principal: Principal | undefined): boolean {
  const list = approversOf(policy, server);
  return list !== undefined && admits(list, principal);
}

export function approverLoosenings(before: Policy | undefined, after: Policy): Loosening[] {
  const loosened: Loosening[] = [];
  const top = widened(before?.approvers, after.approvers);
  if (top) loosened.push({ server: '*', what: 'approvers', ...top });
  const names = new Set([...(before?.servers.keys() ?? []), ...after.servers.keys()]);
  for (const name of names) {
    // A server's own list on either side: its effective list compared (the top level's is listed above).
    if (before?.servers.get(name)?.approvers === undefined && after.servers.get(name)?.approvers === undefined) continue;
    const change = widened(before ? approversOf(before, name) : undefined, approversOf(after, name));
    if (change) loosened.push({ server: name, what: 'approvers', ...change });
  }
  return loosened;
}

function widened(before: CallerList | undefined, after: CallerList | undefined): { before: string; after: string } | undefined {
  if (!after) return undefined;
  const was = new Set(before ? canonicalCallers(before) : []);
  if (canonicalCallers(after).every((entry) => was.has(entry))) return undefined;
  return { before: before ? callersLabel(before) : 'nobody', after: callersLabel(after) };
}
