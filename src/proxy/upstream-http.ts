// An upstream server at a URL: Streamable HTTP, falling back to the legacy HTTP+SSE transport when
// the server answers the first POST (initialize) with 400, 404 or 405, as the MCP spec describes for
// backwards compatibility. Written on fetch rather than the SDK's client transports, which would
// bring the SDK's schema library into the proxy bundle (most of its size, load time and memory).
import { setMaxListeners } from 'node:events';
import { ErrorCode, errorFrame, parseFrames, reserialised, type Frame, type RequestId } from './jsonrpc';
import { readSse, type SseCursor, type SseEvent } from './sse';
import type { Upstream } from './upstream';

export interface HttpUpstreamOptions {
  url: URL;
  headers: Record<string, string>;
  maxFrameBytes: number;
  log: (message: string) => void;
}

type Mode = 'unknown' | 'probing' | 'streamable' | 'sse';

const FALLBACK_STATUSES = new Set([400, 404, 405]);
const STREAM_RETRY_MS = 1000;
const STREAM_RETRIES = 3;

class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    body: string,
  ) {
    super(`HTTP ${status}${body ? `: ${body.slice(0, 200)}` : ''}`);
  }
}

export class HttpUpstream implements Upstream {
  onmessage?: (frame: Frame) => void;
  onclose?: (reason: string) => void;
  private mode: Mode = 'unknown';
  private held: Frame[] = [];
  private sessionId: string | undefined;
  private protocolVersion: string | undefined;
  /** Legacy SSE: where to POST messages, as the server's `endpoint` event said. */
  private endpoint: URL | undefined;
  private readonly abort = new AbortController();
  private closing = false;
  private dead = false;

  constructor(private readonly options: HttpUpstreamOptions) {
    setMaxListeners(0, this.abort.signal); // one listener per request in flight
  }

  /** Nothing to do yet: the transport is chosen by how the server answers the first message. */
  async start(): Promise<void> {}

  send(frame: Frame): void {
    if (this.dead || this.closing) return;
    if (this.mode === 'probing') {
      this.held.push(frame);
    } else if (this.mode === 'unknown' && frame.msg.method === 'initialize') {
      this.mode = 'probing';
      void this.probe(frame);
    } else {
      if (this.mode === 'unknown') this.mode = 'streamable';
      void this.deliver(frame);
    }
  }

  private async probe(frame: Frame): Promise<void> {
    const url = this.options.url.href;
    try {
      await this.postStreamable(frame);
      this.mode = 'streamable';
    } catch (error) {
      if (!(error instanceof HttpStatusError) || !FALLBACK_STATUSES.has(error.status)) return this.giveUp(frame, error as Error);
      this.options.log(`upstream ${url} does not speak Streamable HTTP (HTTP ${error.status}); trying the legacy SSE transport`);
      try {
        await this.connectSse();
        await this.postSse(frame);
        this.mode = 'sse';
      } catch (sseError) {
        return this.giveUp(frame, sseError as Error);
      }
    }
    const held = this.held;
    this.held = [];
    for (const next of held) void this.deliver(next);
  }

  private giveUp(frame: Frame, error: Error): void {
    this.failRequest(frame, `cannot reach ${this.options.url.href}: ${error.message}`);
    for (const held of this.held) this.failRequest(held, `cannot reach ${this.options.url.href}: ${error.message}`);
    this.held = [];
    this.died(`could not be reached (${error.message})`);
  }

  private async deliver(frame: Frame): Promise<void> {
    try {
      if (this.mode === 'sse') await this.postSse(frame);
      else await this.postStreamable(frame);
    } catch (error) {
      if (this.closing || this.dead) return;
      this.failRequest(frame, `the server did not take the message: ${(error as Error).message}`);
      // A session the server no longer knows, or a server that is gone: start over on the next request.
      if (!(error instanceof HttpStatusError)) this.died(`could not be reached (${(error as Error).message})`);
      else if (error.status === 404 && this.sessionId) this.died('ended the session');
    }
  }

  private headers(extra: Record<string, string>): Record<string, string> {
    return {
      ...this.options.headers,
      ...extra,
      ...(this.sessionId ? { 'mcp-session-id': this.sessionId } : {}),
      ...(this.protocolVersion ? { 'mcp-protocol-version': this.protocolVersion } : {}),
    };
  }

