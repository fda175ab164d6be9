// The proxy's agent side over Streamable HTTP (`--listen`): one MCP endpoint at `/mcp` on the listener.
// The listener checks Host, Origin and the bearer token first (http-listener.ts); the endpoint keeps
// the sessions, each with its own upstream session, and its resumable streams (mcp-endpoint.ts); the
// session cap and the body bounds are the listener's (`listenerLimits`).
import { sendJsonError } from './http-responses';
import { listenHttp, type HttpProxyServer } from './http-listener';
import { ErrorCode } from './jsonrpc';
import { listenerLimits, McpEndpoint } from './mcp-endpoint';
import type { Downstream, ProxySession } from './relay';

export type { HttpProxyServer } from './http-listener';

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

const PATH = '/mcp';

export function serveHttp(options: HttpServeOptions): Promise<HttpProxyServer> {
  const endpoint = new McpEndpoint(listenerLimits(options), options, options.log);
  return listenHttp(options, {
    route: (path, req, res) => {
      if (path !== PATH) return sendJsonError(res, 404, null, ErrorCode.InvalidRequest, `Not found: the MCP endpoint is ${PATH}`);
      return endpoint.handle(req, res);
    },
    endpoints: () => [endpoint],
  });
}
