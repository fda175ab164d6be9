// The tools/call path: each call decided by the policy (and asked about when it says so), its audit
// line written, and only then forwarded; a call whose line cannot be written is refused (the proxy fails
// closed). Calls that arrive together have their lines written in one write before any of them goes on.
import { performance } from 'node:perf_hooks';
import type { Decision } from '../policy/model';
import {
  ElicitationApprover,
  EditorApprover,
  requestApproval,
  type ApprovalOutcome,
  type Approver,
} from './approval';
import { auditTime, type AuditEntry, type AuditLog } from './audit-log';
import type { RefusedCall } from './call-attempt';
import { callOrigin, countingSession } from './call-origin';
import type { CallOrigin } from './control-protocol';
import { blockedResult, decideCall, decideCallShared, riskOf } from './interception';
import { ErrorCode, errorFrame, resultFrame, type Frame, type RequestId } from './jsonrpc';
import type { OwnRequests } from './own-requests';
import type { PendingRequests } from './pending-requests';
import type { Downstream, SessionOptions } from './relay';
import { TeamApprover } from './team-approver';
import type { ToolCatalogue } from './tool-catalogue';

/** Why an `ask` is refused by a proxy the editor launched while the editor is not connected. */
export const EDITOR_NOT_CONNECTED =
  "approval required, but Warden's approver in the editor is not connected (a proxy the editor launched asks only there, never through the agent's client)";

/** Messages that arrived together: the calls waiting for their audit lines, and what follows them. */
interface Chunk {
  calls: Map<Frame, AuditEntry>;
  queue: Frame[];
}

/** The session's side: where a call goes on once its line is written, and whether the session has ended. */
export interface CallRoutes {
  forward: (frame: Frame) => void;
  toUpstream: (frame: Frame) => void;
  closed: () => boolean;
}

export class ToolCalls {
  private readonly server: string;
  private readonly sessionId: string;
  private readonly approvals = new Map<RequestId, AbortController>();
  /** While a chunk is delivered: its audit lines are written together, before its calls go on. */
  private chunk: Chunk | undefined;

  constructor(
    private readonly options: SessionOptions,
    private readonly downstream: Downstream,
    private readonly pending: PendingRequests,
    private readonly catalogue: ToolCatalogue,
    private readonly own: OwnRequests,
    private readonly routes: CallRoutes,
  ) {
    this.server = options.server;
    this.sessionId = options.sessionId;
  }

  /** A call of this id is waiting for its approval. */
  approving(id: RequestId): boolean {
    return this.approvals.has(id);
  }

  /** The client cancelled a call: its approval is withdrawn; false when none was waiting. */
  cancel(id: RequestId): boolean {
    const approval = this.approvals.get(id);
    if (!approval) return false;
    approval.abort('the call was cancelled by the client');
    return true;
  }

  /** Withdraws every approval still waiting. */
  abortApprovals(reason: string): void {
    for (const controller of this.approvals.values()) controller.abort(reason);
    this.approvals.clear();
  }

  /** Delivers a chunk: its audit lines in one write, then its calls (and what follows them) upstream. */
  inChunk(audit: AuditLog, deliver: () => void): void {
    const chunk: Chunk = { calls: new Map(), queue: [] };
    this.chunk = chunk;
    try {
      deliver();
    } finally {
      this.chunk = undefined;
      this.releaseChunk(chunk, audit);
    }
  }

  /** Behind a call whose audit line is not written yet: held, in order, until the chunk's lines are. */
  holding(frame: Frame): boolean {
    const chunk = this.chunk;
    if (chunk === undefined || chunk.calls.size === 0) return false;
    chunk.queue.push(frame);
    return true;
  }

  /** What a lenient server could run as a call but the policy cannot decide: dropped, and audited as refused. */
  refuse(frame: Frame, refused: RefusedCall): void {
    this.auditRefusal(refused);
    if (frame.kind === 'request') {
      const id = frame.msg.id as RequestId;
      this.downstream.send(errorFrame(id, ErrorCode.InvalidRequest, `Refused: ${refused.why}`), id);
    }
  }

  auditRefusal(refused: RefusedCall): void {
    const reason = `refused without asking the policy: ${refused.why}`;
    const decision: Decision = { decision: 'deny', reason, rule: null, line: null, rateLimit: null, hidden: false };
    this.record(refused.tool, refused.args, {}, decision, 'deny', reason, performance.now());
  }

