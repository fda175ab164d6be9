// `--tokens FILE`: bearer tokens a team hands out, kept only as SHA-256 hashes, each mapped to a
// principal. The file (YAML or JSON):
//
//   tokens:
//     - sha256: 3f1c…   (64 hex digits: `mcp-warden token new` prints a token and its entry)
//       name: alice
//       groups: [security]
//
// A token is looked up by its hash: the file gives nothing away if read, and the lookup's time does not
// depend on how much of a secret a guess got right.
import { createHash, randomBytes } from 'node:crypto';
import { parse } from 'yaml';
import type { Principal } from '../policy/model';
import { principalOf, refusal, type IdentityResult, type IdentitySource } from './identity';

const HASH = /^[0-9a-f]{64}$/;
const ENTRY_KEYS = new Set(['sha256', 'name', 'groups', 'comment']);
/** Tokens this short could be guessed; the file may only list hashes of longer ones, but a hash does not tell. */
export const MIN_TOKEN_LENGTH = 32;

export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A fresh token (32 random bytes, base64url) and the entry that admits it. */
export function newToken(name: string, groups: readonly string[]): { token: string; entry: { sha256: string; name: string; groups: string[] } } {
  const token = randomBytes(32).toString('base64url');
  return { token, entry: { sha256: tokenHash(token), name, groups: [...groups] } };
}

/** Reads a tokens file's text. Throws with every problem, each naming its entry; nothing half-read is used. */
export function parseTokensFile(text: string, file: string): Map<string, Principal> {
  let value: unknown;
  try {
    value = parse(text, { uniqueKeys: true });
  } catch (error) {
    throw new Error(`${file}: not valid YAML or JSON: ${(error as Error).message}`);
  }
  const entries = (value as { tokens?: unknown } | null)?.tokens;
  if (!value || typeof value !== 'object' || Array.isArray(value) || Object.keys(value).some((k) => k !== 'tokens') || !Array.isArray(entries)) {
    throw new Error(`${file}: expected a map with one key, "tokens": a list of { sha256, name, groups }`);
  }
  const problems: string[] = [];
  const principals = new Map<string, Principal>();
  entries.forEach((entry: unknown, i: number) => {
    const at = `${file}: tokens[${i}]`;
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return problems.push(`${at}: expected { sha256, name, groups }`);
    const { sha256, name, groups } = entry as Record<string, unknown>;
    const unknown = Object.keys(entry).filter((k) => !ENTRY_KEYS.has(k));
    if (unknown.length > 0) problems.push(`${at}: unknown key ${unknown.map((k) => JSON.stringify(k)).join(', ')} (a token is never written here, only its sha256)`);
    if (typeof sha256 !== 'string' || !HASH.test(sha256)) return problems.push(`${at}: "sha256" must be 64 lower-case hex digits`);
    const principal = principalOf(name, groups);
    if (typeof principal === 'string') return problems.push(`${at}: ${principal}`);
    if (principals.has(sha256)) return problems.push(`${at}: the same sha256 as an earlier entry (one token, one principal)`);
    principals.set(sha256, principal);
  });
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return principals;
}

export class TokenIdentities implements IdentitySource {
  readonly name = 'tokens file';

  constructor(private readonly principals: ReadonlyMap<string, Principal>) {}

  recognises(): boolean {
    return true;
  }

  async identify(token: string): Promise<IdentityResult> {
    const principal = this.principals.get(tokenHash(token));
    if (!principal) return refusal('the token is not known', 'invalid_token');
    return { ok: true, principal, via: this.name };
  }
}