  private async postStreamable(frame: Frame): Promise<void> {
    const response = await fetch(this.options.url, {
      method: 'POST',
      headers: this.headers({ 'content-type': 'application/json', accept: 'application/json, text/event-stream' }),
      body: lineText(frame),
      signal: this.abort.signal,
    });
    const session = response.headers.get('mcp-session-id');
    if (session) this.sessionId = session;
    if (!response.ok) throw new HttpStatusError(response.status, await response.text().catch(() => ''));
    const type = (response.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
    if (response.status === 202 || !response.body) {
      await response.body?.cancel();
      if (frame.msg.method === 'notifications/initialized') void this.openServerStream(0);
      return;
    }
    if (type === 'text/event-stream') {
      await this.readAnswerStream(response.body, frame);
    } else if (type === 'application/json') {
      this.received(await response.text());
    } else {
      await response.body.cancel();
    }
  }

  /**
   * A POST's event stream. When it ends or breaks before the request's answer, it is resumed from its
   * last event id (a GET with Last-Event-ID, as MCP's resumability has it); a stream that cannot be
   * resumed fails the request, which would otherwise wait forever.
   */
  private async readAnswerStream(body: ReadableStream<Uint8Array>, frame: Frame): Promise<void> {
    const awaited = frame.kind === 'request' ? (frame.msg.id as RequestId) : undefined;
    let answered = false;
    const onEvent = (event: SseEvent): void => {
      if (this.receivedEvent(event, awaited)) answered = true;
    };
    const cursor: SseCursor = {};
    let stream: ReadableStream<Uint8Array> | undefined = body;
    let why = 'it ended';
    // Tries since the stream last brought an event: a server may end its streams on purpose and let
    // the client come back for more (polling), which is progress, not failure.
    for (let tries = 0; ; tries++) {
      const seen = cursor.lastEventId;
      try {
        if (stream) await readSse(stream, onEvent, this.options.maxFrameBytes, cursor);
      } catch (error) {
        if (cursor.lastEventId === undefined) throw error;
        why = (error as Error).message;
      }
      if (answered || awaited === undefined || this.closing || this.dead) return;
      if (cursor.lastEventId === undefined) return this.failRequest(frame, 'the server ended its stream before answering');
      if (cursor.lastEventId !== seen) tries = 0;
      if (tries >= STREAM_RETRIES) return this.failRequest(frame, `the server's stream broke before answering and could not be resumed (${why})`);
      await new Promise((resolve) => setTimeout(resolve, cursor.retryMs ?? STREAM_RETRY_MS).unref());
      stream = await this.resumeStream(cursor.lastEventId).catch((error: Error) => {
        why = error.message;
        return undefined;
      });
    }
  }

  /** A GET that resumes a stream after `lastEventId`. */
  private async resumeStream(lastEventId: string): Promise<ReadableStream<Uint8Array> | undefined> {
    if (this.closing || this.dead) return undefined;
    const response = await fetch(this.options.url, {
      method: 'GET',
      headers: this.headers({ accept: 'text/event-stream', 'last-event-id': lastEventId }),
      signal: this.abort.signal,
    });
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw new HttpStatusError(response.status, '');
    }
    return response.body;
  }

  /**
   * The GET stream for messages the server starts; optional (405 means the server has none). When it
   * drops, it is opened again, from its last event id when it had one.
   */
  private async openServerStream(failures: number, cursor: SseCursor = {}): Promise<void> {
    if (this.closing || this.dead || failures >= STREAM_RETRIES) return;
    try {
      const resume: Record<string, string> = cursor.lastEventId !== undefined ? { 'last-event-id': cursor.lastEventId } : {};
      const response = await fetch(this.options.url, { method: 'GET', headers: this.headers({ accept: 'text/event-stream', ...resume }), signal: this.abort.signal });
      if (response.status === 405 || !response.ok || !response.body) {
        await response.body?.cancel();
        return;
      }
      await readSse(response.body, (event) => this.receivedEvent(event), this.options.maxFrameBytes, cursor);
      failures = 0;
    } catch {
      failures++;
    }
    if (this.closing || this.dead) return;
    setTimeout(() => void this.openServerStream(failures, cursor), cursor.retryMs ?? STREAM_RETRY_MS).unref();
  }

