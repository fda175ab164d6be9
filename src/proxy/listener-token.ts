// The HTTP listener's bearer token: read from a file the user keeps (`--token-file`), or made fresh from
// the system's random source for this run and printed on stderr for the client to be given.
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { readRegularFileSync } from './regular-file';

/** RFC 6750's token68 characters: what a client can put in an Authorization header as is. */
const TOKEN_SYNTAX = /^[A-Za-z0-9\-._~+/]+=*$/;
export const MIN_TOKEN_LENGTH = 32;
const MAX_TOKEN_FILE_BYTES = 4096;

/** 32 random bytes, base64url: 43 characters. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The token in `file` (surrounding white space ignored); throws with the reason when it cannot be used. */
export function readTokenFile(file: string): { token: string; warning?: string } {
  const read = readRegularFileSync(file, MAX_TOKEN_FILE_BYTES);
  if (!read.ok) throw new Error(`--token-file: ${read.problem}`);
  const token = read.text.trim();
  if (token.length < MIN_TOKEN_LENGTH) throw new Error(`--token-file: the token in ${file} is ${token.length} characters; at least ${MIN_TOKEN_LENGTH} are needed`);
  if (!TOKEN_SYNTAX.test(token)) throw new Error(`--token-file: the token in ${file} must be one word of letters, digits and -._~+/ (base64 or hex, e.g. \`openssl rand -hex 32\`)`);
  const mode = statSync(read.target).mode;
  const warning = (mode & 0o077) !== 0 ? `the token file ${file} can be read by other users (mode ${(mode & 0o777).toString(8)}); chmod 600 it` : undefined;
  return warning ? { token, warning } : { token };
}