  call(frame: Frame): void {
    const id = frame.msg.id as RequestId;
    const params = frame.msg.params as { name?: unknown; arguments?: unknown; _meta?: unknown } | undefined;
    if (!params || typeof params.name !== 'string') {
      this.downstream.send(errorFrame(id, ErrorCode.InvalidParams, 'Invalid params: tools/call needs "params.name", a string'), id);
      return;
    }
    const started = performance.now();
    const tool = params.name;
    const args = params.arguments;
    const origin = callOrigin(params);
    // A tool held back by its pin (or its description) is refused before the policy counts the call.
    const pinned = this.catalogue.pinRefusal(tool);
    if (pinned !== undefined) return this.refusePinned(id, tool, args, origin, pinned, started);
    const enforcer = this.options.policy.current;
    const session = countingSession(origin, this.sessionId);
    const { state, principal } = this.options;
    if (state) return this.decideShared(frame, tool, args, origin, started, decideCallShared(enforcer, state, this.server, tool, args, session, principal));
    this.settle(frame, tool, args, origin, decideCall(enforcer, this.server, tool, args, session, principal), started);
  }

  /**
   * A decision that waits for the shared state: the call counts as in flight meanwhile (its id cannot be
   * reused, a cancel withdraws it), and nothing of it goes on before the decision is in.
   */
  private decideShared(frame: Frame, tool: string, args: unknown, origin: CallOrigin, started: number, deciding: Promise<Decision>): void {
    const id = frame.msg.id as RequestId;
    const controller = new AbortController();
    this.approvals.set(id, controller);
    void deciding.then((decision) => {
      if (this.approvals.get(id) === controller) this.approvals.delete(id);
      if (this.routes.closed()) return;
      if (controller.signal.aborted) {
        // Withdrawn by the client while it was decided: refused, and (the MCP cancellation rule) not answered.
        const reason = String(controller.signal.reason);
        return this.record(tool, args, origin, decision, 'deny', reason, started);
      }
      // The tool may have changed while the shared state answered: held back now, the call does not go on.
      const held = this.catalogue.pinRefusal(tool);
      if (held !== undefined) return this.refusePinned(id, tool, args, origin, held, started);
      this.settle(frame, tool, args, origin, decision, started);
    });
  }

  private settle(frame: Frame, tool: string, args: unknown, origin: CallOrigin, decision: Decision, started: number): void {
    const id = frame.msg.id as RequestId;
    if (decision.decision === 'allow') {
      this.recordThenForward(frame, tool, args, origin, decision, decision.reason, started);
    } else if (decision.decision === 'deny') {
      this.record(tool, args, origin, decision, 'deny', decision.reason, started);
      this.answerBlocked(id, decision.reason, decision.line);
    } else {
      // Nobody is asked to approve a call whose line could not be written.
      const failure = this.options.audit?.ready() ?? null;
      if (failure === null) this.approve(frame, tool, args, origin, decision, started);
      else this.refuseUnaudited(frame, this.entry(tool, args, origin, decision, 'deny', decision.reason, started), failure);
    }
  }

  private approve(frame: Frame, tool: string, args: unknown, origin: CallOrigin, decision: Decision, started: number): void {
    const id = frame.msg.id as RequestId;
    const controller = new AbortController();
    this.approvals.set(id, controller);
    const enforcer = this.options.policy.current;
    const approvers: Approver[] = [];
    if (this.options.teamApprovals) {
      // A team's gateway: the policy's approvers answer on the approvals page, never the caller's own client.
      approvers.push(new TeamApprover(this.options.teamApprovals, this.options.principal, this.options.teamGrants));
    } else if (this.options.control) approvers.push(new EditorApprover(this.options.control));
    if (!this.options.editorApprovalsOnly && !this.options.teamApprovals) {
      approvers.push(
        new ElicitationApprover(
          () => this.own.canElicit(),
          (method, params, signal) => this.own.request(method, params, id, signal),
        ),
      );
    }
    const toolInfo = this.catalogue.get(tool) ?? { name: tool };
    const request = {
      server: this.server,
      session: this.sessionId,
      ...origin,
      tool,
      arguments: args ?? {},
      risk: riskOf(enforcer, this.server, toolInfo),
      reason: decision.reason,
      rule: decision.rule,
      line: decision.line,
    };
    const nobody = this.options.editorApprovalsOnly ? EDITOR_NOT_CONNECTED : undefined;
    void requestApproval(approvers, request, this.options.approvalTimeoutMs, controller.signal, nobody).then((outcome: ApprovalOutcome) => {
      this.approvals.delete(id);
      if (this.routes.closed()) return;
      const approval = { by: outcome.by, answer: outcome.answer };
      if (outcome.approved) {
        // The tool may have changed while the person was asked: held back now, the call does not go on.
        const held = this.catalogue.pinRefusal(tool);
        if (held !== undefined) return this.refusePinned(id, tool, args, origin, held, started);
        this.recordThenForward(frame, tool, args, origin, decision, outcome.reason, started, approval);
        return;
      }
      this.record(tool, args, origin, decision, 'deny', outcome.reason, started, approval);
      // A call the client cancelled gets no answer (the MCP cancellation rule).
      if (outcome.answer !== 'cancelled') this.answerBlocked(id, outcome.reason, decision.line);
    });
  }

