// One SSE stream of the Streamable HTTP side, resumable as MCP allows: every event carries an id
// `<stream>_<n>` (unique in the session), and the events are kept, so a client whose connection dropped
// can GET with `Last-Event-ID` and receive, on a new connection, what followed on the same stream.
import type { ServerResponse } from 'node:http';

/** Parses a `Last-Event-ID` written by `ResumableStream`. */
export function parseEventId(value: string): { stream: string; n: number } | undefined {
  const match = /^([a-z][a-z0-9]*)_(\d{1,15})$/.exec(value);
  return match ? { stream: match[1], n: Number(match[2]) } : undefined;
}

export class ResumableStream {
  /** The kept events; `events[i]` is event number `first + i`. */
  private events: string[] = [];
  private bytes = 0;
  private first = 1;
  private next = 1;
  /** The last event written to a connection. */
  private delivered = 0;
  private res: ServerResponse | undefined;
  private ended = false;

  constructor(
    readonly key: string,
    private readonly sessionId: string,
    /** Events and bytes kept for a client to come back for; the oldest go first. */
    private readonly limits: { events: number; bytes: number },
  ) {}

  get attached(): boolean {
    return this.res !== undefined;
  }

  /**
   * Makes `res` the stream's connection: sends the SSE headers, then the events after number `after`
   * (by default, those no connection has taken yet), and ends it at once if the stream has ended.
   */
  attach(res: ServerResponse, after = this.delivered, prime = false): void {
    this.res = res;
    // What the client says it has will not be asked for again.
    this.forgetThrough(Math.min(after, this.next - 1));
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'mcp-session-id': this.sessionId });
    // An event with an id and no data: the client can resume even if the connection drops before the first message.
    if (prime) res.write(`id: ${this.key}_0\ndata:\n\n`);
    res.flushHeaders();
    for (let n = Math.max(after + 1, this.first); n < this.next; n++) res.write(this.events[n - this.first]);
    this.delivered = this.next - 1;
    res.on('close', () => {
      if (this.res === res) this.res = undefined;
    });
    if (this.ended) res.end();
  }

  write(json: string): void {
    const n = this.next++;
    const event = `id: ${this.key}_${n}\nevent: message\ndata: ${json}\n\n`;
    this.events.push(event);
    this.bytes += event.length;
    while (this.events.length > this.limits.events || (this.bytes > this.limits.bytes && this.events.length > 1)) this.forgetThrough(this.first);
    if (this.res) {
      this.res.write(event);
      this.delivered = n;
    }
  }

  private forgetThrough(n: number): void {
    while (this.first <= n && this.events.length > 0) {
      this.bytes -= this.events.shift()!.length;
      this.first++;
    }
  }

  /** No more events: the connection ends once it has them all (now, or when the client comes back). */
  end(): void {
    this.ended = true;
    this.res?.end();
  }

  get hasEnded(): boolean {
    return this.ended;
  }
}
