// One proxied session: a downstream client (the agent) and one upstream session with the real
// server, kept for the client's life. Messages pass through as the bytes received where that is
// unambiguous (a tools/call request, a message that could hide one, and a server message that is not a
// plain response go on as parsed); only `tools/call` requests and `tools/list` results are intercepted.
// The upstream is restarted on the next request after it dies (with backoff), and re-initialised with
// the client's own initialize.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Decision, ToolInfo } from '../policy/model';
import {
  ElicitationApprover,
  EditorApprover,
  requestApproval,
  type ApprovalOutcome,
  type Approver,
} from './approval';
import { auditTime, type AuditEntry, type AuditLog } from './audit-log';
import { attemptedCall, refusedCall, type RefusedCall } from './call-attempt';
import { callOrigin, countingSession } from './call-origin';
import type { ControlChannel } from './control-channel';
import type { CallOrigin } from './control-protocol';
import { blockedResult, decideCall, filterTools, isTool, riskOf, toolReports, visibleSignature } from './interception';
import { ErrorCode, errorFrame, frameOf, passThroughResponse, progressTokenOf, reserialised, resultFrame, type Frame, type JsonRpcMessage, type RequestId } from './jsonrpc';
import type { EnforcedPolicy } from './policy-source';
import type { Upstream, UpstreamFactory } from './upstream';

/** The agent's side, as the relay sees it. */
export interface Downstream {
  /** Sends one message; `related` is the client request it belongs to, when known (HTTP routing). */
  send(frame: Frame, related?: RequestId): void;
  cork?(): void;
  uncork?(): void;
}

export interface SessionOptions {
  server: string;
  sessionId: string;
  policy: EnforcedPolicy;
  upstream: UpstreamFactory;
  audit?: AuditLog;
  control?: ControlChannel;
  /**
   * Launched by the editor: `ask` is approved in Warden's own prompt only, never by an MCP elicitation that
   * the agent's client might answer by itself; with the editor not connected it is refused.
   */
  editorApprovalsOnly?: boolean;
  approvalTimeoutMs: number;
  /** Forward the server's `readOnlyHint` as it is, instead of only for tools Warden classifies as read. */
  trustAnnotations?: boolean;
  log: (message: string) => void;
}

interface Forwarded {
  method: string;
  progressToken?: RequestId;
}

type UpstreamState = 'idle' | 'starting' | 'ready' | 'down';

/** Messages that arrived together: the calls waiting for their audit lines, and what follows them. */
interface Chunk {
  calls: Map<Frame, AuditEntry>;
  queue: Frame[];
}

/** Restart delays after the upstream died again soon after a start. */
const RESTART_BACKOFF_MS = [0, 250, 500, 1000, 2000, 5000, 10000];
/** An upstream that lived this long has recovered: the backoff starts over. */
const HEALTHY_AFTER_MS = 10_000;

export class ProxySession {
  readonly sessionId: string;
  private readonly server: string;
  private upstream: Upstream | undefined;
  private state: UpstreamState = 'idle';
  /** Messages held while the upstream (re)starts. */
  private outbox: Frame[] = [];
  /** Client requests sent upstream and not answered yet. */
  private readonly forwarded = new Map<RequestId, Forwarded>();
  private readonly progressRoutes = new Map<RequestId, RequestId>();
  /** Server requests sent to the client and not answered yet. */
  private readonly serverRequests = new Set<RequestId>();
  /** Requests of the proxy's own to the client (elicitation). */
  private readonly clientRequests = new Map<RequestId, (response: JsonRpcMessage) => void>();
  private readonly approvals = new Map<RequestId, AbortController>();
  private initialize: { frame: Frame; answered: boolean; initialized: boolean } | undefined;
  private clientCapabilities: Record<string, unknown> = {};
  private replayId: RequestId | undefined;
  private quickDeaths = 0;
  private startedAt = 0;
  private readonly catalogue = new Map<string, ToolInfo>();
  private catalogueSignature = '';
  private readonly stopListening: () => void;
  private closed = false;
  /** While a chunk is delivered: its audit lines are written together, before its calls go on. */
  private chunk: Chunk | undefined;

  constructor(
    private readonly options: SessionOptions,
    private readonly downstream: Downstream,
  ) {
    this.sessionId = options.sessionId;
    this.server = options.server;
    this.stopListening = options.policy.onChange(() => this.policyChanged());
  }

