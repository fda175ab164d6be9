// An upstream server at a URL: Streamable HTTP, falling back to the legacy HTTP+SSE transport when
// the server answers the first POST (initialize) with 400, 404 or 405, as the MCP spec describes for
// backwards compatibility. The SDK's client transports do the HTTP work; messages arrive parsed, so
// they are re-serialised once on the way to the client.
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { ErrorCode, errorFrame, frameOf, type Frame, type JsonRpcMessage, type RequestId } from './jsonrpc';
import type { Upstream } from './upstream';

export interface HttpUpstreamOptions {
  url: URL;
  headers: Record<string, string>;
  log: (message: string) => void;
}

type Mode = 'unknown' | 'probing' | 'streamable' | 'sse';

const FALLBACK_STATUSES = new Set([400, 404, 405]);

export class HttpUpstream implements Upstream {
  onmessage?: (frame: Frame) => void;
  onclose?: (reason: string) => void;
  private transport: Transport | undefined;
  private mode: Mode = 'unknown';
  private held: Frame[] = [];
  private closing = false;
  private dead = false;

  constructor(private readonly options: HttpUpstreamOptions) {}

  async start(): Promise<void> {
    this.transport = this.attach(new StreamableHTTPClientTransport(this.options.url, { requestInit: { headers: this.options.headers } }));
    await this.transport.start();
  }

  /** Wires a transport's callbacks; a transport that was replaced (the SSE fallback) is ignored. */
  private attach<T extends Transport>(transport: T): T {
    transport.onmessage = (message) => {
      if (this.transport !== transport) return;
      this.seen(message as JsonRpcMessage);
      this.onmessage?.(frameOf(message as JsonRpcMessage));
    };
    transport.onerror = (error) => {
      if (this.transport === transport && !this.closing) this.options.log(`upstream ${this.options.url.href}: ${error.message}`);
    };
    transport.onclose = () => {
      if (this.transport === transport && this.mode !== 'probing') this.died('closed the connection');
    };
    return transport;
  }

  /** Learns the protocol version from the initialize answer: later HTTP requests must name it. */
  private seen(message: JsonRpcMessage): void {
    const version = (message.result as { protocolVersion?: unknown } | undefined)?.protocolVersion;
    if (typeof version === 'string' && this.transport instanceof StreamableHTTPClientTransport) this.transport.setProtocolVersion(version);
  }

  send(frame: Frame): void {
    if (this.dead || !this.transport) return;
    if (this.mode === 'probing') {
      this.held.push(frame);
      return;
    }
    if (this.mode === 'unknown' && frame.msg.method === 'initialize') {
      this.mode = 'probing';
      void this.probe(frame);
      return;
    }
    if (this.mode === 'unknown') this.mode = 'streamable';
    this.post(this.transport, frame);
  }

  private async probe(frame: Frame): Promise<void> {
    const url = this.options.url;
    try {
      await this.transport!.send(frame.msg as JSONRPCMessage);
      this.mode = 'streamable';
    } catch (error) {
      if (!(error instanceof StreamableHTTPError) || !FALLBACK_STATUSES.has(error.code ?? 0)) {
        this.mode = 'streamable';
        this.failRequest(frame, `cannot reach ${url.href}: ${(error as Error).message}`);
        this.died(`could not be reached (${(error as Error).message})`);
        return;
      }
      this.options.log(`upstream ${url.href} does not speak Streamable HTTP (HTTP ${error.code}); trying the legacy SSE transport`);
      try {
        const sse = this.attach(new SSEClientTransport(url, { requestInit: { headers: this.options.headers }, eventSourceInit: { fetch: this.sseFetch() } }));
        this.transport = sse;
        await sse.start();
        await sse.send(frame.msg as JSONRPCMessage);
        this.mode = 'sse';
      } catch (sseError) {
        this.mode = 'sse';
        this.failRequest(frame, `cannot reach ${url.href} over Streamable HTTP or SSE: ${(sseError as Error).message}`);
        this.died(`could not be reached (${(sseError as Error).message})`);
        return;
      }
    }
    const held = this.held;
    this.held = [];
    for (const next of held) this.post(this.transport!, next);
  }

  /** The SSE stream's GET carries the same headers (e.g. Authorization) as the POSTs. */
  private sseFetch(): typeof fetch {
    const headers = this.options.headers;
    return (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string> | undefined), ...headers } });
  }

  private post(transport: Transport, frame: Frame): void {
    transport.send(frame.msg as JSONRPCMessage).catch((error: Error) => {
      if (this.closing || this.transport !== transport) return;
      this.failRequest(frame, `the server did not take the message: ${error.message}`);
      // A session the server no longer knows, or a server that is gone: start over on the next request.
      const status = error instanceof StreamableHTTPError ? error.code : undefined;
      if (status === 404 || status === undefined) this.died(status === 404 ? 'ended the session' : `could not be reached (${error.message})`);
    });
  }

  private failRequest(frame: Frame, message: string): void {
    if (frame.kind !== 'request') return;
    this.onmessage?.(errorFrame(frame.msg.id as RequestId, ErrorCode.UpstreamUnavailable, message));
  }

  private died(reason: string): void {
    if (this.dead || this.closing) return;
    this.dead = true;
    const transport = this.transport;
    this.transport = undefined;
    void transport?.close().catch(() => undefined);
    this.onclose?.(reason);
  }

  async close(): Promise<void> {
    this.closing = true;
    const transport = this.transport;
    this.transport = undefined;
    if (!transport) return;
    try {
      if (transport instanceof StreamableHTTPClientTransport) await transport.terminateSession();
    } catch {
      // The server may not support DELETE, or be gone already.
    }
    await transport.close().catch(() => undefined);
  }
}
