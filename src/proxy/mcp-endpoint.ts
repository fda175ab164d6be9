// One MCP endpoint over Streamable HTTP (MCP 2025-03-26 and later): POST carries client messages, GET
// opens the server's stream, DELETE ends a session. Each `Mcp-Session-Id` is one proxy session with its
// own upstream session. A POST's answers go back as one JSON body when only the answers come; the
// response turns into an SSE stream as soon as the server (or the proxy, asking for approval) has
// something else to say about those requests first. Every SSE stream can be resumed with
// `Last-Event-ID` after its connection drops (`ResumableStream`). A batch's bad elements get their
// errors among its answers, as on stdio; only a POST with nothing valid in it is refused whole (400).
// The listener (http-listener.ts) has checked Host, Origin and the token before a request gets here;
// the session cap and the body bounds are the listener's, shared by every endpoint it serves (the cap
// fairly: session-shares.ts).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../policy/model';
import { ByteShares } from './byte-shares';
import { readBody, type Budget, type BodyLimits } from './http-body';
import { accepts, frameText, header, sendJson, sendJsonError, sendRefusal, trimNewline } from './http-responses';
import { ErrorCode, parseFrames, reserialised, type Frame, type ParsedFrame, type RequestId } from './jsonrpc';
import type { Downstream, ProxySession } from './relay';
import { ownerOf, requestPrincipal } from './request-principal';
import { parseEventId, ResumableStream } from './resumable-stream';
import { SessionShares, type ShareHolder } from './session-shares';

const NEWLINE = Buffer.from('\n');
/** Events kept on a stream for a client to resume from (or to take when it opens the stream). */
const KEPT_EVENTS = { events: 1000, bytes: 2 * 1024 * 1024 };
/** How long the events of a request's stream stay after its last answer, when no connection took them. */
const KEPT_AFTER_END_MS = 5 * 60_000;
/** Since this protocol version a client resumes a request's stream from a first event with only an id. */
const PRIMING_SINCE = '2025-11-25';
/**
 * A session with no request in flight, no stream open and no request for this long is ended, with its
 * upstream: most clients never send the DELETE that would end it.
 */
export const SESSION_IDLE_MS = 30 * 60_000;
export const DEFAULT_MAX_SESSIONS = 32;
export const DEFAULT_BODY_TIMEOUT_MS = 30_000;
/** Two of the largest messages by default. */
export const inflightDefault = (maxFrameBytes: number): number => 2 * maxFrameBytes;
/** Seconds a client is told to wait for a session to free up (idle sessions are checked this often, at most). */
const RETRY_SESSIONS_SECONDS = 60;

/** Where an endpoint's sessions come from and go. */
export interface EndpointSessions {
  /** `principal`: the caller that opened the session (a team's gateway with identities). */
  createSession(downstream: Downstream, sessionId: string, principal?: Principal): ProxySession;
  endSession(session: ProxySession): Promise<void>;
}

/** The bounds one listener shares among its endpoints. */
export interface ListenerLimits {
  body: Omit<BodyLimits, 'budget'>;
  /** The in-flight byte budget, each endpoint with its reserve (byte-shares.ts). */
  bytes: ByteShares;
  slots: SessionShares;
}

export interface LimitOptions {
  maxFrameBytes: number;
  maxSessions?: number;
  maxInflightBytes?: number;
  bodyTimeoutMs?: number;
}

export function listenerLimits(options: LimitOptions): ListenerLimits {
  return {
    body: { maxBytes: options.maxFrameBytes, timeoutMs: options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS },
    bytes: new ByteShares(options.maxInflightBytes ?? inflightDefault(options.maxFrameBytes), options.maxFrameBytes),
    slots: new SessionShares(options.maxSessions ?? DEFAULT_MAX_SESSIONS),
  };
}

export class McpEndpoint implements ShareHolder {
  private readonly sessions = new Map<string, HttpSession>();
  private closing = false;
  private readonly budget: Budget & { leave(): void };

  /** `name`: the server it serves, as the listener's log and refusals name it. */
  constructor(
    private readonly limits: ListenerLimits,
    private readonly owner: EndpointSessions,
    private readonly log: (message: string) => void,
    private readonly name = 'mcp',
  ) {
    limits.slots.join(this, name);
    this.budget = limits.bytes.member();
  }

