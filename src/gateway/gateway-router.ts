// The gateway's paths, behind the listener's guard (Host, Origin, bearer token): `/servers/<name>/mcp`
// (one MCP endpoint per served server), `GET /servers` (the served servers and their state) and
// `GET /healthz` (200 when the gateway can serve, 503 with the reason otherwise), and on a team's gateway
// `/approvals` (approvals-page.ts). Anything else, and a
// server not served, gets 404 naming the servers that are.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../proxy/http-responses';
import type { Router } from '../proxy/http-listener';
import { ErrorCode } from '../proxy/jsonrpc';
import type { ApprovalsPage } from './approvals-page';
import type { ServedSet } from './served-set';

const SERVER_PATH = /^\/servers\/([^/]+)\/mcp$/;

/** Why the gateway cannot serve now (no policy it may enforce, say), or undefined when it can. */
export type Health = () => string | undefined;

export function gatewayRouter(served: ServedSet, health: Health, approvals?: ApprovalsPage): Router {
  return {
    endpoints: () => served.endpoints(),
    route: (path: string, req: IncomingMessage, res: ServerResponse) => {
      const match = SERVER_PATH.exec(path);
      if (match) {
        const endpoint = served.get(decoded(match[1]) ?? '');
        if (endpoint) return endpoint.handle(req, res);
        return notFound(res, served, `no server "${decoded(match[1]) ?? match[1]}" is served here`);
      }
      if (approvals && (path === '/approvals' || path.startsWith('/approvals/'))) return approvals.handle(path, req, res);
      if (path === '/servers' || path === '/healthz') {
        if (req.method !== 'GET' && req.method !== 'HEAD') {
          res.setHeader('allow', 'GET, HEAD');
          return sendJson(res, 405, JSON.stringify({ error: 'Method not allowed' }));
        }
        if (path === '/servers') return sendJson(res, 200, JSON.stringify({ servers: served.states() }));
        const problem = health();
        return sendJson(res, problem === undefined ? 200 : 503, JSON.stringify(problem === undefined ? { status: 'ok', servers: served.names().length } : { status: 'unavailable', reason: problem }));
      }
      return notFound(res, served, `${path} is not a path of this gateway`);
    },
  };
}

function notFound(res: ServerResponse, served: ServedSet, why: string): void {
  const names = served.names();
  const message = `Not found: ${why}. ${names.length === 0 ? 'No server is served yet' : `Served: ${names.map((n) => `/servers/${encodeURIComponent(n)}/mcp`).join(', ')}`}`;
  sendJson(res, 404, JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: ErrorCode.InvalidRequest, message, data: { servers: names } } }));
}

function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
