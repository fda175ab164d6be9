// The team's state in Redis, shared by every gateway instance that names the same Redis: rate-limit
// windows counted by an atomic script (redis-limiter.ts), "allow for this session" grants, pending approvals
// (redis-approvals.ts) and a bounded copy of the audit lines in a Stream. Any operation Redis cannot do
// in time rejects with a StateUnavailable that says so; the connection heals itself (redis-connection.ts).
import type Redis from 'ioredis';
import type { Acquired } from '../policy/rate-limiter';
import { grantKey } from './memory-state';
import { RedisApprovals } from './redis-approvals';
import { RedisLimiter } from './redis-limiter';
import { Deadlines, DEFAULT_TIMEOUT_MS, guarded, openRedis, redisLocation, type RedisConnectionOptions } from './redis-connection';
import { ACQUIRE, ANSWER_APPROVAL, CLOSE_APPROVAL, CREATE_APPROVAL, GRANT, HAS_GRANT } from './redis-scripts';
import { holderKey, type AuditCopy, type GrantHolder, type SessionGrants, type TeamState } from './state';

export interface RedisStateOptions extends RedisConnectionOptions {
  /** Prepended to every key, so several teams or tests can share one Redis. Default `mcp-warden:`. */
  prefix?: string;
  /** The audit Stream keeps about this many lines (XADD MAXLEN ~). Default 100,000. */
  auditMaxLength?: number;
  /** How often a waiting approval also reads its state, in case an announcement was missed. Default 1000 ms. */
  approvalPollMs?: number;
}

/** The scripts, as commands of the client (ioredis sends EVALSHA, and the script once when Redis lacks it). */
export interface ScriptedRedis extends Redis {
  /** `count` window keys, then max, window and member for each: 0 (counted) or ms until one would fit, per key. */
  wardenAcquire(count: number, ...keysThenArgs: (string | number)[]): Promise<number[]>;
  wardenGrant(key: string, field: string, ttlMs: number): Promise<number>;
  wardenHasGrant(key: string, field: string): Promise<number>;
  wardenCreateApproval(hash: string, index: string, id: string, request: string, ttlMs: number, keepMs: number): Promise<[number, number]>;
  wardenAnswerApproval(hash: string, index: string, id: string, answer: string, channel: string): Promise<number>;
  wardenCloseApproval(hash: string, index: string, id: string, denial: string): Promise<string>;
}

export class RedisState implements TeamState {
  readonly where: string;
  readonly grants: SessionGrants;
  readonly approvals: RedisApprovals;
  readonly audit: AuditCopy;
  private readonly client: ScriptedRedis;
  private readonly prefix: string;
  private readonly deadlines: Deadlines;
  private readonly limiter: RedisLimiter;

  constructor(options: RedisStateOptions) {
    this.where = redisLocation(options.url);
    this.prefix = options.prefix ?? 'mcp-warden:';
    this.deadlines = new Deadlines(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    this.client = defineScripts(openRedis(options, 'state'));
    const run = <T>(what: string, operation: () => Promise<T>) => guarded(this.where, what, this.deadlines, operation);
    this.limiter = new RedisLimiter(this.client, `${this.prefix}rate:`, run);
    this.grants = new RedisGrants(this.client, this.prefix, run);
    this.approvals = new RedisApprovals(this.client, () => openRedis(options, 'approvals'), this.prefix, run, options.approvalPollMs ?? 1000);
    const auditKey = `${this.prefix}audit`;
    const maxLength = String(options.auditMaxLength ?? 100_000);
    this.audit = { append: (line) => run('audit line', () => this.client.xadd(auditKey, 'MAXLEN', '~', maxLength, '*', 'line', line)).then(() => undefined) };
  }

  /** Resolves once Redis answers (or rejects with why not within `ms`): for a start that wants to know. */
  async ready(ms = 5000): Promise<void> {
    const until = Date.now() + ms;
    for (;;) {
      try {
        await guarded(this.where, 'ping', this.deadlines, () => this.client.ping());
        return;
      } catch (error) {
        if (Date.now() >= until) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  tryAcquire(key: string, max: number, windowMs: number): Promise<Acquired> {
    return this.limiter.tryAcquire(key, max, windowMs);
  }

  async close(): Promise<void> {
    await this.approvals.close();
    this.client.disconnect();
  }
}

class RedisGrants implements SessionGrants {
  constructor(
    private readonly client: ScriptedRedis,
    private readonly prefix: string,
    private readonly run: <T>(what: string, operation: () => Promise<T>) => Promise<T>,
  ) {}

  private keyOf(holder: GrantHolder): string {
    return `${this.prefix}grants:${holderKey(holder)}`;
  }

  async grant(holder: GrantHolder, server: string, tool: string, ttlMs: number): Promise<void> {
    await this.run('session grant', () => this.client.wardenGrant(this.keyOf(holder), grantKey(holder, server, tool), Math.ceil(ttlMs)));
  }

  async has(holder: GrantHolder, server: string, tool: string): Promise<boolean> {
    return (await this.run('session grant', () => this.client.wardenHasGrant(this.keyOf(holder), grantKey(holder, server, tool)))) === 1;
  }

  async endSession(holder: GrantHolder): Promise<void> {
    await this.run('session end', () => this.client.del(this.keyOf(holder)));
  }
}

function defineScripts(client: Redis): ScriptedRedis {
  client.defineCommand('wardenAcquire', { lua: ACQUIRE });
  client.defineCommand('wardenGrant', { numberOfKeys: 1, lua: GRANT });
  client.defineCommand('wardenHasGrant', { numberOfKeys: 1, lua: HAS_GRANT });
  client.defineCommand('wardenCreateApproval', { numberOfKeys: 2, lua: CREATE_APPROVAL });
  client.defineCommand('wardenAnswerApproval', { numberOfKeys: 2, lua: ANSWER_APPROVAL });
  client.defineCommand('wardenCloseApproval', { numberOfKeys: 2, lua: CLOSE_APPROVAL });
  return client as ScriptedRedis;
}