  /** Sessions open on this endpoint. */
  get size(): number {
    return this.sessions.size;
  }

  /** A request for this endpoint that passed the listener's guard. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    switch (req.method) {
      case 'POST':
        return this.post(req, res);
      case 'GET':
        return this.openStream(req, res);
      case 'DELETE':
        return this.remove(req, res);
      default:
        res.setHeader('allow', 'GET, POST, DELETE');
        return sendJsonError(res, 405, null, ErrorCode.InvalidRequest, 'Method not allowed');
    }
  }

  /** Ends the sessions idle for longer than `idleMs`. */
  reap(now: number, idleMs: number): void {
    for (const session of this.sessions.values()) {
      if (session.idleSince(now) > idleMs) {
        this.log(`HTTP session ${session.id} ended after ${Math.round(idleMs / 1000)} s idle`);
        void session.end();
      }
    }
  }

  /** Ends every session; the endpoint takes no new one. */
  async close(): Promise<void> {
    this.closing = true;
    this.limits.slots.leave(this);
    this.budget.leave();
    await Promise.all([...this.sessions.values()].map((s) => s.end()));
  }

  /**
   * Ends the session used longest ago, preferring one with no request in flight, so that another
   * endpoint below its share of the listener's sessions gets one.
   */
  reclaim(forName: string, why: string): boolean {
    let victim: HttpSession | undefined;
    for (const session of this.sessions.values()) {
      if (!victim || session.preferredVictimOver(victim)) victim = session;
    }
    if (!victim) return false;
    this.log(`HTTP session ${victim.id} of "${this.name}" ended to make room for a session of "${forName}": ${why}`);
    void victim.end();
    return true;
  }

  private async post(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, { ...this.limits.body, budget: this.budget });
    if (!('bytes' in body)) return sendRefusal(res, body, body.status === 413 ? ErrorCode.RequestTooLarge : ErrorCode.InvalidRequest);
    try {
      this.receive(req, res, body.bytes);
    } finally {
      // The frames are parsed and handed on: the body's bytes no longer count as in flight.
      body.release();
    }
  }

  private receive(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const text = body.toString('utf8');
    // A body with line breaks inside would break a line-framed upstream: such messages are re-serialised.
    const multiline = body.indexOf(10) !== -1 || body.indexOf(13) !== -1;
    const parsed = parseFrames(text, multiline ? '' : Buffer.concat([body, NEWLINE])).map((p) => (p.ok && multiline ? { ok: true as const, frame: reserialised(p.frame) } : p));
    if (!parsed.some((p) => p.ok)) {
      // Nothing in the body can be accepted (not JSON, an empty batch, no valid message): 400 with the errors.
      // A refused message that attempted a tool call is audited as refused by the session it names.
      const named = this.ownedSession(req, header(req, 'mcp-session-id'));
      for (const p of parsed) if (!p.ok) named?.noteRefused(p.refused, p.error.msg.error?.message ?? 'an invalid message');
      const bodies = parsed.map((p) => (p.ok ? '' : frameText(p.error)));
      return sendJson(res, 400, bodies.length === 1 ? bodies[0] : `[${bodies.join(',')}]`);
    }

    let session: HttpSession | undefined;
    const initializing = parsed.some((p) => p.ok && p.frame.kind === 'request' && p.frame.msg.method === 'initialize');
    const sessionId = header(req, 'mcp-session-id');
    if (initializing) {
      if (sessionId !== undefined) return sendJsonError(res, 400, null, ErrorCode.InvalidRequest, 'Invalid Request: initialize must not carry an Mcp-Session-Id');
      if (parsed.length > 1) return sendJsonError(res, 400, null, ErrorCode.InvalidRequest, 'Invalid Request: initialize must be sent alone');
      if (this.closing) return sendJsonError(res, 404, null, ErrorCode.InvalidRequest, 'Not found: this server is no longer served');
      const slots = this.limits.slots;
      const admission = slots.take(this);
      if (!admission.ok) {
        return sendRefusal(res, { status: 503, message: admission.message, headers: { 'retry-after': String(RETRY_SESSIONS_SECONDS) } });
      }
      session = new HttpSession(randomUUID(), this.owner, requestPrincipal(req), () => {
        slots.give(this);
        this.sessions.delete(session!.id);
      });
      this.sessions.set(session.id, session);
    } else {
      const missing = this.checkSession(req, res, sessionId);
      if (missing) return;
      session = this.sessions.get(sessionId!)!;
    }
    const version = header(req, 'mcp-protocol-version');
    session.post(parsed, res, { acceptsStream: accepts(req, 'text/event-stream'), batch: parsedIsBatch(text), prime: version !== undefined && version >= PRIMING_SINCE });
  }

  private checkSession(req: IncomingMessage, res: ServerResponse, sessionId: string | undefined): boolean {
    if (sessionId === undefined) {
      sendJsonError(res, 400, null, ErrorCode.InvalidRequest, 'Bad Request: Mcp-Session-Id header is required');
      return true;
    }
    const session = this.sessions.get(sessionId);
    if (!session) {
      sendJsonError(res, 404, null, ErrorCode.InvalidRequest, 'Session not found');
      return true;
    }
    // A session is its opener's: another caller who learns its id must not ride it.
    if (session.owner !== ownerOf(requestPrincipal(req))) {
      sendJsonError(res, 403, null, ErrorCode.InvalidRequest, 'Forbidden: this session was opened by another caller');
      return true;
    }
    return false;
  }

  /** The session a request names, when it is the caller's own. */
  private ownedSession(req: IncomingMessage, sessionId: string | undefined): HttpSession | undefined {
    const session = this.sessions.get(sessionId ?? '');
    return session && session.owner === ownerOf(requestPrincipal(req)) ? session : undefined;
  }

  private async openStream(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!accepts(req, 'text/event-stream')) return sendJsonError(res, 406, null, ErrorCode.InvalidRequest, 'Not Acceptable: the client must accept text/event-stream');
    const sessionId = header(req, 'mcp-session-id');
    if (this.checkSession(req, res, sessionId)) return;
    this.sessions.get(sessionId!)!.openStream(res, header(req, 'last-event-id'));
  }

  private async remove(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const sessionId = header(req, 'mcp-session-id');
    if (this.checkSession(req, res, sessionId)) return;
    await this.sessions.get(sessionId!)!.end();
    res.writeHead(200).end();
  }
}