  /** Legacy SSE: GET the stream and wait for the `endpoint` event that says where to POST. */
  private async connectSse(): Promise<void> {
    const response = await fetch(this.options.url, { method: 'GET', headers: this.headers({ accept: 'text/event-stream' }), signal: this.abort.signal });
    if (!response.ok || !response.body) throw new HttpStatusError(response.status, await response.text().catch(() => ''));
    const body = response.body;
    await new Promise<void>((resolve, reject) => {
      readSse(
        body,
        (event) => {
          if (event.event === 'endpoint') {
            const endpoint = new URL(event.data.trim(), this.options.url);
            if (endpoint.origin !== this.options.url.origin) {
              reject(new Error(`the SSE endpoint ${endpoint.href} is on another origin`));
              return;
            }
            this.endpoint = endpoint;
            resolve();
          } else {
            this.receivedEvent(event);
          }
        },
        this.options.maxFrameBytes,
      ).then(
        () => {
          reject(new Error('the SSE stream ended before naming its endpoint'));
          if (!this.closing) this.died('closed the SSE stream');
        },
        (error: Error) => {
          reject(error);
          if (!this.closing) this.died(`lost the SSE stream (${error.message})`);
        },
      );
    });
  }

  private async postSse(frame: Frame): Promise<void> {
    const response = await fetch(this.endpoint!, {
      method: 'POST',
      headers: this.headers({ 'content-type': 'application/json' }),
      body: lineText(frame),
      signal: this.abort.signal,
    });
    const text = await response.text().catch(() => '');
    if (!response.ok) throw new HttpStatusError(response.status, text);
  }

  /**
   * An SSE event's message. A `message` event without data is no message: a resumable server opens each
   * stream with one that carries only an event id (a priming event), and some send them as keep-alives.
   */
  private receivedEvent(event: SseEvent, awaited?: RequestId): boolean {
    return event.event === 'message' && event.data.trim() !== '' && this.received(event.data, awaited);
  }

  /**
   * Passes the message(s) on; true when one is the response to `awaited`. Each goes on as parsed and
   * written anew (no duplicate key or stray member means one thing here and another to the client),
   * one at a time: a message that fails is dropped, the others still go on.
   */
  private received(text: string, awaited?: RequestId): boolean {
    if (this.dead || this.closing) return false;
    let answers = false;
    for (const parsed of parseFrames(text, '')) {
      try {
        if (!parsed.ok) {
          if (this.refused(parsed) && awaited !== undefined && parsed.error.msg.id === awaited) answers = true;
          continue;
        }
        const frame = reserialised(parsed.frame);
        const version = (frame.msg.result as { protocolVersion?: unknown } | undefined)?.protocolVersion;
        if (typeof version === 'string' && frame.kind === 'response') this.protocolVersion = version;
        if (frame.kind === 'response' && awaited !== undefined && frame.msg.id === awaited) answers = true;
        this.onmessage?.(frame);
      } catch (error) {
        this.options.log(`upstream sent a message that could not be read; dropped (${(error as Error).message})`);
      }
    }
    return answers;
  }

  /** A server message the parser refused: dropped; one too deep to read fails the request it answers. */
  private refused(parsed: { error: Frame; tooDeep?: true }): boolean {
    const why = parsed.error.msg.error?.message;
    this.options.log(`upstream sent a message that is not JSON-RPC; dropped (${why})`);
    const id = parsed.error.msg.id;
    if (!parsed.tooDeep || id === null || id === undefined) return false;
    this.onmessage?.(errorFrame(id, ErrorCode.InvalidRequest, `The server's answer was refused: ${why}`));
    return true;
  }

  private failRequest(frame: Frame, message: string): void {
    if (frame.kind !== 'request') return;
    this.onmessage?.(errorFrame(frame.msg.id as RequestId, ErrorCode.UpstreamUnavailable, message));
  }

  private died(reason: string): void {
    if (this.dead || this.closing) return;
    this.dead = true;
    this.abort.abort();
    this.onclose?.(reason);
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.mode === 'streamable' && this.sessionId && !this.dead) {
      try {
        const response = await fetch(this.options.url, { method: 'DELETE', headers: this.headers({}), signal: AbortSignal.timeout(2000) });
        await response.body?.cancel();
      } catch {
        // The server may not support DELETE, or be gone already.
      }
    }
    this.abort.abort();
  }
}

function lineText(frame: Frame): string {
  const text = typeof frame.line === 'string' ? frame.line : frame.line.toString('utf8');
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}
