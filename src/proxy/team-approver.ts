// The approver of a team's gateway: a call that asks waits in the team's approval queue (in Redis, or in
// this process), where the approvals page of any instance shows it to the policy's approvers; the first
// answer wins, and no answer by the call's timeout is a denial. The caller's own client is never asked
// (an agent must not approve its own call), and a queue that cannot be reached denies.
import type { Principal } from '../policy/model';
import type { ApprovalQueue } from '../team/state';
import type { ApprovalRequest, Approver, ApproverAnswer } from './approval';

export class TeamApprover implements Approver {
  readonly name = 'team';

  constructor(
    private readonly queue: ApprovalQueue,
    private readonly caller: Principal | undefined,
  ) {}

  available(): boolean {
    return true;
  }

  async ask(request: ApprovalRequest, timeoutMs: number, signal: AbortSignal): Promise<ApproverAnswer> {
    let id: string;
    try {
      id = await this.queue.create({ ...request, caller: this.caller ? { name: this.caller.name, groups: [...this.caller.groups] } : null }, timeoutMs);
    } catch (error) {
      return { approved: false, answer: 'unavailable', reason: `the team's approvals could not be reached (${(error as Error)?.message ?? String(error)}); the call is refused` };
    }
    const answer = await this.queue.wait(id, signal);
    if (answer.approved) return { approved: true, answer: 'accept', reason: `approved by ${answer.by} on the approvals page` };
    if (answer.by === 'timeout') return { approved: false, answer: 'timeout', reason: answer.reason ?? 'nobody answered on the approvals page in time' };
    return { approved: false, answer: 'deny', reason: answer.reason ?? `denied by ${answer.by} on the approvals page` };
  }
}
