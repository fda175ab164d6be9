// OIDC identities: a JWT signed by the team's issuer, verified with `jose` against the issuer's keys
// (a JWKS file, or its URL), for this gateway's audience, unexpired and already valid. The principal's
// name and groups come from configurable claims (`sub` and `groups` unless told otherwise; a dotted
// path reaches into nested claims, e.g. `realm_access.roles`). Only public-key algorithms are accepted,
// and every token must carry an expiry.
// jose is an ES module: loaded when the first token is checked (the bundle inlines it either way).
import type { JSONWebKeySet, JWTPayload, JWTVerifyGetKey } from 'jose' with { 'resolution-mode': 'import' };
import { principalOf, refusal, type IdentityResult, type IdentitySource } from './identity';

export interface OidcOptions {
  issuer: string;
  audience: string;
  /** The issuer's keys: a JWKS document, or the URL to fetch it from (cached, refetched for a new key id). */
  jwks: { keys: JSONWebKeySet } | { url: string; timeoutMs?: number };
  /** The claim that names the user. Default `sub`. */
  nameClaim?: string;
  /** The claim that lists the user's groups (absent: no groups). Default `groups`. */
  groupsClaim?: string;
  /** Seconds of clock difference forgiven on `exp` and `nbf`. Default 5. */
  clockToleranceSeconds?: number;
}

/** Asymmetric algorithms only: a shared-secret (HS*) token could be forged by anyone holding the public JWKS. */
export const OIDC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

type Jose = typeof import('jose', { with: { 'resolution-mode': 'import' } });
let loaded: Promise<Jose> | undefined;
const loadJose = (): Promise<Jose> => (loaded ??= import('jose'));

export class OidcIdentities implements IdentitySource {
  readonly name = 'OIDC issuer';
  private keys?: JWTVerifyGetKey;

  constructor(private readonly options: OidcOptions) {
    if (!options.issuer || !options.audience) throw new Error('OIDC needs an issuer and an audience');
    if ('url' in options.jwks) new URL(options.jwks.url); // a bad URL stops the start, not the first call
  }

  recognises(token: string): boolean {
    return JWT_SHAPE.test(token);
  }

  async identify(token: string): Promise<IdentityResult> {
    const jose = await loadJose();
    const jwks = this.options.jwks;
    this.keys ??= 'keys' in jwks ? jose.createLocalJWKSet(jwks.keys) : jose.createRemoteJWKSet(new URL(jwks.url), { timeoutDuration: jwks.timeoutMs ?? 5000 });
    let payload: JWTPayload;
    try {
      ({ payload } = await jose.jwtVerify(token, this.keys, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: OIDC_ALGORITHMS,
        requiredClaims: ['exp'],
        clockTolerance: this.options.clockToleranceSeconds ?? 5,
      }));
    } catch (error) {
      return refusedFor(jose.errors, error);
    }
    const principal = principalOf(claim(payload, this.options.nameClaim ?? 'sub'), claim(payload, this.options.groupsClaim ?? 'groups'));
    if (typeof principal === 'string') return refusal(`the token's claims give ${principal} (name from "${this.options.nameClaim ?? 'sub'}", groups from "${this.options.groupsClaim ?? 'groups'}")`, 'invalid_token');
    return { ok: true, principal, via: this.name };
  }
}

/** A claim by its exact name, else by a dotted path into nested objects. */
function claim(payload: JWTPayload, name: string): unknown {
  if (Object.hasOwn(payload, name)) return payload[name];
  let at: unknown = payload;
  for (const part of name.split('.')) {
    if (!at || typeof at !== 'object' || Array.isArray(at) || !Object.hasOwn(at, part)) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}

/** What a verification failure means for the caller, in words; the token itself is never repeated. */
function refusedFor(errors: Jose['errors'], error: unknown): IdentityResult {
  if (error instanceof errors.JWTExpired) return refusal('the token has expired', 'invalid_token');
  if (error instanceof errors.JWTClaimValidationFailed) {
    const why: Record<string, string> = {
      nbf: 'the token is not valid yet',
      iat: 'the token was issued in the future',
      iss: 'the token was issued by another issuer',
      aud: 'the token is for another audience',
      exp: 'the token has no expiry',
    };
    return refusal(why[error.claim] ?? `the token's "${error.claim}" claim is not acceptable`, 'invalid_token');
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return refusal('the token\'s signature does not verify', 'invalid_token');
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) return refusal('the token\'s signing algorithm is not accepted (a public-key algorithm is required)', 'invalid_token');
  if (error instanceof errors.JWKSNoMatchingKey) return refusal('the token is signed with a key the issuer does not list', 'invalid_token');
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || !(error instanceof errors.JOSEError)) {
    return refusal(`the issuer's keys could not be read (${(error as Error)?.message ?? String(error)})`, undefined, 503);
  }
  return refusal(`the token is not a valid JWT (${error.message})`, 'invalid_token');
}
