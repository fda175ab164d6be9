// One proxied session: a downstream client (the agent) and one upstream session with the real
// server, kept for the client's life. Messages pass through as the bytes received where that is
// unambiguous (a tools/call request, a message that could hide one, and a server message that is not a
// plain response go on as parsed); only `tools/call` requests and `tools/list` results are intercepted.
// The upstream is restarted on the next request after it dies (with backoff), and re-initialised with
// the client's own initialize.
import type { Principal } from '../policy/model';
import type { ApprovalQueue, SessionGrants, TeamState } from '../team/state';
import type { AuditLog } from './audit-log';
import { batched } from './batched';
import { attemptedCall, refusedCall } from './call-attempt';
import type { ControlChannel } from './control-channel';
import { ErrorCode, errorFrame, passThroughResponse, reserialised, type Frame, type RequestId } from './jsonrpc';
import { isOwnId, OWN_ID_PREFIX, OwnRequests } from './own-requests';
import { PendingRequests } from './pending-requests';
import type { EnforcedPolicy } from './policy-source';
import { ToolCalls } from './tool-calls';
import { ToolCatalogue } from './tool-catalogue';
import type { UpstreamFactory } from './upstream';
import { UpstreamLife } from './upstream-life';

export { EDITOR_NOT_CONNECTED } from './tool-calls';

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
  /** The caller that opened the session (a team's gateway with identities): rules' `only` and `scope: user` count it. */
  principal?: Principal;
  /**
   * A team's shared state (`--redis`): rate limits are counted there, every decision that needs it waits
   * for it, and one it cannot count is refused. Without it the engine counts in this process, as always.
   */
  state?: TeamState;
  /** A team's gateway with identities: calls that ask wait here for the policy's approvers (the approvals page). */
  teamApprovals?: ApprovalQueue;
  /** With `teamApprovals`: the "allow for this session" grants given on the page, ended with this session. */
  teamGrants?: SessionGrants;
  /** Forward the server's `readOnlyHint` as it is, instead of only for tools Warden classifies as read. */
  trustAnnotations?: boolean;
  log: (message: string) => void;
}

export class ProxySession {
  readonly sessionId: string;
  private readonly pending = new PendingRequests();
  private readonly own: OwnRequests;
  private readonly catalogue: ToolCatalogue;
  private readonly calls: ToolCalls;
  private readonly life: UpstreamLife;
  private readonly stopListening: () => void;
  private closed = false;

  constructor(
    private readonly options: SessionOptions,
    private readonly downstream: Downstream,
  ) {
    this.sessionId = options.sessionId;
    const closed = (): boolean => this.closed;
    this.own = new OwnRequests(downstream);
    this.catalogue = new ToolCatalogue(options, downstream);
    this.calls = new ToolCalls(options, downstream, this.pending, this.catalogue, this.own, {
      forward: (frame) => this.forwardRequest(frame),
      toUpstream: (frame) => this.toUpstream(frame),
      closed,
    });
    this.life = new UpstreamLife(options, downstream, this.pending, {
      message: (frame) => this.fromUpstream(frame),
      response: (id, line) => this.plainResponse(id, line),
      closed,
    });
    const stopPolicy = options.policy.onChange(() => this.policyChanged());
    const stopLock = options.policy.lock?.onChange(() => this.policyChanged());
    this.stopListening = () => {
      stopPolicy();
      stopLock?.();
    };
  }

