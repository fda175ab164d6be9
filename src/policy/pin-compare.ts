// Whether `pin` and `poisoning` loosen: `pin: enforce` holds changed and new tools back, `warn` only
// reports them, `off` does not look; `poisoning: deny` holds back a tool with an error-level description
// finding, `warn` reports it. A step down, at the top level or for a server, lets tools through that were
// held back, so it waits for a person like any loosening. With nothing approved every call is refused
// (the comparison lists each tool); here a policy that weakens what its absence means is listed too.
import type { PinMode, Policy, PoisoningMode } from './model';
import type { Loosening } from './policy-compare';

/** Strictness: the higher, the more is held back. */
const PIN_RANK: Record<PinMode, number> = { off: 0, warn: 1, enforce: 2 };
const POISONING_RANK: Record<PoisoningMode, number> = { warn: 0, deny: 1 };
/** What applies when a policy says nothing (docs/pinning.md). */
const DEFAULT_PIN: PinMode = 'enforce';
const DEFAULT_POISONING: PoisoningMode = 'warn';

export function pinLoosenings(before: Policy | undefined, after: Policy): Loosening[] {
  const loosened: Loosening[] = [];
  const topPin = (policy: Policy | undefined) => (policy?.pin ?? DEFAULT_PIN);
  const topPoisoning = (policy: Policy | undefined) => (policy?.poisoning ?? DEFAULT_POISONING);
  if (PIN_RANK[topPin(after)] < PIN_RANK[topPin(before)]) loosened.push({ server: '*', what: 'pin', before: topPin(before), after: topPin(after) });
  if (POISONING_RANK[topPoisoning(after)] < POISONING_RANK[topPoisoning(before)]) loosened.push({ server: '*', what: 'poisoning', before: topPoisoning(before), after: topPoisoning(after) });
  // A server with a setting of its own on either side: its own step down (the top level's is listed above).
  const names = new Set([...(before?.servers.keys() ?? []), ...after.servers.keys()]);
  for (const name of names) {
    const was = before?.servers.get(name);
    const is = after.servers.get(name);
    if (was?.pin !== undefined || is?.pin !== undefined) {
      const pinBefore = was?.pin ?? topPin(before);
      const pinAfter = is?.pin ?? topPin(after);
      if (PIN_RANK[pinAfter] < PIN_RANK[pinBefore]) loosened.push({ server: name, what: 'pin', before: pinBefore, after: pinAfter });
    }
    if (was?.poisoning !== undefined || is?.poisoning !== undefined) {
      const poisoningBefore = was?.poisoning ?? topPoisoning(before);
      const poisoningAfter = is?.poisoning ?? topPoisoning(after);
      if (POISONING_RANK[poisoningAfter] < POISONING_RANK[poisoningBefore]) loosened.push({ server: name, what: 'poisoning', before: poisoningBefore, after: poisoningAfter });
    }
  }
  return loosened;
}
