// Who may speak for Warden on the control channel: only a proxy this editor launched. Each launch gets a
// fresh ticket (random, 256 bits) for its server; the first hello that presents it is admitted and the
// ticket is burnt, so a copy read later (a server reading its proxy's /proc/<pid>/environ) is worthless.
// An admitted proxy gets a resume secret, known only to the two processes' memory, for reconnecting; each
// welcome replaces it, and it admits only that proxy's process (same pid, still alive), so a process that
// read it from the proxy's memory gains nothing by killing the proxy. A credential admits one connection:
// a second presentation is refused and reported.
// Only digests are kept, so looking one up takes no time that depends on the secret.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { TICKET_LIFETIME_MS } from '../proxy/control-protocol';

export type Admission =
  | { admitted: true; resume: string }
  | {
      admitted: false;
      reason: string;
      /** Set when the credential was genuine but already used: someone other than its proxy holds a copy. */
      alarm?: string;
    };

export interface Presented {
  ticket?: unknown;
  resume?: unknown;
  server: string;
  /** The pid the hello says it comes from. */
  pid: number;
}

interface Holder {
  server: string;
  /** The connection the credential admitted. */
  connection: string;
  /** The process that redeemed the ticket, as its hello said. */
  pid: number;
}

/** Burnt tickets kept to tell a replay from a made-up ticket; the oldest are forgotten beyond this. */
const MAX_REMEMBERED = 1000;

export class ControlCredentials {
  private readonly tickets = new Map<string, { server: string; expires: number }>();
  private readonly burnt = new Map<string, Holder>();
  private readonly resumes = new Map<string, Holder>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly lifetimeMs: number = TICKET_LIFETIME_MS,
    private readonly alive: (pid: number) => boolean = processAlive,
  ) {}

  /** A ticket for one launch of `server`'s proxy. */
  issue(server: string): string {
    this.dropExpired();
    const ticket = randomBytes(32).toString('hex');
    this.tickets.set(digest(ticket), { server, expires: this.now() + this.lifetimeMs });
    return ticket;
  }

  /**
   * Admits the hello of `connection`, or says why not. `isOpen` tells whether an earlier connection is
   * still open (a resume secret is for a proxy whose connection dropped).
   */
  admit(presented: Presented, connection: string, isOpen: (connection: string) => boolean): Admission {
    if (typeof presented.ticket === 'string') return this.redeem(presented.ticket, presented, connection);
    if (typeof presented.resume === 'string') return this.resume(presented.resume, presented, connection, isOpen);
    return { admitted: false, reason: 'no ticket: only a proxy the editor launched is accepted' };
  }

  private redeem(ticket: string, { server, pid }: Presented, connection: string): Admission {
    const key = digest(ticket);
    const issued = this.tickets.get(key);
    if (!issued) {
      const used = this.burnt.get(key);
      if (!used) return { admitted: false, reason: 'unknown ticket' };
      return {
        admitted: false,
        reason: 'ticket already used',
        alarm: `a used ticket of "${used.server}" was presented again (the proxy it admitted keeps its connection ${used.connection}): another process has a copy of it`,
      };
    }
    this.tickets.delete(key);
    this.remember(this.burnt, key, { server: issued.server, connection, pid });
    if (this.now() > issued.expires) return { admitted: false, reason: 'ticket expired' };
    if (issued.server !== server) {
      return { admitted: false, reason: 'ticket issued for another server', alarm: `the ticket of "${issued.server}" was presented by a proxy calling itself "${server}"` };
    }
    return { admitted: true, resume: this.newResume({ server, connection, pid }) };
  }

  private resume(secret: string, { server, pid }: Presented, connection: string, isOpen: (connection: string) => boolean): Admission {
    const key = digest(secret);
    const holder = this.resumes.get(key);
    if (!holder) return { admitted: false, reason: 'unknown resume secret' };
    if (holder.server !== server) {
      return { admitted: false, reason: 'resume secret of another server', alarm: `the resume secret of "${holder.server}" was presented by a proxy calling itself "${server}"` };
    }
    if (isOpen(holder.connection)) {
      return { admitted: false, reason: 'resume secret in use', alarm: `the resume secret of "${server}" was presented while its proxy is still connected: another process has a copy of it` };
    }
    if (pid !== holder.pid || !this.alive(holder.pid)) {
      this.resumes.delete(key);
      return { admitted: false, reason: 'resume secret of another process', alarm: `the resume secret of "${server}" (proxy pid ${holder.pid}) was presented by pid ${pid}${this.alive(holder.pid) ? '' : ' after that proxy ended'}` };
    }
    this.resumes.delete(key);
    return { admitted: true, resume: this.newResume({ server, connection, pid }) };
  }

  private newResume(holder: Holder): string {
    const secret = randomBytes(32).toString('hex');
    this.remember(this.resumes, digest(secret), holder);
    return secret;
  }

  private remember(map: Map<string, Holder>, key: string, holder: Holder): void {
    map.set(key, holder);
    if (map.size > MAX_REMEMBERED) map.delete(map.keys().next().value!);
  }

  private dropExpired(): void {
    const now = this.now();
    for (const [key, ticket] of this.tickets) if (now > ticket.expires) this.tickets.delete(key);
  }
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else (then it is not our proxy, but it is alive).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed process not yet reaped by its parent still answers signal 0: on Linux, ask for its state.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return true;
  }
}

function digest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