interface PostOptions {
  acceptsStream: boolean;
  batch: boolean;
  /** Open an SSE answer with an event that has only an id (clients of 2025-11-25 and later). */
  prime: boolean;
}

/** The id an answer carries: a request's, or null for the error about a message without a usable id. */
type AnswerId = RequestId | null;

/** One POST waiting for the answers to its requests and the errors for its refused messages. */
class Exchange {
  /** Answers still to come, by id (a batch may repeat an id: the repeat gets its refusal as well). */
  private readonly pending = new Map<AnswerId, number>();
  private readonly answers: (Buffer | string)[] = [];
  /** Set once the answer is an SSE stream. */
  stream: ResumableStream | undefined;
  done = false;

  constructor(
    private readonly res: ServerResponse,
    readonly options: PostOptions,
    private readonly sessionId: string,
    private readonly openStream: () => ResumableStream,
  ) {}

  expect(id: AnswerId): void {
    this.pending.set(id, (this.pending.get(id) ?? 0) + 1);
  }

  /** The ids still waited for. */
  ids(): AnswerId[] {
    return [...this.pending.keys()];
  }

  answer(id: AnswerId, frame: Frame): void {
    this.settle(id);
    if (this.stream) this.stream.write(trimNewline(frame.line));
    else this.answers.push(frame.line);
    if (this.pending.size === 0) this.finish();
  }

  /** No answer will come for one message with this id after all. */
  forget(id: AnswerId): void {
    this.settle(id);
    if (this.pending.size === 0 && !this.done) this.finish();
  }

  private settle(id: AnswerId): void {
    const left = this.pending.get(id) ?? 0;
    if (left > 1) this.pending.set(id, left - 1);
    else this.pending.delete(id);
  }

