// The agent's side over Streamable HTTP (MCP 2025-03-26 and later) at `/mcp`: POST carries client
// messages, GET opens the server's stream, DELETE ends a session. Each `Mcp-Session-Id` is one proxy
// session with its own upstream session. A POST's answers go back as one JSON body when only the
// answers come; the response turns into an SSE stream as soon as the server (or the proxy, asking
// for approval) has something else to say about those requests first. Every SSE stream can be resumed
// with `Last-Event-ID` after its connection drops (`ResumableStream`). A batch's bad elements get their
// errors among its answers, as on stdio; only a POST with nothing valid in it is refused whole (400).
// Every request must name this listener in Host (and Origin, when sent) and carry its bearer token
// (`ListenerGuard`) before anything else is read; sessions are capped, idle ones end, and request bodies
// are bounded in size, in total bytes in flight and in time (`readBody`).
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ByteBudget, readBody } from './http-body';
import { ErrorCode, errorFrame, parseFrames, reserialised, type Frame, type ParsedFrame, type RequestId } from './jsonrpc';
import { allowedHostnames, ListenerGuard, type Refusal } from './listener-guard';
import type { Downstream, ProxySession } from './relay';
import { parseEventId, ResumableStream } from './resumable-stream';

export interface HttpServeOptions {
  host: string;
  port: number;
  maxFrameBytes: number;
  /** The bearer token every request must carry. */
  token: string;
  /** Sessions open at once; an initialize beyond this gets 503. */
  maxSessions?: number;
  /** A session with nothing going on for this long is ended, with its upstream. */
  sessionIdleMs?: number;
  /** Request body bytes held at once across all connections. */
  maxInflightBytes?: number;
  /** A request body must arrive within this time. */
  bodyTimeoutMs?: number;
  createSession(downstream: Downstream, sessionId: string): ProxySession;
  endSession(session: ProxySession): Promise<void>;
  log: (message: string) => void;
}

export interface HttpProxyServer {
  port: number;
  /** Resolves when the server has stopped. */
  closed: Promise<void>;
  close(): Promise<void>;
}

const PATH = '/mcp';
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

