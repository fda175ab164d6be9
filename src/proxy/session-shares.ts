// The session cap of one listener, shared fairly among the endpoints it serves (the gateway's servers;
// the proxy's `--listen` has one). While sessions are free, any endpoint may open one, so an idle
// gateway lets one server use the whole cap. Each endpoint's share is the cap divided by the endpoints
// served, rounded down: with the cap reached, an endpoint below its share takes a session back from the
// endpoint most over its own (which ends the session it used longest ago), so no server's clients can
// keep another's out; an endpoint at or over its share is refused.

/** What an endpoint lets the shares do to it. */
export interface ShareHolder {
  /** Ends one of its sessions to make room (its slot is given back at once); false when it has none to end. */
  reclaim(forName: string, why: string): boolean;
}

export type Admission = { ok: true } | { ok: false; message: string };

export class SessionShares {
  private readonly held = new Map<ShareHolder, { name: string; count: number; leaving: boolean }>();
  private used = 0;

  constructor(readonly max: number) {}

  get inUse(): number {
    return this.used;
  }

  /** The sessions each endpoint served now can always open. */
  get share(): number {
    const serving = [...this.held.values()].filter((h) => !h.leaving).length;
    return Math.floor(this.max / Math.max(1, serving));
  }

  join(holder: ShareHolder, name: string): void {
    this.held.set(holder, { name, count: 0, leaving: false });
  }

  /** The endpoint is no longer served: it keeps no share, and its sessions count until they end. */
  leave(holder: ShareHolder): void {
    const entry = this.held.get(holder);
    if (!entry) return;
    if (entry.count === 0) this.held.delete(holder);
    else entry.leaving = true;
  }

  /** A session for `holder`, if the cap (or, at the cap, its share) allows one. */
  take(holder: ShareHolder): Admission {
    const entry = this.held.get(holder);
    if (!entry || entry.leaving) return { ok: false, message: 'Not found: this server is no longer served' };
    const share = this.share;
    // At the cap, only an endpoint below its share gets one, taken back from the one most over its own.
    if (this.used >= this.max && (entry.count >= share || !this.reclaimFor(entry.name, share))) {
      return { ok: false, message: this.fullMessage(entry.count, share) };
    }
    this.used++;
    entry.count++;
    return { ok: true };
  }

  give(holder: ShareHolder): void {
    const entry = this.held.get(holder);
    if (!entry || entry.count === 0) return;
    entry.count--;
    this.used--;
    if (entry.leaving && entry.count === 0) this.held.delete(holder);
  }

  /** Ends a session of the endpoint most over its share; true when one was ended. */
  private reclaimFor(name: string, share: number): boolean {
    let victim: ShareHolder | undefined;
    let most = 0;
    for (const [holder, entry] of this.held) {
      const over = entry.count - (entry.leaving ? 0 : share);
      if (over > most) {
        most = over;
        victim = holder;
      }
    }
    if (!victim) return false;
    const entry = this.held.get(victim)!;
    const why = `"${entry.name}" held ${entry.count} of ${this.max} sessions, over its share of ${entry.leaving ? 0 : share}`;
    return victim.reclaim(name, why) && this.used < this.max;
  }

  private fullMessage(count: number, share: number): string {
    const served = [...this.held.values()].filter((h) => !h.leaving).length;
    const mine = served > 1 ? `; this server holds ${count} of them and its share is ${share} (${served} servers served)` : '';
    return `Service Unavailable: the listener already has ${this.max} sessions open (--max-sessions)${mine}; end one with DELETE, or wait for an idle one to expire`;
  }
}