  /** A message about these requests before their answers: switch to (or go on with) the SSE stream. */
  event(frame: Frame): void {
    if (!this.stream) {
      this.stream = this.openStream();
      this.stream.attach(this.res, 0, this.options.prime);
      // The answers that came before go first, on the stream.
      for (const answer of this.answers.splice(0)) this.stream.write(trimNewline(answer));
    }
    this.stream.write(trimNewline(frame.line));
  }

  private finish(): void {
    this.done = true;
    if (this.stream) {
      this.stream.end();
      return;
    }
    if (this.answers.length === 0) {
      this.res.writeHead(202, { 'mcp-session-id': this.sessionId }).end();
      return;
    }
    const body = this.options.batch ? `[${this.answers.map((a) => trimNewline(a)).join(',')}]` : trimNewline(this.answers[0]);
    this.res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'mcp-session-id': this.sessionId,
    });
    this.res.end(body);
  }

  abandon(): void {
    this.done = true;
  }
}

/** The message of a POST being handed to the session: an answer sent meanwhile with its id is its own. */
interface Delivery {
  id: AnswerId;
  exchange: Exchange;
  answered: boolean;
}

class HttpSession implements Downstream {
  private readonly session: ProxySession;
  /** Client request id -> the POST that waits for its answer. */
  private readonly waiting = new Map<RequestId, Exchange>();
  private readonly open = new Set<Exchange>();
  /** The message being handed to the session, while it is. */
  private delivering: Delivery | undefined;
  /** The stream a GET opens, for server messages that belong to no request; kept while no GET is open. */
  private readonly standalone: ResumableStream;
  /** Every stream a client may resume, by the key its event ids start with. */
  private readonly streams = new Map<string, ResumableStream>();
  private nextStream = 1;
  private ended = false;

  /** Who opened the session (see request-principal.ts); every later request must be theirs. */
  readonly owner: string;

  constructor(
    readonly id: string,
    private readonly options: EndpointSessions,
    principal: Principal | undefined,
    private readonly onEnd: () => void,
  ) {
    this.owner = ownerOf(principal);
    this.standalone = new ResumableStream('g', id, KEPT_EVENTS);
    this.streams.set(this.standalone.key, this.standalone);
    this.session = options.createSession(this, id, principal);
    this.session.start();
  }

  private lastActive = Date.now();

  /** Whether to end this session rather than `other` to make room: nothing in flight first, then used longer ago. */
  preferredVictimOver(other: HttpSession): boolean {
    const busy = this.open.size > 0;
    if (busy !== other.open.size > 0) return !busy;
    return this.lastActive < other.lastActive;
  }

  /** How long the session has had nothing going on (0 while a request or stream is open). */
  idleSince(now: number): number {
    return this.open.size > 0 || this.standalone.attached ? 0 : now - this.lastActive;
  }

  /**
   * A POST's messages, in order: the valid ones to the session, the refused ones (a bad element of a
   * batch) answered with their errors and audited by the session as on every transport.
   */
  post(parsed: ParsedFrame[], res: ServerResponse, options: PostOptions): void {
    this.lastActive = Date.now();
    const answered = parsed.map(answerIdOf).filter((id): id is AnswerId => id !== undefined);
    if (answered.length === 0) {
      res.writeHead(202, { 'mcp-session-id': this.id }).end();
      for (const p of parsed) if (p.ok) this.session.receive(p.frame);
      return;
    }
    const exchange = new Exchange(res, options, this.id, () => this.newStream());
    // Every answer is expected before any message goes on, so none can end the POST early.
    for (const id of answered) exchange.expect(id);
    this.open.add(exchange);
    res.on('close', () => {
      this.open.delete(exchange);
      // A streamed answer goes on into its stream's kept events, for the client to resume from.
      if (exchange.stream || exchange.done) return;
      // The client went away: its answers have nowhere to go. (Not a cancellation, says the spec.)
      exchange.abandon();
      for (const id of exchange.ids()) if (id !== null && this.waiting.get(id) === exchange) this.waiting.delete(id);
    });
    for (const p of parsed) this.deliver(p, exchange);
  }