export async function serveHttp(options: HttpServeOptions): Promise<HttpProxyServer> {
  const sessions = new Map<string, HttpSession>();
  const guard = new ListenerGuard(allowedHostnames(options.host), options.token);
  const maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
  const idleMs = options.sessionIdleMs ?? SESSION_IDLE_MS;
  const bodyLimits = {
    maxBytes: options.maxFrameBytes,
    budget: new ByteBudget(options.maxInflightBytes ?? inflightDefault(options.maxFrameBytes)),
    timeoutMs: options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS,
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      options.log(`HTTP request failed: ${error.message}`);
      if (!res.headersSent) sendJsonError(res, 500, null, ErrorCode.InternalError, 'Internal error');
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  const reaper = setInterval(
    () => {
      const now = Date.now();
      for (const session of sessions.values()) {
        if (session.idleSince(now) > idleMs) {
          options.log(`HTTP session ${session.id} ended after ${Math.round(idleMs / 1000)} s idle`);
          void session.end();
        }
      }
    },
    Math.min(60_000, Math.max(100, idleMs / 4)),
  );
  reaper.unref();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Nothing of a request is read, and no session looked up, before it names this listener and has the token.
    const refusal = guard.check(req);
    if (refusal) {
      req.resume();
      return sendRefusal(res, { ...refusal, headers: { ...refusal.headers, connection: 'close' } });
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path !== PATH) return sendJsonError(res, 404, null, ErrorCode.InvalidRequest, `Not found: the MCP endpoint is ${PATH}`);
    switch (req.method) {
      case 'POST':
        return post(req, res);
      case 'GET':
        return openStream(req, res);
      case 'DELETE':
        return remove(req, res);
      default:
        res.setHeader('allow', 'GET, POST, DELETE');
        return sendJsonError(res, 405, null, ErrorCode.InvalidRequest, 'Method not allowed');
    }
  }

  async function post(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, bodyLimits);
    if (!('bytes' in body)) return sendRefusal(res, body, body.status === 413 ? ErrorCode.RequestTooLarge : ErrorCode.InvalidRequest);
    try {
      receive(req, res, body.bytes);
    } finally {
      // The frames are parsed and handed on: the body's bytes no longer count as in flight.
      body.release();
    }
  }

  function receive(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const text = body.toString('utf8');
    // A body with line breaks inside would break a line-framed upstream: such messages are re-serialised.
    const multiline = body.indexOf(10) !== -1 || body.indexOf(13) !== -1;
    const parsed = parseFrames(text, multiline ? '' : Buffer.concat([body, NEWLINE])).map((p) => (p.ok && multiline ? { ok: true as const, frame: reserialised(p.frame) } : p));
    if (!parsed.some((p) => p.ok)) {
      // Nothing in the body can be accepted (not JSON, an empty batch, no valid message): 400 with the errors.
      // A refused message that attempted a tool call is audited as refused by the session it names.
      const named = sessions.get(header(req, 'mcp-session-id') ?? '');
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
      if (sessions.size >= maxSessions) {
        return sendRefusal(res, {
          status: 503,
          message: `Service Unavailable: the listener already has ${maxSessions} sessions open (--max-sessions); end one with DELETE, or wait for an idle one to expire`,
          headers: { 'retry-after': String(RETRY_SESSIONS_SECONDS) },
        });
      }
      session = new HttpSession(randomUUID(), options, () => {
        sessions.delete(session!.id);
      });
      sessions.set(session.id, session);
    } else {
      const missing = checkSession(res, sessionId);
      if (missing) return;
      session = sessions.get(sessionId!)!;
    }
    const version = header(req, 'mcp-protocol-version');
    session.post(parsed, res, { acceptsStream: accepts(req, 'text/event-stream'), batch: parsedIsBatch(text), prime: version !== undefined && version >= PRIMING_SINCE });
  }

  function checkSession(res: ServerResponse, sessionId: string | undefined): boolean {
    if (sessionId === undefined) {
      sendJsonError(res, 400, null, ErrorCode.InvalidRequest, 'Bad Request: Mcp-Session-Id header is required');
      return true;
    }
    if (!sessions.has(sessionId)) {
      sendJsonError(res, 404, null, ErrorCode.InvalidRequest, 'Session not found');
      return true;
    }
    return false;
  }

  async function openStream(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!accepts(req, 'text/event-stream')) return sendJsonError(res, 406, null, ErrorCode.InvalidRequest, 'Not Acceptable: the client must accept text/event-stream');
    const sessionId = header(req, 'mcp-session-id');
    if (checkSession(res, sessionId)) return;
    sessions.get(sessionId!)!.openStream(res, header(req, 'last-event-id'));
  }

  async function remove(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const sessionId = header(req, 'mcp-session-id');
    if (checkSession(res, sessionId)) return;
    await sessions.get(sessionId!)!.end();
    res.writeHead(200).end();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const closed = new Promise<void>((resolve) => server.once('close', () => resolve()));
  return {
    port: (server.address() as AddressInfo).port,
    closed,
    close: async () => {
      clearInterval(reaper);
      await Promise.all([...sessions.values()].map((s) => s.end()));
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
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

  constructor(
    readonly id: string,
    private readonly options: HttpServeOptions,
    private readonly onEnd: () => void,
  ) {
    this.standalone = new ResumableStream('g', id, KEPT_EVENTS);
    this.streams.set(this.standalone.key, this.standalone);
    this.session = options.createSession(this, id);
    this.session.start();
  }

  private lastActive = Date.now();

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

function trimNewline(line: Buffer | string): string {
  const text = typeof line === 'string' ? line : line.toString('utf8');
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}

function frameText(frame: Frame): string {
  return trimNewline(frame.line);
}

function parsedIsBatch(text: string): boolean {
  return text.trimStart().startsWith('[');
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function accepts(req: IncomingMessage, type: string): boolean {
  const accept = req.headers.accept;
  return accept === undefined || accept.includes(type) || accept.includes('*/*');
}

function sendJson(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
}

function sendJsonError(res: ServerResponse, status: number, id: RequestId | null, code: number, message: string): void {
  sendJson(res, status, trimNewline(errorFrame(id, code, message).line));
}

function sendRefusal(res: ServerResponse, refusal: Refusal, code: number = ErrorCode.InvalidRequest): void {
  for (const [name, value] of Object.entries(refusal.headers ?? {})) res.setHeader(name, value);
  // A refusal that closes the connection does so even while the client is still sending: its body is not read.
  const socket = res.socket; // detached from the response by the time it has finished
  if (refusal.headers?.connection === 'close' && socket) {
    // Node ends a `connection: close` response with socket.destroySoon(), which destroys the socket as
    // soon as the answer is flushed: with the client's unread bytes still queued, that is a reset, and a
    // client still writing can see the reset before it reads the answer.
    socket.destroySoon = () => closeUnread(socket);
    res.once('finish', () => closeUnread(socket));
  }
  sendJsonError(res, refusal.status, null, code, refusal.message);
}

/** How long a refused connection may stay half-closed so that its client reads the answer. */
const REFUSED_LINGER_MS = 2000;

/**
 * Ends a connection whose request body is not read: reading stops, the answer goes out followed by a
 * FIN, and only later is the socket destroyed. Destroying it at once, with the client's unread bytes
 * in its receive buffer, makes the kernel reset the connection and drop the answer still queued.
 */
function closeUnread(socket: Socket): void {
  if (lingering.has(socket)) return;
  lingering.add(socket);
  socket.pause();
  socket.end();
  setTimeout(() => socket.destroy(), REFUSED_LINGER_MS).unref();
}

const lingering = new WeakSet<Socket>();
