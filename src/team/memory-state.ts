// The state of one process, in memory: what a gateway without --redis uses. The same contract as the
// Redis store (tests hold both to it), with the engine's own sliding-window limiter.
import { randomUUID } from 'node:crypto';
import { RateLimiter, type Acquired } from '../policy/rate-limiter';
import { holderKey, type ApprovalAnswer, type ApprovalQueue, type AuditCopy, type GrantHolder, type PendingApproval, type SessionGrants, type TeamState } from './state';

export class MemoryState implements TeamState {
  readonly where = 'memory';
  readonly grants: SessionGrants;
  readonly approvals: ApprovalQueue;
  readonly audit: AuditCopy;

  constructor(
    private readonly limiter = new RateLimiter(),
    now: () => number = Date.now,
    /** Audit lines kept, newest last (the file is the record; this copy is bounded). */
    readonly auditLines: string[] = [],
    maxAuditLines = 10_000,
  ) {
    this.grants = new MemoryGrants(now);
    this.approvals = new MemoryApprovals(now);
    this.audit = {
      append: async (line) => {
        auditLines.push(line);
        if (auditLines.length > maxAuditLines) auditLines.splice(0, auditLines.length - maxAuditLines);
      },
    };
  }

  async tryAcquire(key: string, max: number, windowMs: number, scope?: string): Promise<Acquired> {
    return this.limiter.tryAcquire(key, max, windowMs, scope);
  }

  async close(): Promise<void> {}
}

class MemoryGrants implements SessionGrants {
  private readonly bySession = new Map<string, Map<string, number>>();

  constructor(private readonly now: () => number) {}

  async grant(holder: GrantHolder, server: string, tool: string, ttlMs: number): Promise<void> {
    const session = holderKey(holder);
    let grants = this.bySession.get(session);
    if (!grants) this.bySession.set(session, (grants = new Map()));
    grants.set(grantKey(holder, server, tool), this.now() + ttlMs);
  }

  async has(holder: GrantHolder, server: string, tool: string): Promise<boolean> {
    const until = this.bySession.get(holderKey(holder))?.get(grantKey(holder, server, tool));
    return until !== undefined && until > this.now();
  }

  async endSession(holder: GrantHolder): Promise<void> {
    this.bySession.delete(holderKey(holder));
  }
}

interface Entry {
  pending: PendingApproval;
  answer?: ApprovalAnswer;
  waiters: Set<(answer: ApprovalAnswer) => void>;
}

class MemoryApprovals implements ApprovalQueue {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number) {}

  async create(request: Record<string, unknown>, ttlMs: number): Promise<string> {
    const id = randomUUID();
    const createdAt = this.now();
    this.entries.set(id, { pending: { id, request, createdAt, expiresAt: createdAt + ttlMs }, waiters: new Set() });
    return id;
  }

  async list(): Promise<PendingApproval[]> {
    const now = this.now();
    return [...this.entries.values()].filter((e) => !e.answer && e.pending.expiresAt > now).map((e) => e.pending);
  }

  async answer(id: string, answer: ApprovalAnswer): Promise<boolean> {
    const entry = this.entries.get(id);
    if (!entry || entry.answer || entry.pending.expiresAt <= this.now()) return false;
    entry.answer = answer;
    for (const waiter of entry.waiters) waiter(answer);
    return true;
  }

  wait(id: string, signal?: AbortSignal): Promise<ApprovalAnswer> {
    const entry = this.entries.get(id);
    if (!entry) return Promise.resolve({ approved: false, by: 'none', reason: 'the approval request is unknown' });
    if (entry.answer) return Promise.resolve(this.settle(id, entry.answer));
    return new Promise((resolve) => {
      const finish = (answer: ApprovalAnswer) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        entry.waiters.delete(finish);
        resolve(this.settle(id, answer));
      };
      const expire = (reason: string) => {
        if (!entry.answer) entry.answer = { approved: false, by: 'timeout', reason };
        finish(entry.answer);
      };
      const onAbort = () => expire(`the approval was withdrawn: ${String(signal!.reason ?? 'aborted')}`);
      const seconds = Math.round((entry.pending.expiresAt - entry.pending.createdAt) / 100) / 10;
      const timer = setTimeout(() => expire(`no answer within ${seconds} s`), Math.max(0, entry.pending.expiresAt - this.now()));
      entry.waiters.add(finish);
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** A waited-for call is done with: forget it. */
  private settle(id: string, answer: ApprovalAnswer): ApprovalAnswer {
    this.entries.delete(id);
    return answer;
  }
}

/** A grant's field in its holder's record: the conversation (if any), the server and the tool, apart. */
export function grantKey(holder: GrantHolder, server: string, tool: string): string {
  const conversation = holder.conversation === undefined ? '' : `conversation:${holder.conversation}`;
  return `${conversation}\u0000${server}\u0000${tool}`;
}
