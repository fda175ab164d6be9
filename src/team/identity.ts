// Who is calling a team's gateway: the bearer token of a request, checked by one or more identity
// sources (a tokens file, an OIDC issuer), gives a principal or a refusal. A request with no valid
// identity is answered 401 with a WWW-Authenticate header (RFC 6750) and nothing is forwarded.
import type { Principal } from '../policy/model';

export type { Principal };

export interface IdentityRefusal {
  /** 401: no usable identity. 503: the identity could not be checked now (an issuer's keys unreachable). */
  status: 401 | 503;
  /** For the client and the log; never holds the token. */
  message: string;
  wwwAuthenticate: string;
}

export type IdentityResult = { ok: true; principal: Principal; via: string } | { ok: false; refusal: IdentityRefusal };

/** One source of identities. `undefined`: the token is not one of this source's (another may know it). */
export interface IdentitySource {
  readonly name: string;
  /** Whether `token` has the form this source reads (a JWT for OIDC, anything for a tokens file). */
  recognises(token: string): boolean;
  identify(token: string): Promise<IdentityResult>;
}

export const REALM = 'Bearer realm="mcp-warden"';

export function refusal(message: string, error?: 'invalid_request' | 'invalid_token', status: 401 | 503 = 401): IdentityResult {
  const description = error ? `, error="${error}", error_description="${headerSafe(message)}"` : '';
  return { ok: false, refusal: { status, message: `Unauthorized: ${message}`, wwwAuthenticate: `${REALM}${description}` } };
}

/** The token of an `Authorization: Bearer TOKEN` header, or the refusal. */
export function bearerToken(authorization: string | undefined): { token: string } | { refused: IdentityResult } {
  if (authorization === undefined || authorization.trim() === '') return { refused: refusal('send a token as "Authorization: Bearer TOKEN"') };
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(authorization);
  if (!match) return { refused: refusal('the Authorization header must be "Bearer TOKEN" with one token', 'invalid_request') };
  return { token: match[1] };
}

/**
 * Identifies the caller of a request from its Authorization header: the first source that recognises
 * the token decides; when none does, or the one that does refuses, the request is refused.
 */
export class Identities {
  constructor(private readonly sources: readonly IdentitySource[]) {
    if (sources.length === 0) throw new Error('no identity source: give --tokens FILE or an OIDC issuer');
  }

  async identify(authorization: string | undefined): Promise<IdentityResult> {
    const bearer = bearerToken(authorization);
    if ('refused' in bearer) return bearer.refused;
    let last: IdentityResult | undefined;
    for (const source of this.sources) {
      if (!source.recognises(bearer.token)) continue;
      let result: IdentityResult;
      try {
        result = await source.identify(bearer.token);
      } catch (error) {
        // A source that fails to decide refuses: never an identity by default.
        result = refusal(`the ${source.name} could not check the token: ${(error as Error)?.message ?? String(error)}`, 'invalid_token');
      }
      if (result.ok) return result;
      last = result;
    }
    return last ?? refusal('the token is not known', 'invalid_token');
  }
}

/** Control characters in a name could make it read as another in a log line or a state key. */
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A principal's fields checked: a non-empty name and a list of non-empty group names, none with control characters. */
export function principalOf(name: unknown, groups: unknown): Principal | string {
  if (typeof name !== 'string' || name.trim() === '') return 'no user name';
  if (CONTROL.test(name)) return 'a user name with control characters';
  if (groups === undefined || groups === null) return { name, groups: [] };
  if (!Array.isArray(groups) || !groups.every((g) => typeof g === 'string' && g.trim() !== '' && !CONTROL.test(g))) return 'the groups are not a list of names';
  return { name, groups: [...new Set(groups as string[])] };
}

/** A header's quoted-string holds no quote, backslash or control character. */
function headerSafe(text: string): string {
  return text.replace(/["\\\u0000-\u001f\u007f-\uffff]/g, ' ').slice(0, 200);
}
