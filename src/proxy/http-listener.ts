// The HTTP listener a process serves MCP endpoints on: the proxy's `--listen` (one endpoint, `/mcp`) and
// the gateway (one per server). Every request must name this listener in Host (and Origin, when sent)
// and carry its bearer token (`ListenerGuard`) before anything else is read or any route chosen; the
// router then answers it. One guard, one session cap, one in-flight byte budget for the process (the
// cap and budget shared fairly among its endpoints: session-shares.ts, byte-shares.ts), and idle
// sessions of every endpoint are ended here.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendJsonError, sendRefusal } from './http-responses';
import { ErrorCode } from './jsonrpc';
import { allowedHostnames, ListenerGuard } from './listener-guard';
import type { IdentityResult } from '../team/identity';
import { SESSION_IDLE_MS, type McpEndpoint } from './mcp-endpoint';
import { setRequestPrincipal } from './request-principal';

export interface ListenerOptions {
  host: string;
  port: number;
  /** The bearer token every request must carry (unless `identify` is given). */
  token: string;
  /**
   * A team's identities: each request's bearer token must give a principal instead (kept with the
   * request, see request-principal.ts); a refusal is answered as it says, and nothing is read further.
   */
  identify?: (authorization: string | undefined) => Promise<IdentityResult>;
  /**
   * Paths a GET may fetch without a token (Host and Origin still checked): a page's own static files,
   * which hold no data, so that a browser can load the page that then asks for the token.
   */
  publicPaths?: ReadonlySet<string>;
  /** Names a request may also give in Host and Origin: the name clients use in front of a TLS terminator. */
  publicHosts?: readonly string[];
  /** A session with nothing going on for this long is ended, with its upstream. */
  sessionIdleMs?: number;
  log: (message: string) => void;
}

/** Where a request that passed the guard goes. */
export interface Router {
  /** `path` is the request's path without its query. */
  route(path: string, req: IncomingMessage, res: ServerResponse): Promise<void> | void;
  /** Every endpoint served now: for idle sessions, and to end them all on close. */
  endpoints(): Iterable<McpEndpoint>;
}

export interface HttpProxyServer {
  port: number;
  /** Resolves when the server has stopped. */
  closed: Promise<void>;
  close(): Promise<void>;
}

export async function listenHttp(options: ListenerOptions, router: Router): Promise<HttpProxyServer> {
  const hostnames = allowedHostnames(options.host);
  for (const name of options.publicHosts ?? []) hostnames.add(name.toLowerCase());
  const guard = new ListenerGuard(hostnames, options.token);
  const idleMs = options.sessionIdleMs ?? SESSION_IDLE_MS;
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
      for (const endpoint of router.endpoints()) endpoint.reap(now, idleMs);
    },
    Math.min(60_000, Math.max(100, idleMs / 4)),
  );
  reaper.unref();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Nothing of a request is read, and no route chosen, before it names this listener and has the token.
    const path = (req.url ?? '/').split('?')[0];
    const open = (req.method === 'GET' || req.method === 'HEAD') && options.publicPaths?.has(path) === true;
    let refusal = open || options.identify ? guard.checkPlace(req) : guard.check(req);
    if (!refusal && options.identify && !open) {
      const identity = await options.identify(req.headers.authorization);
      if (identity.ok) setRequestPrincipal(req, identity.principal);
      else refusal = { status: identity.refusal.status, message: identity.refusal.message, headers: { 'www-authenticate': identity.refusal.wwwAuthenticate } };
    }
    if (refusal) {
      req.resume();
      return sendRefusal(res, { ...refusal, headers: { ...refusal.headers, connection: 'close' } });
    }
    return router.route(path, req, res);
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
      await Promise.all([...router.endpoints()].map((endpoint) => endpoint.close()));
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}
