// The upstream session's life: started on demand, restarted on the next request after it dies (with
// backoff), and re-initialised with the client's own initialize; messages wait while it (re)starts.
import { batched } from './batched';
import { ErrorCode, errorFrame, frameOf, type Frame, type JsonRpcMessage, type RequestId } from './jsonrpc';
import { ownId } from './own-requests';
import type { PendingRequests } from './pending-requests';
import type { Downstream, SessionOptions } from './relay';
import type { Upstream } from './upstream';

type UpstreamState = 'idle' | 'starting' | 'ready' | 'down';

/** Restart delays after the upstream died again soon after a start. */
const RESTART_BACKOFF_MS = [0, 250, 500, 1000, 2000, 5000, 10000];
/** An upstream that lived this long has recovered: the backoff starts over. */
const HEALTHY_AFTER_MS = 10_000;

/** The session's side: where the upstream's messages go, and whether the session has ended. */
export interface UpstreamEvents {
  message: (frame: Frame) => void;
  response: (id: RequestId, line: Buffer) => boolean;
  closed: () => boolean;
}

export class UpstreamLife {
  current: Upstream | undefined;
  private state: UpstreamState = 'idle';
  /** Messages held while the upstream (re)starts. */
  private outbox: Frame[] = [];
  /** The client's initialize, replayed to a restarted upstream once it was answered. */
  initialize: { frame: Frame; answered: boolean; initialized: boolean } | undefined;
  replayId: RequestId | undefined;
  private quickDeaths = 0;
  private startedAt = 0;

  constructor(
    private readonly options: SessionOptions,
    private readonly downstream: Downstream,
    private readonly pending: PendingRequests,
    private readonly events: UpstreamEvents,
  ) {}

  send(frame: Frame): void {
    if (this.state === 'ready') {
      this.current!.send(frame);
    } else if (this.state === 'starting') {
      this.outbox.push(frame);
    } else if (frame.kind === 'request') {
      this.outbox.push(frame);
      this.ensure();
    }
    // A notification or response while the server is down has no one to go to: dropped.
  }

  ensure(): void {
    if (this.state === 'starting' || this.state === 'ready' || this.events.closed()) return;
    this.state = 'starting';
    const delay = RESTART_BACKOFF_MS[Math.min(this.quickDeaths, RESTART_BACKOFF_MS.length - 1)];
    const begin = (): void => {
      if (this.events.closed()) return;
      const upstream = this.options.upstream();
      this.current = upstream;
      upstream.onmessage = this.events.message;
      upstream.onresponse = this.events.response;
      upstream.onchunk = (deliver) => batched(this.downstream, deliver);
      upstream.onclose = (reason) => this.died(upstream, reason);
      upstream.onoversized = (id, size) => this.oversized(id, size);
      this.startedAt = Date.now();
      upstream.start().then(
        () => this.started(upstream),
        (error: Error) => this.failed(upstream, error.message),
      );
    };
    if (delay === 0) begin();
    else setTimeout(begin, delay).unref();
  }

  private started(upstream: Upstream): void {
    if (this.events.closed()) {
      void upstream.close();
      return;
    }
    this.options.control?.send({ type: 'upstream', server: this.options.server, session: this.options.sessionId, event: 'started' });
    // A restart: initialise the new server as the client did, then let the held messages through.
    if (this.initialize?.answered) {
      const params = this.initialize.frame.msg.params;
      this.replayId = ownId();
      upstream.send(frameOf({ jsonrpc: '2.0', id: this.replayId, method: 'initialize', ...(params ? { params } : {}) }));
      return;
    }
    this.becomeReady(upstream);
  }

  replayAnswered(msg: JsonRpcMessage): void {
    this.replayId = undefined;
    const upstream = this.current!;
    if (msg.error) {
      this.options.log(`the restarted upstream refused to initialise: ${msg.error.message}`);
      this.failed(upstream, `it refused to initialise (${msg.error.message})`);
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

  private failed(upstream: Upstream, why: string): void {
    if (upstream !== this.current) return;
    this.options.log(`upstream "${this.options.server}" could not start: ${why}`);
    this.options.control?.send({ type: 'upstream', server: this.options.server, session: this.options.sessionId, event: 'failed', detail: why });
    this.quickDeaths++;
    void upstream.close();
    this.markDown(`Upstream server "${this.options.server}" could not start: ${why}`);
  }

  private died(upstream: Upstream, reason: string): void {
    if (upstream !== this.current || this.events.closed()) return;
    const lived = Date.now() - this.startedAt;
    this.options.log(`upstream "${this.options.server}" ${reason}; ${this.pending.size} pending call(s) failed; the next request restarts it`);
    this.options.control?.send({ type: 'upstream', server: this.options.server, session: this.options.sessionId, event: 'exited', detail: reason });
    this.markDown(`Upstream server "${this.options.server}" ${reason} before answering; the next request restarts it`);
    this.quickDeaths = lived >= HEALTHY_AFTER_MS ? 0 : this.quickDeaths + 1;
  }

  /** Fails everything in flight: each pending client request gets a JSON-RPC error. */
  private markDown(message: string): void {
    this.state = 'down';
    this.current = undefined;
    this.replayId = undefined;
    const failed = this.pending.clear();
    this.outbox = [];
    batched(this.downstream, () => {
      for (const id of failed) this.downstream.send(errorFrame(id, ErrorCode.UpstreamUnavailable, message), id);
    });
  }

  private oversized(id: RequestId | null, size: number): void {
    if (id === null || !this.pending.settle(id)) return;
    this.downstream.send(errorFrame(id, ErrorCode.RequestTooLarge, `The server's response (${size} bytes) is over the proxy's frame limit`), id);
  }

  /** Closes the upstream session for good. */
  async close(): Promise<void> {
    const upstream = this.current;
    this.current = undefined;
    this.state = 'down';
    if (upstream) await upstream.close();
  }
}