  /** Starts the upstream now, so the first request does not wait for it. */
  start(): void {
    this.ensureUpstream();
  }

  /** A valid message from the client. One that fails is answered with an error; it never stops the session. */
  receive(frame: Frame): void {
    if (this.closed) return;
    try {
      this.fromClient(frame);
    } catch (error) {
      this.failedMessage('client', frame, error as Error);
    }
  }

  private fromClient(frame: Frame): void {
    const refused = refusedCall(frame, (id) => this.inFlight(id));
    if (refused) return this.refuseCall(frame, refused);
    frame = normalisedIfAmbiguous(frame);
    const msg = frame.msg;
    switch (frame.kind) {
      case 'request':
        if (msg.method === 'tools/call') return this.toolCall(frame);
        if (this.inFlight(msg.id as RequestId)) {
          const id = msg.id as RequestId;
          return this.downstream.send(errorFrame(id, ErrorCode.InvalidRequest, `Invalid Request: a request with the id ${JSON.stringify(id)} is still in flight`), id);
        }
        if (msg.method === 'initialize') {
          this.initialize = { frame, answered: false, initialized: false };
          const caps = (msg.params as { capabilities?: unknown } | undefined)?.capabilities;
          this.clientCapabilities = caps && typeof caps === 'object' ? (caps as Record<string, unknown>) : {};
        }
        return this.forwardRequest(frame);
      case 'notification':
        if (msg.method === 'notifications/cancelled') {
          const requestId = (msg.params as { requestId?: RequestId } | undefined)?.requestId;
          const approval = requestId === undefined ? undefined : this.approvals.get(requestId);
          if (approval) return approval.abort('the call was cancelled by the client');
        } else if (msg.method === 'notifications/initialized' && this.initialize) {
          this.initialize.initialized = true;
        }
        return this.toUpstream(frame);
      case 'response': {
        // Answers go where they were asked for, by exact id: Warden's own requests have ids of their
        // own that no server request may carry.
        const id = msg.id;
        const own = isOwnId(id) ? this.clientRequests.get(id) : undefined;
        if (own) {
          this.clientRequests.delete(id as RequestId);
          return own(msg);
        }
        if (!isOwnId(id) && id !== null && id !== undefined && this.serverRequests.delete(id)) return this.toUpstream(frame);
        this.options.log(`dropped a client response to an unknown request id ${JSON.stringify(id)}`);
        return;
      }
    }
  }

  /** A client request of this id is being decided, approved or answered by the server. */
  private inFlight(id: RequestId): boolean {
    return this.forwarded.has(id) || this.approvals.has(id);
  }

  /** What a lenient server could run as a call but the policy cannot decide: dropped, and audited as refused. */
  private refuseCall(frame: Frame, refused: RefusedCall): void {
    this.auditRefusal(refused);
    if (frame.kind === 'request') {
      const id = frame.msg.id as RequestId;
      this.downstream.send(errorFrame(id, ErrorCode.InvalidRequest, `Refused: ${refused.why}`), id);
    }
  }

  private auditRefusal(refused: RefusedCall): void {
    const reason = `refused without asking the policy: ${refused.why}`;
    const decision: Decision = { decision: 'deny', reason, rule: null, line: null, rateLimit: null, hidden: false };
    this.record(refused.tool, refused.args, {}, decision, 'deny', reason, performance.now());
  }

  /** A message that threw on its way through: logged; a request gets an error instead of hanging. */
  private failedMessage(from: 'client' | 'server', frame: Frame, error: Error): void {
    this.options.log(`a message from the ${from} could not be relayed and was dropped: ${error.message}`);
    const id = frame.msg.id;
    if (id === undefined || id === null) return;
    try {
      if (from === 'client' && frame.kind === 'request' && !this.inFlight(id)) {
        this.downstream.send(errorFrame(id, ErrorCode.InternalError, `Internal error: the proxy could not relay this message (${error.message})`), id);
      } else if (from === 'server' && frame.kind === 'response' && this.settle(id)) {
        this.downstream.send(errorFrame(id, ErrorCode.InternalError, `Internal error: the proxy could not relay the server's answer (${error.message})`), id);
      }
    } catch {
      // Nothing more can be said about this message.
    }
  }