  /** Starts the upstream now, so the first request does not wait for it. */
  start(): void {
    this.life.ensure();
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
    if (refused) return this.calls.refuse(frame, refused);
    frame = normalisedIfAmbiguous(frame);
    const msg = frame.msg;
    switch (frame.kind) {
      case 'request':
        if (msg.method === 'tools/call') return this.calls.call(frame);
        if (this.inFlight(msg.id as RequestId)) {
          const id = msg.id as RequestId;
          return this.downstream.send(errorFrame(id, ErrorCode.InvalidRequest, `Invalid Request: a request with the id ${JSON.stringify(id)} is still in flight`), id);
        }
        if (msg.method === 'initialize') {
          this.life.initialize = { frame, answered: false, initialized: false };
          const caps = (msg.params as { capabilities?: unknown } | undefined)?.capabilities;
          this.own.capabilities = caps && typeof caps === 'object' ? (caps as Record<string, unknown>) : {};
        }
        return this.forwardRequest(frame);
      case 'notification':
        if (msg.method === 'notifications/cancelled') {
          const requestId = (msg.params as { requestId?: RequestId } | undefined)?.requestId;
          if (requestId !== undefined && this.calls.cancel(requestId)) return;
        } else if (msg.method === 'notifications/initialized' && this.life.initialize) {
          this.life.initialize.initialized = true;
        }
        return this.toUpstream(frame);
      case 'response': {
        // Answers go where they were asked for, by exact id: Warden's own requests have ids of their
        // own that no server request may carry.
        const id = msg.id;
        if (this.own.answered(id, msg)) return;
        if (!isOwnId(id) && id !== null && id !== undefined && this.pending.serverRequests.delete(id)) return this.toUpstream(frame);
        this.options.log(`dropped a client response to an unknown request id ${JSON.stringify(id)}`);
        return;
      }
    }
  }

  /** A client request of this id is being decided, approved or answered by the server. */
  private inFlight(id: RequestId): boolean {
    return this.pending.has(id) || this.calls.approving(id);
  }

  /** A message that threw on its way through: logged; a request gets an error instead of hanging. */
  private failedMessage(from: 'client' | 'server', frame: Frame, error: Error): void {
    this.options.log(`a message from the ${from} could not be relayed and was dropped: ${error.message}`);
    const id = frame.msg.id;
    if (id === undefined || id === null) return;
    try {
      if (from === 'client' && frame.kind === 'request' && !this.inFlight(id)) {
        this.downstream.send(errorFrame(id, ErrorCode.InternalError, `Internal error: the proxy could not relay this message (${error.message})`), id);
      } else if (from === 'server' && frame.kind === 'response' && this.pending.settle(id)) {
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
    if (!audit) return batched(this.life.current, deliver);
    batched(this.life.current, () => this.calls.inChunk(audit, deliver));
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
      if (attempt) this.calls.auditRefusal(attempt);
    } catch (error) {
      this.options.log(`a refused call could not be audited: ${(error as Error).message}`);
    }
  }

  // ---- forwarding ----

  private forwardRequest(frame: Frame): void {
    this.pending.track(frame);
    this.toUpstream(frame);
  }

  private toUpstream(frame: Frame): void {
    if (this.calls.holding(frame)) return;
    this.life.send(frame);
  }

  /**
   * A plain success response, before it is parsed: forwarded as received unless the relay must read
   * it (a tools/list result to filter, the initialize answer, the answer to a replayed initialize).
   */
  private plainResponse(id: RequestId, line: Buffer): boolean {
    if (this.closed) return true;
    if (this.life.replayId !== undefined || this.catalogue.ownsAnswer(id)) return false;
    // Exact ids only: "7" does not answer 7 (a client that matches loosely would take it unfiltered).
    const pending = this.pending.get(id);
    if (!pending) {
      this.droppedAnswer(id);
      return true;
    }
    if (pending.method === 'tools/list' || pending.method === 'initialize') return false;
    try {
      this.pending.settle(id);
      this.downstream.send(passThroughResponse(id, line), id);
    } catch (error) {
      this.options.log(`the server's answer to ${JSON.stringify(id)} could not be relayed: ${(error as Error).message}`);
    }
    return true;
  }

  private droppedAnswer(id: RequestId | null | undefined): void {
    this.options.log(`dropped a server response to an unknown request id ${JSON.stringify(id)}`);
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
      if (this.life.replayId !== undefined && id === this.life.replayId) return this.life.replayAnswered(msg);
      if (this.catalogue.ownsAnswer(id)) return this.catalogue.ownAnswer(frame, (request) => this.toUpstream(request));
      // Routed by who asked, by exact id; an answer to nothing the client asked is dropped.
      const pending = id === null || id === undefined ? undefined : this.pending.settle(id);
      if (!pending) return this.droppedAnswer(id);
      if (pending.method === 'tools/list') frame = this.catalogue.filterToolsList(frame, pending.paged !== true);
      else if (pending.method === 'initialize' && this.life.initialize && !msg.error) {
        this.life.initialize.answered = true;
        frame = this.catalogue.initialized(frame);
      }
      this.downstream.send(frame, id as RequestId);
      return;
    }
    if (frame.kind === 'request') {
      const id = msg.id as RequestId;
      // The ids of Warden's own requests to the client are not the server's to use: an answer must
      // never be taken for the user's.
      if (isOwnId(id)) {
        this.options.log(`refused a server request with the reserved id ${JSON.stringify(id)}`);
        this.life.current?.send(errorFrame(id, ErrorCode.InvalidRequest, `Invalid Request: ids starting with "${OWN_ID_PREFIX}" are reserved by the proxy`));
        return;
      }
      if (this.pending.serverRequests.has(id)) {
        this.options.log(`dropped a server request whose id ${JSON.stringify(id)} is still in flight`);
        return;
      }
      this.pending.serverRequests.add(id);
      this.downstream.send(frame);
      return;
    }
    if (msg.method === 'notifications/progress') {
      const token = (msg.params as { progressToken?: RequestId } | undefined)?.progressToken;
      this.downstream.send(frame, token === undefined ? undefined : this.pending.progressRoute(token));
      return;
    }
    if (msg.method === 'notifications/tools/list_changed') this.catalogue.serverListChanged((request) => this.toUpstream(request));
    if (msg.method === 'notifications/cancelled') {
      // The server may withdraw only its own requests (never one of Warden's).
      const requestId = (msg.params as { requestId?: RequestId } | undefined)?.requestId;
      if (requestId === undefined || !this.pending.serverRequests.delete(requestId)) return this.options.log(`dropped a server cancellation of a request it did not make (${JSON.stringify(requestId)})`);
    }
    this.downstream.send(frame);
  }