  /**
   * Hands one message to the session. An answer the session sends at once (a refusal, a denial) is
   * this message's own, even when an earlier request with the same id is still in flight: that one's
   * route stays. A request the session takes on is routed by its id until it is answered.
   */
  private deliver(p: ParsedFrame, exchange: Exchange): void {
    const id = answerIdOf(p);
    if (id === undefined) {
      if (p.ok) this.session.receive(p.frame);
      return;
    }
    const delivery: Delivery = { id, exchange, answered: false };
    this.delivering = delivery;
    try {
      if (p.ok) this.session.receive(p.frame);
      else this.session.reject(p.error, p.refused);
    } finally {
      this.delivering = undefined;
    }
    if (delivery.answered) return;
    if (p.ok && id !== null) this.waiting.set(id, exchange);
    else exchange.forget(id);
  }

  noteRefused(refused: unknown, why: string): void {
    this.session.noteRefused(refused, why);
  }

  send(frame: Frame, related?: RequestId): void {
    if (frame.kind === 'response') {
      const id = frame.msg.id as AnswerId;
      const delivery = this.delivering;
      let exchange: Exchange | undefined;
      if (delivery && !delivery.answered && delivery.id === id) {
        delivery.answered = true;
        exchange = delivery.exchange;
      } else if (id !== null) {
        exchange = this.waiting.get(id);
        this.waiting.delete(id);
      }
      if (!exchange || exchange.done) return;
      exchange.answer(id, frame);
      if (exchange.done) {
        this.open.delete(exchange);
        if (exchange.stream) this.forgetWhenTaken(exchange.stream);
      }
      return;
    }
    const target = this.streamFor(related);
    if (target) target.event(frame);
    else this.standalone.write(trimNewline(frame.line));
  }

  private newStream(): ResumableStream {
    const stream = new ResumableStream(`p${this.nextStream++}`, this.id, KEPT_EVENTS);
    this.streams.set(stream.key, stream);
    return stream;
  }

  /** An ended stream is kept until a connection has taken its last event, or for a while if none does. */
  private forgetWhenTaken(stream: ResumableStream): void {
    if (stream.attached) {
      this.streams.delete(stream.key);
      return;
    }
    setTimeout(() => this.streams.delete(stream.key), KEPT_AFTER_END_MS).unref();
  }

  /**
   * Where a server message goes: its request's POST, else the one open POST, else the GET stream
   * (undefined), else the last open POST.
   */
  private streamFor(related: RequestId | undefined): Exchange | undefined {
    const delivering = this.delivering?.id === related ? this.delivering?.exchange : undefined;
    const own = related === undefined ? undefined : (delivering ?? this.waiting.get(related));
    if (own && own.options.acceptsStream && !own.done) return own;
    const candidates = [...this.open].filter((e) => e.options.acceptsStream && !e.done);
    if (candidates.length === 1) return candidates[0];
    if (this.standalone.attached) return undefined;
    return candidates[candidates.length - 1];
  }

  /** A GET: the session's own stream, or with `Last-Event-ID` the stream that event was on, resumed after it. */
  openStream(res: ServerResponse, lastEventId: string | undefined): void {
    const resume = lastEventId === undefined ? undefined : parseEventId(lastEventId);
    const stream = lastEventId === undefined ? this.standalone : resume && this.streams.get(resume.stream);
    if (!stream) {
      sendJsonError(res, 400, null, ErrorCode.InvalidRequest, `Bad Request: no stream of this session holds the event ${JSON.stringify(lastEventId)} any more`);
      return;
    }
    if (stream.attached) {
      sendJsonError(res, 409, null, ErrorCode.InvalidRequest, 'Conflict: this stream already has a connection open');
      return;
    }
    res.on('close', () => {
      this.lastActive = Date.now();
    });
    stream.attach(res, resume?.n);
    if (stream !== this.standalone && stream.hasEnded) this.forgetWhenTaken(stream);
  }

  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.onEnd();
    for (const stream of this.streams.values()) stream.end();
    await this.options.endSession(this.session);
  }
}

/** The id of the answer a message gets: a request's, a refused message's error's; undefined when none. */
function answerIdOf(p: ParsedFrame): AnswerId | undefined {
  if (!p.ok) return (p.error.msg.id ?? null) as AnswerId;
  return p.frame.kind === 'request' ? (p.frame.msg.id as RequestId) : undefined;
}

function parsedIsBatch(text: string): boolean {
  return text.trimStart().startsWith('[');
}

