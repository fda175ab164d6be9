// Who may talk to the HTTP listener: a request whose Host (and Origin, when sent) names this listener,
// carrying the listener's bearer token. Host and Origin stop DNS rebinding (a page whose name resolves
// to this machine); the token stops every other local process and page that can reach the port.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { networkInterfaces } from 'node:os';

export type Refusal = { status: number; message: string; headers?: Record<string, string> };

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];
const REALM = 'Bearer realm="mcp-warden"';

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

function isWildcard(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === '0.0.0.0' || bare === '::' || bare === '';
}

/** A hostname as it appears in a URL: lower case, IPv6 in brackets. */
function urlHostname(host: string): string {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare.includes(':') ? `[${bare}]` : bare;
}

/**
 * The names a request may give in Host or Origin for a listener on `listenHost`: that address; with a
 * loopback address the loopback names; with a wildcard address those and each address of this machine.
 */
export function allowedHostnames(listenHost: string): Set<string> {
  const names = new Set([urlHostname(listenHost)]);
  if (isLoopbackHost(listenHost) || isWildcard(listenHost)) for (const name of LOOPBACK_NAMES) names.add(name);
  if (isWildcard(listenHost)) {
    for (const addresses of Object.values(networkInterfaces())) for (const address of addresses ?? []) names.add(urlHostname(address.address));
  }
  return names;
}

function hostnameOf(value: string, asUrl: boolean): string | undefined {
  try {
    return new URL(asUrl ? value : `http://${value}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

export class ListenerGuard {
  private readonly tokenDigest: Buffer;

  constructor(
    private readonly hostnames: Set<string>,
    token: string,
  ) {
    this.tokenDigest = digest(token);
  }

  /** Why this request is refused, or undefined when it may go on. */
  check(req: IncomingMessage): Refusal | undefined {
    return this.checkPlace(req) ?? this.checkToken(req.headers.authorization);
  }

  /** Host and Origin only: for a listener whose callers are identified otherwise (a team's identities). */
  checkPlace(req: IncomingMessage): Refusal | undefined {
    const host = req.headers.host;
    const hostname = host === undefined ? undefined : hostnameOf(host, false);
    if (hostname === undefined || !this.hostnames.has(hostname)) {
      return { status: 403, message: `Forbidden: the Host header ${JSON.stringify(host ?? '')} does not name this listener` };
    }
    const origin = req.headers.origin;
    if (origin !== undefined) {
      const originHost = hostnameOf(origin, true);
      if (originHost === undefined || !this.hostnames.has(originHost)) {
        return { status: 403, message: `Forbidden: requests from the origin ${JSON.stringify(origin)} are not accepted` };
      }
    }
    return undefined;
  }

  private checkToken(authorization: string | undefined): Refusal | undefined {
    if (authorization === undefined) {
      return { status: 401, message: 'Unauthorized: send the listener’s token as "Authorization: Bearer TOKEN"', headers: { 'www-authenticate': REALM } };
    }
    const match = /^Bearer +(\S+) *$/i.exec(authorization);
    if (!match) {
      return {
        status: 401,
        message: 'Unauthorized: the Authorization header must use the Bearer scheme',
        headers: { 'www-authenticate': `${REALM}, error="invalid_request"` },
      };
    }
    // Digests of equal length compared in constant time: the token's length and content stay hidden.
    if (!timingSafeEqual(digest(match[1]), this.tokenDigest)) {
      return { status: 401, message: 'Unauthorized: the token is not this listener’s', headers: { 'www-authenticate': `${REALM}, error="invalid_token"` } };
    }
    return undefined;
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