  /** After a reload (policy or lockfile): tell the client to list again when what it sees of the tools changed. */
  private policyChanged(): void {
    if (this.closed) return;
    this.catalogue.policyChanged();
  }

  /** The session's grants go with it (a store that cannot be reached lets them run out at their bounded time). */
  private endGrants(): void {
    const { teamGrants, principal } = this.options;
    if (!teamGrants || !principal) return;
    teamGrants.endSession({ session: this.sessionId, principal: principal.name }).catch((error: Error) => this.options.log(`the session's grants could not be ended: ${error.message}`));
  }

  /** Ends the session: withdraws approvals, closes the upstream session, frees rate-limit windows. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopListening();
    this.calls.abortApprovals('the session ended');
    this.own.clear();
    this.options.policy.state.endSession(this.sessionId);
    this.endGrants();
    this.options.control?.endSession(this.sessionId);
    await this.life.close();
  }
}
/** "call" in any case, a backslash (an escape) or a byte outside ASCII: a lenient reader might see a call. */
const MAYBE_A_CALL = /call|[\\\u0080-\uffff]/i;

/**
 * The bytes to forward must mean what was decided. A tools/call goes on as the proxy parsed it
 * (re-serialised: no duplicate keys that a first-key-wins parser would read otherwise), and so does
 * any other message that mentions a call in any case, or uses escapes or characters outside ASCII
 * that could spell one. (Exported for the batch benchmark.)
 */
export function normalisedIfAmbiguous(frame: Frame): Frame {
  if (frame.msg.method === 'tools/call') return reserialised(frame);
  const line = frame.line;
  return MAYBE_A_CALL.test(typeof line === 'string' ? line : line.toString('latin1')) ? reserialised(frame) : frame;
}
