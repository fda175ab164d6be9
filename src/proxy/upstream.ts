// The real server's side of the proxy, whatever the transport: a child process over stdio, or a URL
// over Streamable HTTP (or legacy SSE). One Upstream is one upstream session.
import type { Frame, RequestId } from './jsonrpc';

export interface Upstream {
  /** Connects; resolves once messages can be sent, rejects when the server cannot be reached. */
  start(): Promise<void>;
  /** Forwards one message (its received bytes where the transport allows). */
  send(frame: Frame): void;
  /** Ends the session on purpose; `onclose` is not called for it. */
  close(): Promise<void>;
  /** A message from the server. */
  onmessage?: (frame: Frame) => void;
  /** The server went away on its own (exited, or the connection failed for good). */
  onclose?: (reason: string) => void;
  /**
   * A plain success response (see `plainResponseId`), offered before it is parsed: return true when it
   * was handled from its id and bytes alone, false to have it parsed and given to `onmessage`.
   */
  onresponse?: (id: RequestId, line: Buffer) => boolean;
  /** Wraps the delivery of messages that arrived together (one read), so what they cause can be written at once. */
  onchunk?: (deliver: () => void) => void;
  /** A server message was dropped for its size; `id` is its id when it could be read. */
  onoversized?: (id: RequestId | null, size: number) => void;
  /** Batches the sends of one turn (stdio), when the transport can. */
  cork?(): void;
  uncork?(): void;
}

export type UpstreamFactory = () => Upstream;
