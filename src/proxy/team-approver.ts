// The approver of a team's gateway: a call that asks waits in the team's approval queue (in Redis, or in
// this process), where the approvals page of any instance shows it to the policy's approvers; the first
// answer wins, and no answer by the call's timeout is a denial. The caller's own client is never asked
// (an agent must not approve its own call), and a queue that cannot be reached denies.
// "Allow for this session" on the page is kept as a grant in the same state, held by the caller, this
// gateway's MCP session (its id chosen by the gateway, bound to the caller) and the conversation the call
// names: a later call of the tool there is approved by the grant without asking. Only an `ask` comes here,
// after every other rule (pins, `only`, arguments, rate limits) has let it through.
import type { Principal } from '../policy/model';
import { SESSION_GRANT_TTL_MS, type ApprovalQueue, type GrantHolder, type SessionGrants } from '../team/state';
import type { ApprovalRequest, Approver, ApproverAnswer } from './approval';

export class TeamApprover implements Approver {
  readonly name = 'team';

  constructor(
    private readonly queue: ApprovalQueue,
    private readonly caller: Principal | undefined,
    private readonly grants?: SessionGrants,
    private readonly grantTtlMs = SESSION_GRANT_TTL_MS,
  ) {}

  available(): boolean {
    return true;
  }

  async ask(request: ApprovalRequest, timeoutMs: number, signal: AbortSignal): Promise<ApproverAnswer> {
    const holder = this.holderOf(request);
    if (holder && (await this.granted(holder, request))) return { approved: true, answer: 'session', reason: 'allowed for this session on the approvals page' };
    let id: string;
    try {
      id = await this.queue.create({ ...request, caller: this.caller ? { name: this.caller.name, groups: [...this.caller.groups] } : null, sessionGrant: holder !== undefined }, timeoutMs);
    } catch (error) {
      return { approved: false, answer: 'unavailable', reason: `the team's approvals could not be reached (${(error as Error)?.message ?? String(error)}); the call is refused` };
    }
    const answer = await this.queue.wait(id, signal);
    if (answer.approved) {
      const by = `approved by ${answer.by} on the approvals page`;
      if (answer.forSession !== true || !holder || signal.aborted) return { approved: true, answer: 'accept', reason: by };
      return { approved: true, answer: 'accept', reason: await this.grant(holder, request, by) };
    }
    if (answer.by === 'timeout') return { approved: false, answer: 'timeout', reason: answer.reason ?? 'nobody answered on the approvals page in time' };
    return { approved: false, answer: 'deny', reason: answer.reason ?? `denied by ${answer.by} on the approvals page` };
  }

  /** Grants are a caller's: a call with no identity neither gets nor gives one. */
  private holderOf(request: ApprovalRequest): GrantHolder | undefined {
    if (!this.grants || !this.caller) return undefined;
    return { session: request.session, principal: this.caller.name, ...(request.conversation !== undefined ? { conversation: request.conversation } : {}) };
  }

  /** A grant that cannot be read is no grant: the call is asked (and refused if the queue is down too). */
  private async granted(holder: GrantHolder, request: ApprovalRequest): Promise<boolean> {
    try {
      return await this.grants!.has(holder, request.server, request.tool);
    } catch {
      return false;
    }
  }

  /** Records the grant; this call is approved either way, and its reason says whether later ones will be. */
  private async grant(holder: GrantHolder, request: ApprovalRequest, by: string): Promise<string> {
    try {
      await this.grants!.grant(holder, request.server, request.tool, this.grantTtlMs);
      return `${by}, for this session`;
    } catch (error) {
      return `${by}; the grant for this session could not be recorded (${(error as Error)?.message ?? String(error)}), so later calls will be asked`;
    }
  }
}