  private refusePinned(id: RequestId, tool: string, args: unknown, origin: CallOrigin, reason: string, started: number): void {
    const decision: Decision = { decision: 'deny', reason, rule: null, line: null, rateLimit: null, hidden: false };
    this.record(tool, args, origin, decision, 'deny', reason, started);
    this.downstream.send(resultFrame(id, { isError: true, content: [{ type: 'text', text: `Blocked by MCP Warden: ${reason}` }] }), id);
  }

  private answerBlocked(id: RequestId, reason: string | null, line: number | null): void {
    this.downstream.send(resultFrame(id, blockedResult(reason, this.options.policy.file, line)), id);
  }

  /** A refused call's line: written now, or with the lines of its chunk; the editor is told. */
  private record(
    tool: string,
    args: unknown,
    origin: CallOrigin,
    decision: Decision,
    outcome: 'allow' | 'deny',
    reason: string | null,
    started: number,
    approval?: AuditEntry['approval'],
  ): void {
    const { audit, control } = this.options;
    if (!audit && !control) return;
    const entry = this.entry(tool, args, origin, decision, outcome, reason, started, approval);
    control?.send({ type: 'decision', ...entry });
    if (!audit) return;
    if (this.chunk) audit.hold(entry, this.loggedArgs(args));
    else audit.write(entry, this.loggedArgs(args));
  }

  /**
   * An allowed call: its audit line is written first (now, or with the lines of its chunk, before the
   * chunk's upstream write), then the call goes to the server. A line that cannot be written refuses it.
   */
  private recordThenForward(
    frame: Frame,
    tool: string,
    args: unknown,
    origin: CallOrigin,
    decision: Decision,
    reason: string | null,
    started: number,
    approval?: AuditEntry['approval'],
  ): void {
    const { audit, control } = this.options;
    if (!audit && !control) return this.routes.forward(frame);
    const entry = this.entry(tool, args, origin, decision, 'allow', reason, started, approval);
    if (!audit) {
      control?.send({ type: 'decision', ...entry });
      return this.routes.forward(frame);
    }
    const chunk = this.chunk;
    const failure = chunk ? audit.hold(entry, this.loggedArgs(args)) : audit.write(entry, this.loggedArgs(args));
    if (failure !== null) return this.refuseUnaudited(frame, entry, failure);
    if (chunk) {
      // Held, with whatever follows it upstream in this chunk, until the chunk's lines are written.
      chunk.calls.set(frame, entry);
    } else {
      control?.send({ type: 'decision', ...entry });
    }
    this.routes.forward(frame);
  }

  /** After a chunk's messages: its audit lines in one write, then its calls upstream (or refused). */
  private releaseChunk(chunk: Chunk, audit: AuditLog): void {
    const failure = audit.flush();
    for (const frame of chunk.queue) {
      const entry = chunk.calls.get(frame);
      if (entry === undefined) {
        this.routes.toUpstream(frame);
      } else if (failure !== null) {
        this.refuseUnaudited(frame, entry, failure);
      } else {
        this.options.control?.send({ type: 'decision', ...entry });
        this.routes.toUpstream(frame);
      }
    }
  }

  /** A call whose audit line could not be written: refused with the reason (the proxy fails closed). */
  private refuseUnaudited(frame: Frame, entry: AuditEntry, failure: string): void {
    const id = frame.msg.id as RequestId;
    this.pending.settle(id);
    const reason = `the audit log cannot be written (${failure}); every tool call is refused until it can be`;
    this.options.control?.send({ type: 'decision', ...entry, decision: 'deny', reason });
    this.downstream.send(resultFrame(id, { isError: true, content: [{ type: 'text', text: `Refused by MCP Warden: ${reason}` }] }), id);
  }

  private entry(
    tool: string,
    args: unknown,
    origin: CallOrigin,
    decision: Decision,
    outcome: 'allow' | 'deny',
    reason: string | null,
    started: number,
    approval?: AuditEntry['approval'],
  ): AuditEntry {
    const entry: AuditEntry = {
      time: auditTime(),
      server: this.server,
      tool,
      decision: outcome,
      policy: decision.decision,
      reason,
      rule: decision.rule,
      line: decision.line,
      argsHmac: this.options.audit?.argsHmac(args),
      latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
      session: this.sessionId,
    };
    if (origin.conversation !== undefined) entry.conversation = origin.conversation;
    if (origin.request !== undefined) entry.request = origin.request;
    if (origin.traceparent !== undefined) entry.traceparent = origin.traceparent;
    if (approval) entry.approval = approval;
    return entry;
  }

  /** The arguments to write in the line, when the policy says `audit: { args: true }`. */
  private loggedArgs(args: unknown): { value: unknown } | undefined {
    return this.options.policy.current.engine?.policy.audit.args === true ? { value: args } : undefined;
  }
}
