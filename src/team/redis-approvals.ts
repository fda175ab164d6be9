// Pending approvals in Redis: any instance lists them and any instance's answer reaches the instance
// whose call waits, announced on a channel (and read back every poll interval, so an announcement lost
// to a reconnect only delays the answer). The first answer wins; at its expiry a call is closed as
// denied before anyone can answer it late. A wait never rejects: Redis gone means no approval.
import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import type { ScriptedRedis } from './redis-state';
import type { ApprovalAnswer, ApprovalQueue, PendingApproval } from './state';

/** How long an approval's record outlives its expiry, so a late reader still finds how it ended. */
const KEEP_AFTER_EXPIRY_MS = 60_000;

interface Waiter {
  check: () => void;
}

export class RedisApprovals implements ApprovalQueue {
  private readonly index: string;
  private readonly channel: string;
  private readonly waiters = new Map<string, Waiter>();
  /** When the calls this instance created expire, by its own clock: a wait ends then even if Redis is gone. */
  private readonly deadlines = new Map<string, number>();
  private subscriber?: Redis;
  private subscribed = false;

  constructor(
    private readonly client: ScriptedRedis,
    private readonly openSubscriber: () => Redis,
    private readonly prefix: string,
    private readonly run: <T>(what: string, operation: () => Promise<T>) => Promise<T>,
    private readonly pollMs: number,
  ) {
    this.index = `${prefix}approvals`;
    this.channel = `${prefix}approvals:answered`;
  }

  private hashOf(id: string): string {
    return `${this.prefix}approval:${id}`;
  }

  async create(request: Record<string, unknown>, ttlMs: number): Promise<string> {
    const id = randomUUID();
    const deadline = Date.now() + ttlMs;
    await this.run('approval', () => this.client.wardenCreateApproval(this.hashOf(id), this.index, id, JSON.stringify(request), Math.ceil(ttlMs), KEEP_AFTER_EXPIRY_MS));
    this.deadlines.set(id, deadline);
    return id;
  }

  async list(): Promise<PendingApproval[]> {
    return this.run('approvals list', async () => {
      const ids = await this.client.zrange(this.index, 0, -1);
      const [seconds, micros] = await this.client.time();
      const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
      const records = await Promise.all(ids.map((id) => this.client.hmget(this.hashOf(id), 'request', 'createdAt', 'expiresAt', 'state')));
      const pending: PendingApproval[] = [];
      const gone: string[] = [];
      ids.forEach((id, i) => {
        const [request, createdAt, expiresAt, state] = records[i];
        if (state === null) gone.push(id);
        if (state !== 'pending' || request === null || Number(expiresAt) <= now) return;
        pending.push({ id, request: JSON.parse(request) as Record<string, unknown>, createdAt: Number(createdAt), expiresAt: Number(expiresAt) });
      });
      // A record gone (expired) whose asker never closed it (its instance died): the index forgets it too.
      if (gone.length > 0) await this.client.zrem(this.index, ...gone);
      return pending;
    });
  }

  async answer(id: string, answer: ApprovalAnswer): Promise<boolean> {
    return (await this.run('approval answer', () => this.client.wardenAnswerApproval(this.hashOf(id), this.index, id, JSON.stringify(answer), this.channel))) === 1;
  }

  wait(id: string, signal?: AbortSignal): Promise<ApprovalAnswer> {
    return new Promise((resolve) => {
      let done = false;
      const finish = (answer: ApprovalAnswer) => {
        if (done) return;
        done = true;
        clearTimeout(expiry);
        clearInterval(poll);
        signal?.removeEventListener('abort', onAbort);
        this.waiters.delete(id);
        this.deadlines.delete(id);
        resolve(answer);
      };
      // Reads the call's state: an answer ends the wait; anything unreadable waits for the next look.
      const check = () => {
        this.client.hmget(this.hashOf(id), 'state', 'answer', 'expiresAt').then(
          ([state, answer, expiresAt]) => {
            if ((state === 'answered' || state === 'closed') && answer) finish(parseAnswer(answer));
            else if (state === null) finish({ approved: false, by: 'none', reason: 'the approval request is unknown or gone' });
            else if (expiresAt !== null) armExpiry(Number(expiresAt));
          },
          (error: unknown) => {
            // With no deadline of its own (a call another instance asked for), a wait that cannot read the call ends denied.
            if (armedFor === Infinity) finish({ approved: false, by: 'none', reason: `the approval could not be read: ${(error as Error)?.message ?? String(error)}` });
          },
        );
      };
      // At the expiry (the sooner of this instance's deadline and the one Redis recorded), the call is
      // closed as denied; an answer Redis took first stands. Redis decides "too late" for answers itself.
      let expiry: NodeJS.Timeout | undefined;
      let armedFor = Infinity;
      const armExpiry = (expiresAt: number) => {
        if (done || expiresAt >= armedFor) return;
        armedFor = expiresAt;
        clearTimeout(expiry);
        expiry = setTimeout(() => void this.closeApproval(id, 'no answer in time').then(finish), Math.max(0, expiresAt - Date.now()));
      };
      const deadline = this.deadlines.get(id);
      if (deadline !== undefined) armExpiry(deadline);
      const onAbort = () => void this.closeApproval(id, `the approval was withdrawn: ${String(signal!.reason ?? 'aborted')}`).then(finish);
      const poll = setInterval(check, this.pollMs);
      this.waiters.set(id, { check });
      void this.subscribe();
      check();
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Closes a call as denied unless an answer came first; Redis unreachable: denied all the same. */
  private async closeApproval(id: string, reason: string): Promise<ApprovalAnswer> {
    const denial: ApprovalAnswer = { approved: false, by: 'timeout', reason };
    try {
      return parseAnswer(await this.run('approval close', () => this.client.wardenCloseApproval(this.hashOf(id), this.index, id, JSON.stringify(denial))));
    } catch (error) {
      return { ...denial, reason: `${reason}; ${(error as Error).message}` };
    }
  }

  /** One subscriber connection for every wait of this store; it resubscribes after a reconnect by itself. */
  private async subscribe(): Promise<void> {
    if (this.subscribed) return;
    if (!this.subscriber) {
      this.subscriber = this.openSubscriber();
      this.subscriber.on('message', (_channel: string, id: string) => this.waiters.get(id)?.check());
      this.subscriber.on('ready', () => void this.subscribe());
    }
    try {
      this.subscribed = true;
      await this.subscriber.subscribe(this.channel);
    } catch {
      this.subscribed = false; // polling covers the gap; the next 'ready' tries again
    }
  }

  /** Stops listening for answers (the store is closing). */
  async close(): Promise<void> {
    this.subscriber?.disconnect();
  }
}

function parseAnswer(text: string): ApprovalAnswer {
  try {
    const value = JSON.parse(text) as ApprovalAnswer;
    if (typeof value.approved === 'boolean' && typeof value.by === 'string') return value;
  } catch {
    // fall through: an unreadable answer approves nothing
  }
  return { approved: false, by: 'none', reason: 'the answer could not be read' };
}
