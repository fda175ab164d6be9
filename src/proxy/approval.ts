// Approval of `ask` calls: the editor over the control channel when it is connected, else the
// agent's client through MCP elicitation when it declared that capability, else nobody (deny).
// An approval covers one call with its exact arguments; nothing is remembered between calls.
import type { RiskAssessment } from '../policy/model';
import type { ControlChannel } from './control-channel';
import type { CallOrigin } from './control-protocol';
import type { JsonRpcMessage } from './jsonrpc';
import { LINE_COLUMNS, readingSize, visibleJson, visibleName, visibleText } from './visible-text';

export const DEFAULT_APPROVAL_TIMEOUT_MS = 60_000;
export const NO_APPROVER_REASON = 'approval required but no approver is connected';
/** The approver's answer when the call could not be shown in full: it was denied without asking. */
export const UNSHOWABLE_ANSWER = 'unshowable';

export interface ApprovalRequest extends CallOrigin {
  server: string;
  session: string;
  tool: string;
  arguments: unknown;
  risk: RiskAssessment;
  reason: string | null;
  rule: string | null;
  line: number | null;
}

/**
 * `reason` of an approval: who gave it, when the approver knows (a team's approvals page). `session`: no
 * one was asked, a person's "allow for this session" covered the call.
 */
export type ApproverAnswer = { approved: true; answer: 'accept' | 'session'; reason?: string } | { approved: false; answer: string; reason: string };

export interface Approver {
  readonly name: 'editor' | 'elicitation' | 'team';
  available(): boolean;
  /** Resolves with the answer, or (once `signal` aborts) with a refusal; never rejects. */
  ask(request: ApprovalRequest, timeoutMs: number, signal: AbortSignal): Promise<ApproverAnswer>;
}

export type ApprovalOutcome = { approved: boolean; by: string; answer: string; reason: string };

/**
 * Asks the first available approver, denying on timeout or when `cancel` aborts (the agent withdrew
 * the call). Resolves; never rejects.
 */
export async function requestApproval(
  approvers: Approver[],
  request: ApprovalRequest,
  timeoutMs: number,
  cancel?: AbortSignal,
  /** The reason given when no approver is available. */
  nobody: string = NO_APPROVER_REASON,
): Promise<ApprovalOutcome> {
  const approver = approvers.find((a) => a.available());
  if (!approver) return { approved: false, by: 'none', answer: 'none', reason: nobody };

  const controller = new AbortController();
  const seconds = Math.round(timeoutMs / 100) / 10;
  const timer = setTimeout(() => controller.abort(`approval timed out after ${seconds} s`), timeoutMs);
  const onCancel = (): void => controller.abort('the call was cancelled by the client');
  cancel?.addEventListener('abort', onCancel, { once: true });
  try {
    const answer = await approver.ask(request, timeoutMs, controller.signal);
    if (answer.approved) return { approved: true, by: approver.name, answer: answer.answer, reason: answer.reason ?? `approved via ${approver.name}` };
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
        ...(request.conversation !== undefined ? { conversation: request.conversation } : {}),
        ...(request.request !== undefined ? { request: request.request } : {}),
        ...(request.traceparent !== undefined ? { traceparent: request.traceparent } : {}),
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
    if (answer.approved) return { approved: true, answer: 'accept' };
    return { approved: false, answer: answer.unshowable ? UNSHOWABLE_ANSWER : 'decline', reason: answer.reason };
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
    const message = approvalMessage(request);
    // Asking about what the person cannot see whole would let a part of it through unread.
    if (!message.shown) return { approved: false, answer: UNSHOWABLE_ANSWER, reason: message.reason };
    let response: JsonRpcMessage;
    try {
      response = await this.request('elicitation/create', { message: message.text, requestedSchema: { type: 'object', properties: {} } }, signal);
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

/**
 * The most an elicitation prompt asks a person to read: 10,000 characters in 300 lines (a line longer
 * than 120 characters counts once per 120). Clients show the message as it is, in a chat bubble or a
 * notification, with no structure to fold; past a few screens a person approving is no longer reading,
 * and a long argument is where something to slip past them would hide. A call whose prompt would be
 * larger is denied without asking, saying why; the editor's own approval panel, which scrolls, has no
 * such bound.
 */
export const MAX_PROMPT_CHARACTERS = 10_000;
export const MAX_PROMPT_LINES = 300;

export type ApprovalText = { shown: true; text: string } | { shown: false; reason: string };

/**
 * What the user reads: server, tool, risk, why the policy asks, and the exact arguments, every character
 * visible (hidden ones escaped) and none cut. Arguments are in a code block, names in code spans, so a
 * client that renders Markdown shows them literally. When that would exceed the bound: why it is not asked.
 */
export function approvalMessage(request: ApprovalRequest): ApprovalText {
  const args = visibleJson(request.arguments ?? {});
  if (args === undefined) return { shown: false, reason: 'the call\'s arguments cannot be shown (they cannot be written as JSON), so it was not asked' };
  const risk = `${request.risk.category}, ${request.risk.level} risk (from ${request.risk.source})`;
  const fence = '`'.repeat(Math.max(3, longestRun(args, '`') + 1));
  const text = [
    `MCP Warden: allow the tool ${codeSpan(visibleName(request.tool))} of server ${codeSpan(visibleName(request.server))} to run?`,
    `Risk: ${risk}`,
    ...(request.reason ? [`Policy: ${visibleText(request.reason)}${request.line ? ` (line ${request.line})` : ''}`] : []),
    `Arguments (this approval covers exactly these):`,
    `${fence}json`,
    args,
    fence,
  ].join('\n');
  const size = readingSize(text);
  if (size.characters > MAX_PROMPT_CHARACTERS || size.lines > MAX_PROMPT_LINES) {
    return {
      shown: false,
      reason:
        `the call is too large to show in full in an approval prompt (${size.characters} characters in ${size.lines} lines; ` +
        `a prompt shows at most ${MAX_PROMPT_CHARACTERS} characters in ${MAX_PROMPT_LINES} lines of ${LINE_COLUMNS}), so it was not asked`,
    };
  }
  return { shown: true, text };
}

/** Markdown inline code that shows `text` literally, whatever backticks it holds. */
function codeSpan(text: string): string {
  const fence = '`'.repeat(longestRun(text, '`') + 1);
  return text.includes('`') ? `${fence} ${text} ${fence}` : `${fence}${text}${fence}`;
}

function longestRun(text: string, character: string): number {
  let longest = 0;
  let run = 0;
  for (const c of text) {
    run = c === character ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  return longest;
}
