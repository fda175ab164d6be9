// Warden's own requests to the client (elicitation, to ask for an approval): ids of their own that no
// server request may carry, and each answer taken back by its exact id.
import { randomUUID } from 'node:crypto';
import { frameOf, type JsonRpcMessage, type RequestId } from './jsonrpc';
import type { Downstream } from './relay';

/** Prefix of the ids of Warden's own requests; the rest is random, so nobody can guess one. */
export const OWN_ID_PREFIX = 'mcp-warden-';

export function ownId(): string {
  return OWN_ID_PREFIX + randomUUID();
}

export function isOwnId(id: unknown): id is string {
  return typeof id === 'string' && id.startsWith(OWN_ID_PREFIX);
}

export class OwnRequests {
  /** Requests of the proxy's own to the client (elicitation). */
  private readonly clientRequests = new Map<RequestId, (response: JsonRpcMessage) => void>();
  /** What the client said it can do, in its initialize. */
  capabilities: Record<string, unknown> = {};

  constructor(private readonly downstream: Downstream) {}

  canElicit(): boolean {
    const elicitation = this.capabilities.elicitation;
    if (!elicitation || typeof elicitation !== 'object') return false;
    // Since 2025-11-25 a client lists its modes; an empty object still means form mode.
    const modes = Object.keys(elicitation);
    return modes.length === 0 || modes.includes('form');
  }

  request(method: string, params: Record<string, unknown>, related: RequestId, signal: AbortSignal): Promise<JsonRpcMessage> {
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

  /** Gives a client response to the own request it answers; false when it answers none of them. */
  answered(id: unknown, msg: JsonRpcMessage): boolean {
    const own = isOwnId(id) ? this.clientRequests.get(id) : undefined;
    if (!own) return false;
    this.clientRequests.delete(id as RequestId);
    own(msg);
    return true;
  }

  clear(): void {
    this.clientRequests.clear();
  }
}