  /**
   * Delivers messages that arrived together; what they send upstream goes in one write, after the
   * one write of their audit lines.
   */
  together(deliver: () => void): void {
    const audit = this.options.audit;
    if (!audit) return batched(this.upstream, deliver);
    batched(this.upstream, () => {
      const chunk: Chunk = { calls: new Map(), queue: [] };
      this.chunk = chunk;
      try {
        deliver();
      } finally {
        this.chunk = undefined;
        this.releaseChunk(chunk, audit);
      }
    });
  }

  /**
   * Sends an error to the client for a message the transport could not accept; `refused` is that
   * message when it was JSON (a call it attempted is audited as refused).
   */
  reject(frame: Frame, refused?: unknown): void {
    this.downstream.send(frame);
    this.noteRefused(refused, frame.msg.error?.message ?? 'an invalid message');
  }

  /** Audits a call attempted by a message the transport refused (for transports that answer it themselves). */
  noteRefused(refused: unknown, why: string): void {
    if (this.closed || refused === undefined) return;
    try {
      const attempt = attemptedCall(refused, why);
      if (attempt) this.auditRefusal(attempt);
    } catch (error) {
      this.options.log(`a refused call could not be audited: ${(error as Error).message}`);
    }
  }

  // ---- tools/call ----

  private toolCall(frame: Frame): void {
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
    const enforcer = this.options.policy.current;
    const decision = decideCall(enforcer, this.server, tool, args, countingSession(origin, this.sessionId));
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
    if (this.options.control) approvers.push(new EditorApprover(this.options.control));
    if (!this.options.editorApprovalsOnly) {
      approvers.push(
        new ElicitationApprover(
          () => this.clientCanElicit(),
          (method, params, signal) => this.requestFromClient(method, params, id, signal),
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
      if (this.closed) return;
      const approval = { by: outcome.by, answer: outcome.answer };
      if (outcome.approved) {
        this.recordThenForward(frame, tool, args, origin, decision, outcome.reason, started, approval);
        return;
      }
      this.record(tool, args, origin, decision, 'deny', outcome.reason, started, approval);
      // A call the client cancelled gets no answer (the MCP cancellation rule).
      if (outcome.answer !== 'cancelled') this.answerBlocked(id, outcome.reason, decision.line);
    });
  }

  private clientCanElicit(): boolean {
    const elicitation = this.clientCapabilities.elicitation;
    if (!elicitation || typeof elicitation !== 'object') return false;
    // Since 2025-11-25 a client lists its modes; an empty object still means form mode.
    const modes = Object.keys(elicitation);
    return modes.length === 0 || modes.includes('form');
  }

  private requestFromClient(method: string, params: Record<string, unknown>, related: RequestId, signal: AbortSignal): Promise<JsonRpcMessage> {
    const id = ownId();
    return new Promise<JsonRpcMessage>((resolve, reject) => {
      const onAbort = (): void => {
        if (!this.clientRequests.delete(id)) return;
        this.downstream.send(frameOf({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: String(signal.reason) } }), related);
        reject(new Error(String(signal.reason)));
      };
      this.clientRequests.set(id, (response) => {
        signal.removeEventListener('abort', onAbort);
        resolve(response);
      });
      signal.addEventListener('abort', onAbort, { once: true });
      this.downstream.send(frameOf({ jsonrpc: '2.0', id, method, params }), related);
    });
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
    if (!audit && !control) return this.forwardRequest(frame);
    const entry = this.entry(tool, args, origin, decision, 'allow', reason, started, approval);
    if (!audit) {
      control?.send({ type: 'decision', ...entry });
      return this.forwardRequest(frame);
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
    this.forwardRequest(frame);
  }

  /** After a chunk's messages: its audit lines in one write, then its calls upstream (or refused). */
  private releaseChunk(chunk: Chunk, audit: AuditLog): void {
    const failure = audit.flush();
    for (const frame of chunk.queue) {
      const entry = chunk.calls.get(frame);
      if (entry === undefined) {
        this.toUpstream(frame);
      } else if (failure !== null) {
        this.refuseUnaudited(frame, entry, failure);
      } else {
        this.options.control?.send({ type: 'decision', ...entry });
        this.toUpstream(frame);
      }
    }
  }

  /** A call whose audit line could not be written: refused with the reason (the proxy fails closed). */
  private refuseUnaudited(frame: Frame, entry: AuditEntry, failure: string): void {
    const id = frame.msg.id as RequestId;
    this.settle(id);
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

  // ---- forwarding ----

  private forwardRequest(frame: Frame): void {
    const id = frame.msg.id as RequestId;
    const progressToken = progressTokenOf(frame.msg);
    this.forwarded.set(id, progressToken === undefined ? { method: frame.msg.method! } : { method: frame.msg.method!, progressToken });
    if (progressToken !== undefined) this.progressRoutes.set(progressToken, id);
    this.toUpstream(frame);
  }

  private toUpstream(frame: Frame): void {
    // Behind a call whose audit line is not written yet: held, in order, until the chunk's lines are.
    if (this.chunk !== undefined && this.chunk.calls.size > 0) {
      this.chunk.queue.push(frame);
      return;
    }
    if (this.state === 'ready') {
      this.upstream!.send(frame);
    } else if (this.state === 'starting') {
      this.outbox.push(frame);
    } else if (frame.kind === 'request') {
      this.outbox.push(frame);
      this.ensureUpstream();
    }
    // A notification or response while the server is down has no one to go to: dropped.
  }

  /**
   * A plain success response, before it is parsed: forwarded as received unless the relay must read
   * it (a tools/list result to filter, the initialize answer, the answer to a replayed initialize).
   */
  private plainResponse(id: RequestId, line: Buffer): boolean {
    if (this.closed) return true;
    if (this.replayId !== undefined) return false;
    // Exact ids only: "7" does not answer 7 (a client that matches loosely would take it unfiltered).
    const pending = this.forwarded.get(id);
    if (!pending) {
      this.droppedAnswer(id);
      return true;
    }
    if (pending.method === 'tools/list' || pending.method === 'initialize') return false;
    try {
      this.settle(id);
      this.downstream.send(passThroughResponse(id, line), id);
    } catch (error) {
      this.options.log(`the server's answer to ${JSON.stringify(id)} could not be relayed: ${(error as Error).message}`);
    }
    return true;
  }

  private droppedAnswer(id: RequestId | null | undefined): void {
    this.options.log(`dropped a server response to an unknown request id ${JSON.stringify(id)}`);
  }

  /** The request an answer from the server settles, forgotten with its progress route. */
  private settle(id: RequestId): Forwarded | undefined {
    const pending = this.forwarded.get(id);
    if (!pending) return undefined;
    this.forwarded.delete(id);
    if (pending.progressToken !== undefined) this.progressRoutes.delete(pending.progressToken);
    return pending;
  }

  /** From the upstream. One that fails is dropped (its request answered with an error); it never stops the session. */
  private fromUpstream(frame: Frame): void {
    if (this.closed) return;
    try {
      this.fromServer(frame);
    } catch (error) {
      this.failedMessage('server', frame, error as Error);
    }
  }

  private fromServer(frame: Frame): void {
    const msg = frame.msg;
    if (frame.kind === 'response') {
      const id = msg.id;
      if (this.replayId !== undefined && id === this.replayId) return this.replayAnswered(msg);
      // Routed by who asked, by exact id; an answer to nothing the client asked is dropped.
      const pending = id === null || id === undefined ? undefined : this.settle(id);
      if (!pending) return this.droppedAnswer(id);
      if (pending.method === 'tools/list') frame = this.filterToolsList(frame);
      else if (pending.method === 'initialize' && this.initialize && !msg.error) this.initialize.answered = true;
      this.downstream.send(frame, id as RequestId);
      return;
    }
    if (frame.kind === 'request') {
      const id = msg.id as RequestId;
      // The ids of Warden's own requests to the client are not the server's to use: an answer must
      // never be taken for the user's.
      if (isOwnId(id)) {
        this.options.log(`refused a server request with the reserved id ${JSON.stringify(id)}`);
        this.upstream?.send(errorFrame(id, ErrorCode.InvalidRequest, `Invalid Request: ids starting with "${OWN_ID_PREFIX}" are reserved by the proxy`));
        return;
      }
      if (this.serverRequests.has(id)) {
        this.options.log(`dropped a server request whose id ${JSON.stringify(id)} is still in flight`);
        return;
      }
      this.serverRequests.add(id);
      this.downstream.send(frame);
      return;
    }
    if (msg.method === 'notifications/progress') {
      const token = (msg.params as { progressToken?: RequestId } | undefined)?.progressToken;
      this.downstream.send(frame, token === undefined ? undefined : this.progressRoutes.get(token));
      return;
    }
    if (msg.method === 'notifications/cancelled') {
      // The server may withdraw only its own requests (never one of Warden's).
      const requestId = (msg.params as { requestId?: RequestId } | undefined)?.requestId;
      if (requestId === undefined || !this.serverRequests.delete(requestId)) return this.options.log(`dropped a server cancellation of a request it did not make (${JSON.stringify(requestId)})`);
    }
    this.downstream.send(frame);
  }

  private filterToolsList(frame: Frame): Frame {
    const result = frame.msg.result as { tools?: unknown } | undefined;
    // Not a list to filter: still written anew, so no duplicate key hides another list in its bytes.
    if (!result || typeof result !== 'object' || !Array.isArray(result.tools)) return reserialised(frame);
    const enforcer = this.options.policy.current;
    for (const tool of result.tools) if (isTool(tool)) this.catalogue.set(tool.name, tool);
    this.catalogueSignature = visibleSignature(enforcer, this.server, this.catalogue.values(), this.options.trustAnnotations);
    this.options.control?.send({ type: 'tools', server: this.server, session: this.sessionId, tools: toolReports(enforcer, this.server, this.catalogue.values()) });
    // Always written anew: the tools and annotations the client reads are the ones decided here.
    const tools = filterTools(enforcer, this.server, result.tools, this.options.trustAnnotations);
    return frameOf({ jsonrpc: '2.0', id: frame.msg.id, result: { ...result, tools } });
  }

  /** After a reload: tell the client to list again when what it sees of the tools changed. */
  private policyChanged(): void {
    if (this.closed || this.catalogue.size === 0) return;
    const enforcer = this.options.policy.current;
    const signature = visibleSignature(enforcer, this.server, this.catalogue.values(), this.options.trustAnnotations);
    this.options.control?.send({ type: 'tools', server: this.server, session: this.sessionId, tools: toolReports(enforcer, this.server, this.catalogue.values()) });
    if (signature === this.catalogueSignature) return;
    this.catalogueSignature = signature;
    this.downstream.send(frameOf({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' }));
  }

  // ---- the upstream's life ----

  private ensureUpstream(): void {
    if (this.state === 'starting' || this.state === 'ready' || this.closed) return;
    this.state = 'starting';
    const delay = RESTART_BACKOFF_MS[Math.min(this.quickDeaths, RESTART_BACKOFF_MS.length - 1)];
    const begin = (): void => {
      if (this.closed) return;
      const upstream = this.options.upstream();
      this.upstream = upstream;
      upstream.onmessage = (frame) => this.fromUpstream(frame);
      upstream.onresponse = (id, line) => this.plainResponse(id, line);
      upstream.onchunk = (deliver) => batched(this.downstream, deliver);
      upstream.onclose = (reason) => this.upstreamDied(upstream, reason);
      upstream.onoversized = (id, size) => this.upstreamOversized(id, size);
      this.startedAt = Date.now();
      upstream.start().then(
        () => this.upstreamStarted(upstream),
        (error: Error) => this.upstreamFailed(upstream, error.message),
      );
    };
    if (delay === 0) begin();
    else setTimeout(begin, delay).unref();
  }

  private upstreamStarted(upstream: Upstream): void {
    if (this.closed) {
      void upstream.close();
      return;
    }
    this.options.control?.send({ type: 'upstream', server: this.server, session: this.sessionId, event: 'started' });
    // A restart: initialise the new server as the client did, then let the held messages through.
    if (this.initialize?.answered) {
      const params = this.initialize.frame.msg.params;
      this.replayId = ownId();
      upstream.send(frameOf({ jsonrpc: '2.0', id: this.replayId, method: 'initialize', ...(params ? { params } : {}) }));
      return;
    }
    this.becomeReady(upstream);
  }

  private replayAnswered(msg: JsonRpcMessage): void {
    this.replayId = undefined;
    const upstream = this.upstream!;
    if (msg.error) {
      this.options.log(`the restarted upstream refused to initialise: ${msg.error.message}`);
      this.upstreamFailed(upstream, `it refused to initialise (${msg.error.message})`);
      return;
    }
    if (this.initialize?.initialized) upstream.send(frameOf({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    this.becomeReady(upstream);
  }

  private becomeReady(upstream: Upstream): void {
    this.state = 'ready';
    const held = this.outbox;
    this.outbox = [];
    upstream.cork?.();
    for (const frame of held) upstream.send(frame);
    upstream.uncork?.();
  }

  private upstreamFailed(upstream: Upstream, why: string): void {
    if (upstream !== this.upstream) return;
    this.options.log(`upstream "${this.server}" could not start: ${why}`);
    this.options.control?.send({ type: 'upstream', server: this.server, session: this.sessionId, event: 'failed', detail: why });
    this.quickDeaths++;
    void upstream.close();
    this.markDown(`Upstream server "${this.server}" could not start: ${why}`);
  }

  private upstreamDied(upstream: Upstream, reason: string): void {
    if (upstream !== this.upstream || this.closed) return;
    const lived = Date.now() - this.startedAt;
    this.options.log(`upstream "${this.server}" ${reason}; ${this.forwarded.size} pending call(s) failed; the next request restarts it`);
    this.options.control?.send({ type: 'upstream', server: this.server, session: this.sessionId, event: 'exited', detail: reason });
    this.markDown(`Upstream server "${this.server}" ${reason} before answering; the next request restarts it`);
    this.quickDeaths = lived >= HEALTHY_AFTER_MS ? 0 : this.quickDeaths + 1;
  }

  /** Fails everything in flight: each pending client request gets a JSON-RPC error. */
  private markDown(message: string): void {
    this.state = 'down';
    this.upstream = undefined;
    this.replayId = undefined;
    const failed = [...this.forwarded.keys()];
    this.forwarded.clear();
    this.progressRoutes.clear();
    this.serverRequests.clear();
    this.outbox = [];
    batched(this.downstream, () => {
      for (const id of failed) this.downstream.send(errorFrame(id, ErrorCode.UpstreamUnavailable, message), id);
    });
  }

  private upstreamOversized(id: RequestId | null, size: number): void {
    if (id === null || !this.settle(id)) return;
    this.downstream.send(errorFrame(id, ErrorCode.RequestTooLarge, `The server's response (${size} bytes) is over the proxy's frame limit`), id);
  }

  /** Ends the session: withdraws approvals, closes the upstream session, frees rate-limit windows. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopListening();
    for (const controller of this.approvals.values()) controller.abort('the session ended');
    this.approvals.clear();
    this.clientRequests.clear();
    this.options.policy.state.endSession(this.sessionId);
    this.options.control?.endSession(this.sessionId);
    const upstream = this.upstream;
    this.upstream = undefined;
    this.state = 'down';
    if (upstream) await upstream.close();
  }
}

/** Runs `deliver` with `to`'s writes held, then writes them together. */
function batched(to: { cork?(): void; uncork?(): void } | undefined, deliver: () => void): void {
  to?.cork?.();
  try {
    deliver();
  } finally {
    to?.uncork?.();
  }
}

/** Why an `ask` is refused by a proxy the editor launched while the editor is not connected. */
export const EDITOR_NOT_CONNECTED =
  "approval required, but Warden's approver in the editor is not connected (a proxy the editor launched asks only there, never through the agent's client)";

/** Prefix of the ids of Warden's own requests; the rest is random, so nobody can guess one. */
const OWN_ID_PREFIX = 'mcp-warden-';

function ownId(): string {
  return OWN_ID_PREFIX + randomUUID();
}

function isOwnId(id: unknown): id is string {
  return typeof id === 'string' && id.startsWith(OWN_ID_PREFIX);
}

/** "call" in any case, a backslash (an escape) or a byte outside ASCII: a lenient reader might see a call. */
const MAYBE_A_CALL = /call|[\\\u0080-\uffff]/i;

/**
 * The bytes to forward must mean what was decided. A tools/call goes on as the proxy parsed it
 * (re-serialised: no duplicate keys that a first-key-wins parser would read otherwise), and so does
 * any other message that mentions a call in any case, or uses escapes or characters outside ASCII
 * that could spell one.
 */
function normalisedIfAmbiguous(frame: Frame): Frame {
  if (frame.msg.method === 'tools/call') return reserialised(frame);
  const line = frame.line;
  return MAYBE_A_CALL.test(typeof line === 'string' ? line : line.toString('latin1')) ? reserialised(frame) : frame;
}
