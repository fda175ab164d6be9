// The audit log: JSONL, one line per decided tool call. Each line goes to the file in one write()
// at the end of the turn that decided it, so a kill -9 loses at most the lines of that turn and never
// leaves half a line that a later line would run into (a torn last line is ended at open, so it stays
// one bad line that readers skip).
import * as crypto from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Action } from '../policy/model';
import { maskSecrets } from './secrets';

export interface AuditEntry {
  time: string;
  server: string;
  tool: string;
  /** What happened to the call: forwarded (allow) or answered by the proxy (deny). */
  decision: 'allow' | 'deny';
  /** What the policy said before any approval. */
  policy: Action;
  reason: string | null;
  rule: string | null;
  line: number | null;
  /** SHA-256 of the arguments as canonical JSON (keys sorted). */
  argsSha256: string;
  /** Time the proxy took to decide, approval included, in milliseconds. */
  latencyMs: number;
  session: string;
  /** For `ask`: who answered and how. */
  approval?: { by: string; answer: string };
  /** Only with `audit: { args: true }`, and with secret-looking values masked. */
  args?: unknown;
}

export class AuditLog {
  private fd: number | null;
  private buffered = '';
  private flushQueued = false;
  private failed = false;

  private constructor(
    readonly file: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  static open(file: string): AuditLog {
    mkdirSync(dirname(file), { recursive: true });
    const fd = openSync(file, 'a+');
    const log = new AuditLog(file, fd);
    if (!endsWithNewline(fd)) writeSync(fd, '\n');
    return log;
  }

  write(entry: AuditEntry): void {
    if (this.fd === null) return;
    this.buffered += JSON.stringify(entry) + '\n';
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.flush());
    }
  }

  flush(): void {
    this.flushQueued = false;
    if (this.fd === null || this.buffered === '') return;
    const text = this.buffered;
    this.buffered = '';
    try {
      writeSync(this.fd, text);
    } catch (error) {
      if (!this.failed) process.stderr.write(`mcp-warden: cannot write the audit log ${this.file}: ${(error as Error).message}\n`);
      this.failed = true;
    }
  }

  close(): void {
    this.flush();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** The entry's `args` field: absent unless the policy asks for arguments, then masked. */
export function auditArgs(args: unknown, include: boolean): { args?: unknown } {
  return include ? { args: maskSecrets(args ?? {}) } : {};
}

export function argsDigest(args: unknown): string {
  return sha256Hex(canonicalJson(args ?? {}));
}

/** Node's one-shot hash (20.12 and later) skips the Hash object a digest per call would build. */
const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function' ? (text) => crypto.hash('sha256', text, 'hex') : (text) => crypto.createHash('sha256').update(text).digest('hex');

/** JSON with object keys sorted, so the same arguments always hash the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  // Built by concatenation (no intermediate arrays): this runs for every audited call.
  let out: string;
  if (Array.isArray(value)) {
    out = '[';
    for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + canonicalJson(value[i]);
    return out + ']';
  }
  const keys = Object.keys(value);
  if (keys.length > 1) keys.sort();
  out = '{';
  for (let i = 0; i < keys.length; i++) out += (i > 0 ? ',' : '') + JSON.stringify(keys[i]) + ':' + canonicalJson((value as Record<string, unknown>)[keys[i]]);
  return out + '}';
}

function endsWithNewline(fd: number): boolean {
  const size = fstatSync(fd).size;
  if (size === 0) return true;
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, size - 1);
  return last[0] === 10;
}
