// The identity sources a gateway is started with, read from their files once at start: a tokens file
// and/or an OIDC issuer (its keys from a JWKS file or URL). A file that cannot be read or holds any
// problem stops the start with the reason; nothing half-read is used.
import type { JSONWebKeySet } from 'jose' with { 'resolution-mode': 'import' };
import { readRegularFileSync } from '../proxy/regular-file';
import { Identities, type IdentitySource } from './identity';
import { OidcIdentities } from './identity-oidc';
import { parseTokensFile, TokenIdentities } from './identity-tokens';

export interface IdentityConfig {
  /** `--tokens FILE`. */
  tokensFile?: string;
  oidc?: {
    issuer: string;
    audience: string;
    jwksFile?: string;
    jwksUrl?: string;
    nameClaim?: string;
    groupsClaim?: string;
  };
}

const MAX_FILE_BYTES = 1024 * 1024;

export function loadIdentities(config: IdentityConfig): Identities {
  const sources: IdentitySource[] = [];
  // The tokens file first: a lookup by hash, and it never claims a JWT the issuer would take.
  if (config.tokensFile !== undefined) sources.push(new TokenIdentities(parseTokensFile(readText(config.tokensFile, '--tokens'), config.tokensFile)));
  if (config.oidc) {
    const { jwksFile, jwksUrl, ...rest } = config.oidc;
    if ((jwksFile === undefined) === (jwksUrl === undefined)) throw new Error('OIDC needs exactly one of a JWKS file or a JWKS URL');
    sources.push(new OidcIdentities({ ...rest, jwks: jwksFile !== undefined ? { keys: readJwks(jwksFile) } : { url: httpsOrLoopback(jwksUrl!) } }));
  }
  return new Identities(sources);
}

function readText(file: string, what: string): string {
  const read = readRegularFileSync(file, MAX_FILE_BYTES);
  if (!read.ok) throw new Error(`${what}: ${file}: ${read.missing ? 'not found' : read.problem}`);
  return read.text;
}

function readJwks(file: string): JSONWebKeySet {
  let value: unknown;
  try {
    value = JSON.parse(readText(file, 'JWKS'));
  } catch (error) {
    throw new Error(`JWKS: ${file}: ${(error as Error).message}`);
  }
  const keys = (value as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new Error(`JWKS: ${file}: expected {"keys": [...]} with at least one key`);
  if (keys.some((key) => key && typeof key === 'object' && 'd' in key)) throw new Error(`JWKS: ${file}: holds a private key; give the issuer's public keys only`);
  return value as JSONWebKeySet;
}

/** Keys fetched over plain HTTP could be swapped on the way, except from this machine. */
function httpsOrLoopback(url: string): string {
  const parsed = new URL(url);
  const loopback = parsed.hostname === 'localhost' || parsed.hostname === '[::1]' || /^127\./.test(parsed.hostname);
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback)) throw new Error(`JWKS URL ${url}: must be https (or http on this machine)`);
  return url;
}
