// Approval of `ask` calls: the editor over the control channel when it is connected, else the
// agent's client through MCP elicitation when it declared that capability, else nobody (deny).
// An approval covers one call with its exact arguments; nothing is remembered between calls.
import type { RiskAssessment } from '../policy/model';
import type { ControlChannel } from './control-channel';
import type { JsonRpcMessage } from './jsonrpc';

export const DEFAULT_APPROVAL_TIMEOUT_MS = 60_000;
export const NO_APPROVER_REASON = 'approval required but no approver is connected';

export interface ApprovalRequest {
  server: string;
  session: string;
  tool: string;
  arguments: unknown;
  risk: RiskAssessment;
  reason: string | null;
  rule: string | null;
  line: number | null;
}

export type ApproverAnswer = { approved: true; answer: 'accept' } | { approved: false; answer: string; reason: string };

export interface Approver {
  readonly name: 'editor' | 'elicitation';
  available(): boolean;
  /** Resolves with the answer, or (once `signal` aborts) with a refusal; never rejects. */
  ask(request: ApprovalRequest, timeoutMs: number, signal: AbortSignal): Promise<ApproverAnswer>;
}

export type ApprovalOutcome = { approved: boolean; by: string; answer: string; reason: string };

/**
 * Asks the first available approver, denying on timeout or when `cancel` aborts (the agent withdrew
 * the call). Resolves; never rejects.
 */
export async function requestApproval(approvers: Approver[], request: ApprovalRequest, timeoutMs: number, cancel?: AbortSignal): Promise<ApprovalOutcome> {
  const approver = approvers.find((a) => a.available());
  if (!approver) return { approved: false, by: 'none', answer: 'none', reason: NO_APPROVER_REASON };

  const controller = new AbortController();
  const seconds = Math.round(timeoutMs / 100) / 10;
  const timer = setTimeout(() => controller.abort(`approval timed out after ${seconds} s`), timeoutMs);
  const onCancel = (): void => controller.abort('the call was cancelled by the client');
  cancel?.addEventListener('abort', onCancel, { once: true });
  try {
    const answer = await approver.ask(request, timeoutMs, controller.signal);
    if (answer.approved) return { approved: true, by: approver.name, answer: 'accept', reason: `approved via ${approver.name}` };
    if (controller.signal.aborted) {
      const why = String(controller.signal.reason);
      return { approved: false, by: approver.name, answer: cancel?.aborted ? 'cancelled' : 'timeout', reason: why };
    }
    return { approved: false, by: approver.name, answer: answer.answer, reason: answer.reason };
  } finally {
    clearTimeout(timer);
    cancel?.removeEventListener('abort', onCancel);
  }
}

/** The editor, when the control channel is connected. */
export class EditorApprover implements Approver {
  readonly name = 'editor';

  constructor(private readonly channel: ControlChannel) {}

  available(): boolean {
    return this.channel.ready;
  }

  async ask(request: ApprovalRequest, timeoutMs: number, signal: AbortSignal): Promise<ApproverAnswer> {
    const answer = await this.channel.requestApproval(
      {
        server: request.server,
        session: request.session,
        tool: request.tool,
        arguments: request.arguments,
        risk: request.risk,
        reason: request.reason,
        rule: request.rule,
        line: request.line,
        timeoutMs,
      },
      signal,
    );
    return answer.approved ? { approved: true, answer: 'accept' } : { approved: false, answer: 'decline', reason: answer.reason };
  }
}

/** Sends a request to the agent's client and resolves with its response (or rejects when aborted). */
export type ClientRequester = (method: string, params: Record<string, unknown>, signal: AbortSignal) => Promise<JsonRpcMessage>;

/** The agent's client, through `elicitation/create`, when it declared the elicitation capability. */
export class ElicitationApprover implements Approver {
  readonly name = 'elicitation';

  constructor(
    private readonly supported: () => boolean,
    private readonly request: ClientRequester,
  ) {}

  available(): boolean {
    return this.supported();
  }

  async ask(request: ApprovalRequest, _timeoutMs: number, signal: AbortSignal): Promise<ApproverAnswer> {
    let response: JsonRpcMessage;
    try {
      response = await this.request('elicitation/create', { message: approvalMessage(request), requestedSchema: { type: 'object', properties: {} } }, signal);
    } catch (error) {
      return { approved: false, answer: 'error', reason: signal.aborted ? String(signal.reason) : `the approval request failed: ${(error as Error).message}` };
    }
    if (response.error) return { approved: false, answer: 'error', reason: `the client could not ask for approval: ${response.error.message}` };
    const action = (response.result as { action?: unknown } | undefined)?.action;
    if (action === 'accept') return { approved: true, answer: 'accept' };
    if (action === 'decline') return { approved: false, answer: 'decline', reason: 'the user declined the call' };
    return { approved: false, answer: 'cancel', reason: 'the user cancelled the approval' };
  }
}

const MAX_ARGS_SHOWN = 2000;

/** What the user reads: server, tool, risk, why the policy asks, and the exact arguments. */
export function approvalMessage(request: ApprovalRequest): string {
  let args = JSON.stringify(request.arguments ?? {}, null, 2);
  if (args.length > MAX_ARGS_SHOWN) args = `${args.slice(0, MAX_ARGS_SHOWN)}\n… (${args.length - MAX_ARGS_SHOWN} more characters)`;
  const risk = `${request.risk.category}, ${request.risk.level} risk (from ${request.risk.source})`;
  const lines = [
    `MCP Warden: allow the tool "${request.tool}" of server "${request.server}" to run?`,
    `Risk: ${risk}`,
    ...(request.reason ? [`Policy: ${request.reason}${request.line ? ` (line ${request.line})` : ''}`] : []),
    `Arguments (this approval covers exactly these):`,
    args,
  ];
  return lines.join('\n');
}
