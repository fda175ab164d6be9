// The requests in flight between the client and the server, each by its exact id: the client's sent
// upstream (with their progress routes) and the server's sent to the client.
import { progressTokenOf, type Frame, type RequestId } from './jsonrpc';

export interface Forwarded {
  method: string;
  progressToken?: RequestId;
  /** A tools/list for a later page (it named a cursor): its answer continues a listing. */
  paged?: true;
}

export class PendingRequests {
  /** Client requests sent upstream and not answered yet. */
  private readonly forwarded = new Map<RequestId, Forwarded>();
  private readonly progressRoutes = new Map<RequestId, RequestId>();
  /** Server requests sent to the client and not answered yet. */
  readonly serverRequests = new Set<RequestId>();

  /** A client request on its way upstream, remembered with its progress route. */
  track(frame: Frame): void {
    const id = frame.msg.id as RequestId;
    const progressToken = progressTokenOf(frame.msg);
    const forwarded: Forwarded = progressToken === undefined ? { method: frame.msg.method! } : { method: frame.msg.method!, progressToken };
    if (forwarded.method === 'tools/list' && (frame.msg.params as { cursor?: unknown } | undefined)?.cursor !== undefined) forwarded.paged = true;
    this.forwarded.set(id, forwarded);
    if (progressToken !== undefined) this.progressRoutes.set(progressToken, id);
  }

  get(id: RequestId): Forwarded | undefined {
    return this.forwarded.get(id);
  }

  has(id: RequestId): boolean {
    return this.forwarded.has(id);
  }

  get size(): number {
    return this.forwarded.size;
  }

  /** The client request a progress token belongs to. */
  progressRoute(token: RequestId): RequestId | undefined {
    return this.progressRoutes.get(token);
  }

  /** The request an answer from the server settles, forgotten with its progress route. */
  settle(id: RequestId): Forwarded | undefined {
    const pending = this.forwarded.get(id);
    if (!pending) return undefined;
    this.forwarded.delete(id);
    if (pending.progressToken !== undefined) this.progressRoutes.delete(pending.progressToken);
    return pending;
  }

  /** Forgets everything in flight; returns the ids of the client requests that were waiting. */
  clear(): RequestId[] {
    const failed = [...this.forwarded.keys()];
    this.forwarded.clear();
    this.progressRoutes.clear();
    this.serverRequests.clear();
    return failed;
  }
}
