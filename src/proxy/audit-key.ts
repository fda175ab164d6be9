// The secret that keys the audit log's argument digests (HMAC-SHA256): one per user and machine, in the
// user's config folder and not beside the logs, so a log that is copied or shared does not carry the
// key that would let its reader test guesses (a 6-digit code falls to a plain hash in under a second).
// The file holds 64 hexadecimal digits (256 random bits), the HMAC key as they are written, at mode 0600.
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fchmodSync, fstatSync, linkSync, mkdirSync, openSync, readSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** Names the key file instead of the default (tests, or a key kept elsewhere). */
export const AUDIT_KEY_ENV = 'MCP_WARDEN_AUDIT_KEY_FILE';

const KEY_TEXT = /^[0-9a-f]{64}\r?\n?$/;
const MAX_KEY_FILE_BYTES = 1024;

/** `$MCP_WARDEN_AUDIT_KEY_FILE`, else `mcp-warden/audit-key` in the user's config folder. */
export function defaultAuditKeyFile(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = homedir()): string {
  const named = env[AUDIT_KEY_ENV];
  if (named) return named;
  const config = platform === 'win32' ? env.APPDATA || join(home, 'AppData', 'Roaming') : env.XDG_CONFIG_HOME || join(home, '.config');
  return join(config, 'mcp-warden', 'audit-key');
}

/**
 * The key in `file` (its 64 hexadecimal digits), made first when there is none (`create`). Throws with a reason when the file is
 * not a key. A key file that others can read is tightened to 0600, and `note` says so.
 */
export function loadAuditKey(file: string, create: boolean, note: (message: string) => void = () => undefined): string {
  let fd: number;
  try {
    fd = openKeyFile(file);
  } catch (error) {
    if (!create || (error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    createKeyFile(file);
    fd = openKeyFile(file);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new Error('not a regular file');
    if (stat.size > MAX_KEY_FILE_BYTES) throw new Error('not an audit key (64 hexadecimal digits)');
    if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
      try {
        fchmodSync(fd, 0o600);
        note(`the audit key ${file} was readable by others (mode ${modeText(stat.mode)}); it is now 0600`);
      } catch {
        note(`the audit key ${file} is readable by others (mode ${modeText(stat.mode)}) and its mode cannot be changed`);
      }
    }
    const buffer = Buffer.alloc(stat.size);
    const length = stat.size === 0 ? 0 : readSync(fd, buffer, 0, stat.size, 0);
    const text = buffer.subarray(0, length).toString('latin1');
    if (!KEY_TEXT.test(text)) throw new Error('not an audit key (64 hexadecimal digits)');
    return text.slice(0, 64);
  } finally {
    closeSync(fd);
  }
}

/** Non-blocking, so a FIFO put in the key's place cannot hang the proxy. */
function openKeyFile(file: string): number {
  return openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
}

/**
 * Makes the key file unless it exists. Written aside and linked into place, so a proxy starting at the
 * same moment never reads a half-written key, and an existing key is never replaced.
 */
function createKeyFile(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(aside, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  try {
    linkSync(aside, file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST') {
      // A file system without hard links: create in place, still never over an existing key.
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw error;
      try {
        writeFileSync(file, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
      } catch (inPlace) {
        if ((inPlace as NodeJS.ErrnoException).code !== 'EEXIST') throw inPlace;
      }
    }
  } finally {
    unlinkSync(aside);
  }
}

export function modeText(mode: number): string {
  return (mode & 0o777).toString(8).padStart(4, '0');
}
