// Reading request bodies on the HTTP listener within bounds: each body at most the largest message, all
// bodies being received at once together at most an in-flight budget (so many unfinished large bodies
// cannot take the proxy's memory), and each body within a time limit (so a slow one cannot hold its
// share forever). A refused body is never kept.
import type { IncomingMessage } from 'node:http';
import { describeBytes } from './regular-file';
import type { Refusal } from './listener-guard';

/** Bytes of request bodies held, with a ceiling; `shared`: part of it is kept for other endpoints (byte-shares.ts). */
export interface Budget {
  readonly limit: number;
  readonly shared?: boolean;
  take(bytes: number): boolean;
  give(bytes: number): void;
}

/** Bytes of request bodies held across every connection, with a ceiling. */
export class ByteBudget implements Budget {
  private used = 0;

  constructor(readonly limit: number) {}

  get inUse(): number {
    return this.used;
  }

  take(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    return true;
  }

  give(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}

export interface BodyLimits {
  maxBytes: number;
  budget: Budget;
  timeoutMs: number;
}

/** A body that was read: its bytes count against the budget until `release` is called. */
export interface Body {
  bytes: Buffer;
  release(): void;
}

/** Seconds a client is told to wait when the budget is spent: bodies in flight end (or time out) soon. */
const RETRY_BUSY_SECONDS = 1;

export function readBody(req: IncomingMessage, limits: BodyLimits): Promise<Body | Refusal> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.maxBytes) return Promise.resolve(discard(req, limits, tooLarge(limits.maxBytes)));
  let held = 0;
  if (Number.isFinite(declared) && declared > 0) {
    if (!limits.budget.take(declared)) return Promise.resolve(discard(req, limits, busy(limits.budget)));
    held = declared;
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (outcome: Body | Refusal): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off('data', onData);
      if ('bytes' in outcome) return resolve(outcome);
      limits.budget.give(held);
      held = 0;
      chunks.length = 0;
      resolve(discard(req, limits, outcome));
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limits.maxBytes) return finish(tooLarge(limits.maxBytes));
      // A body with no declared length takes from the budget as it comes; a declared one took it all.
      if (size > held) {
        if (!limits.budget.take(size - held)) return finish(busy(limits.budget));
        held = size;
      }
      chunks.push(chunk);
    };
    const timer = setTimeout(() => finish({ status: 408, message: `Request Timeout: the body did not arrive within ${limits.timeoutMs / 1000} s` }), limits.timeoutMs);
    req.on('data', onData);
    req.on('end', () => {
      const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
      let released = false;
      finish({
        bytes,
        release: () => {
          if (released) return;
          released = true;
          limits.budget.give(held);
        },
      });
    });
    req.on('error', () => finish({ status: 400, message: 'Bad Request: the body could not be read' }));
    req.on('close', () => finish({ status: 400, message: 'Bad Request: the connection closed before the body ended' }));
  });
}

/**
 * The refusal. A body over the size limit is read to its end and dropped, so the client reads the 413
 * rather than a reset. A body refused for want of budget or time is not read at all: the connection is
 * closed once the answer is written (reading it would cost what the budget is there to bound).
 */
function discard(req: IncomingMessage, limits: BodyLimits, refusal: Refusal): Refusal {
  if (refusal.status !== 413) {
    req.pause();
    return { ...refusal, headers: { ...refusal.headers, connection: 'close' } };
  }
  const stop = setTimeout(() => req.socket.destroy(), limits.timeoutMs);
  stop.unref();
  req.once('end', () => clearTimeout(stop));
  req.once('close', () => clearTimeout(stop));
  req.resume();
  return refusal;
}

function tooLarge(maxBytes: number): Refusal {
  return { status: 413, message: `Message over the proxy's limit of ${maxBytes} bytes` };
}

function busy(budget: Budget): Refusal {
  return {
    status: 503,
    message: `Service Unavailable: request bodies in flight already hold the listener's limit of ${describeBytes(budget.limit)}${budget.shared ? ', or all of it this server may take while a part is kept for the other servers served' : ''}; try again shortly`,
    headers: { 'retry-after': String(RETRY_BUSY_SECONDS) },
  };
}
