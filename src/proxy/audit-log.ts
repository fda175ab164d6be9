// The audit log: JSONL, one line per decided tool call, written ahead. A call's line is in the file
// (one synchronous write) before the call goes to the server, so after a kill -9 every call the server
// received has its line. The lines of calls that arrived in one chunk share that write. When the log
// cannot be written (disk full, no permission, not a file), calls are refused with the reason until a
// write succeeds again: the proxy fails closed, never open. A torn last line is ended at open, so it
// stays one bad line that readers skip.
import * as crypto from 'node:crypto';
import { closeSync, constants, fchmodSync, fstatSync, mkdirSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Action } from '../policy/model';
import { defaultAuditKeyFile, loadAuditKey, modeText } from './audit-key';
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
  /** HMAC-SHA256, with the install's audit key, of the arguments as canonical JSON (keys sorted). */
  argsHmac?: string;
  /** Time the proxy took to decide, approval included, in milliseconds. */
  latencyMs: number;
  session: string;
  /** The chat conversation, request and trace context the agent's client named in the call's `_meta`. */
  conversation?: string;
  request?: string;
  traceparent?: string;
  /** For `ask`: who answered and how. */
  approval?: { by: string; answer: string };
}

/** A line that is not a call's: `event` says what it is about; summaries do not count it as a call. */
export interface AuditEvent {
  event: string;
  server: string;
  session: string;
  [field: string]: unknown;
}

export interface AuditLogOptions {
  /** The HMAC key's file (default: `defaultAuditKeyFile()`), made when missing. */
  keyFile?: string;
  /** Where the log says it failed, recovered, or had its mode tightened. */
  report?: (message: string, level: 'info' | 'warn' | 'error') => void;
  /** Also given each written batch of lines (a team's gateway copies them to its Redis Stream). */
  copy?: (lines: string) => void;
}

/** How often the path is checked for a log moved or removed under the proxy (rotation). */
const PATH_CHECK_MS = 1000;
/** Line breaks to some JSONL readers that JSON.stringify leaves raw. */
const RAW_BREAKS = /[\u0085\u2028\u2029]/;

export class AuditLog {
  readonly keyFile: string;
  private fd: number | null = null;
  private key: AuditKey | null = null;
  /** The file the descriptor is open on, to notice a log replaced at its path. */
  private opened = { dev: 0, ino: 0 };
  private nextPathCheck = 0;
  private held = '';
  /** Why the log cannot be written, while it cannot. */
  private failure: string | null = null;
  private closed = false;
  private readonly report: (message: string, level: 'info' | 'warn' | 'error') => void;
  private readonly copy: ((lines: string) => void) | undefined;

  private constructor(
    readonly file: string,
    options: AuditLogOptions,
  ) {
    this.keyFile = options.keyFile ?? defaultAuditKeyFile();
    this.report = options.report ?? ((message) => process.stderr.write(`mcp-warden: ${message}\n`));
    this.copy = options.copy;
  }

  /** Opens (or creates) the log. Never throws: a log that cannot be opened refuses calls until it can. */
  static open(file: string, options: AuditLogOptions = {}): AuditLog {
    const log = new AuditLog(file, options);
    log.ready();
    return log;
  }

  /** Null when lines can be written (the file is open and the key read), else why not. */
  ready(): string | null {
    if (this.closed) return 'the audit log is closed';
    if (this.fd !== null && this.key !== null) return null;
    try {
      this.key ??= new AuditKey(loadAuditKey(this.keyFile, true, (message) => this.report(message, 'warn')));
    } catch (error) {
      return this.failed(`the audit key ${this.keyFile} cannot be used: ${(error as Error).message}`);
    }
    try {
      this.openFile();
    } catch (error) {
      return this.failed(`${this.file}: ${(error as Error).message}`);
    }
    return null;
  }

  /** The keyed digest of a call's arguments; undefined while the key cannot be read. */
  argsHmac(args: unknown): string | undefined {
    return this.key === null ? undefined : this.key.digest(canonicalJson(args ?? {}));
  }

  /**
   * Adds the entry's line to those the next `flush` writes; null, or why the log cannot be written.
   * `args` (already decided to be logged) are masked and written after the entry's fields.
   */
  hold(entry: AuditEntry, args?: { value: unknown }): string | null {
    const failure = this.ready();
    if (failure !== null) return failure;
    this.held += auditLine(entry, args);
    return null;
  }

  /** Writes the held lines in one write(); null, or why they could not be written (they are dropped). */
  flush(): string | null {
    if (this.held === '') return this.failure;
    const text = this.held;
    this.held = '';
    if (this.fd === null || Date.now() >= this.nextPathCheck) {
      this.checkPath();
      const failure = this.ready();
      if (failure !== null) return failure;
    }
    try {
      writeAll(this.fd!, text);
    } catch (error) {
      // Closed so that the next call opens the path again: a log fixed, freed or replaced recovers.
      this.closeFile();
      return this.failed(`${this.file}: ${(error as Error).message}`);
    }
    this.copy?.(text);
    if (this.failure !== null) {
      this.failure = null;
      this.report(`the audit log ${this.file} can be written again; tool calls go through`, 'info');
    }
    return null;
  }

  /** Holds and flushes one entry. */
  write(entry: AuditEntry, args?: { value: unknown }): string | null {
    return this.hold(entry, args) ?? this.flush();
  }

  /**
   * A line about a server rather than a call (`event` names what: a pinned definition that changed), with
   * any lines held so far. It decides nothing, so a log that cannot be written drops it (calls are refused
   * for that on their own).
   */
  note(event: AuditEvent): void {
    if (this.ready() !== null) return;
    let json = JSON.stringify({ time: auditTime(), ...event });
    if (RAW_BREAKS.test(json)) json = json.replace(/[\u0085\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
    this.held += json + '\n';
    this.flush();
  }

  close(): void {
    this.flush();
    this.closeFile();
    this.closed = true;
  }

  private openFile(): void {
    if (this.fd !== null) return;
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    // Non-blocking: a FIFO in the log's place fails (ENXIO) instead of hanging the proxy on open.
    const fd = openSync(this.file, constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | (constants.O_NONBLOCK ?? 0), 0o600);
    try {
      const stat = fstatSync(fd);
      if (!stat.isFile() && !stat.isCharacterDevice()) throw new Error('not a regular file');
      if (stat.isFile()) {
        this.tightenMode(fd, stat.mode);
        if (!endsWithNewline(fd, stat.size)) writeAll(fd, '\n');
      }
      this.opened = { dev: stat.dev, ino: stat.ino };
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    this.fd = fd;
    this.nextPathCheck = Date.now() + PATH_CHECK_MS;
  }

  /** A log others can read is made 0600: its lines name tools, reasons and, opted in, arguments. */
  private tightenMode(fd: number, mode: number): void {
    if (process.platform === 'win32' || (mode & 0o077) === 0) return;
    try {
      fchmodSync(fd, 0o600);
      this.report(`the audit log ${this.file} was readable by others (mode ${modeText(mode)}); it is now 0600`, 'warn');
    } catch {
      this.report(`the audit log ${this.file} is readable by others (mode ${modeText(mode)}) and its mode cannot be changed`, 'warn');
    }
  }

  /** A log moved or removed at its path (rotation) is reopened there, so lines do not go to a lost file. */
  private checkPath(): void {
    this.nextPathCheck = Date.now() + PATH_CHECK_MS;
    if (this.fd === null) return;
    let stat;
    try {
      stat = statSync(this.file, { throwIfNoEntry: false });
    } catch {
      stat = undefined;
    }
    if (stat && stat.dev === this.opened.dev && stat.ino === this.opened.ino) return;
    this.closeFile();
  }

  private closeFile(): void {
    if (this.fd === null) return;
    try {
      closeSync(this.fd);
    } catch {
      // Already unusable; the next write opens the path again.
    }
    this.fd = null;
  }

  private failed(reason: string): string {
    if (this.failure === null) this.report(`cannot write the audit log ${this.file}: ${reason}; tool calls are refused until it can be written`, 'error');
    this.failure = reason;
    return reason;
  }
}

/**
 * One JSONL line: the entry, then the masked arguments when they are logged. Concatenated rather than
 * stringified as an object: it is built for every call, before the call goes on. The fields that repeat
 * from line to line (server, session, tool, reason, rule) are quoted once while they stay the same.
 */
export function auditLine(entry: AuditEntry, args?: { value: unknown }): string {
  let json =
    '{"time":"' + entry.time +
    '","server":' + QUOTED.server.of(entry.server) +
    ',"tool":' + QUOTED.tool.of(entry.tool) +
    ',"decision":"' + entry.decision +
    '","policy":"' + entry.policy +
    '","reason":' + (entry.reason === null ? 'null' : QUOTED.reason.of(entry.reason)) +
    ',"rule":' + (entry.rule === null ? 'null' : QUOTED.rule.of(entry.rule)) +
    ',"line":' + JSON.stringify(entry.line) +
    (entry.argsHmac === undefined ? '' : ',"argsHmac":"' + entry.argsHmac + '"') +
    ',"latencyMs":' + JSON.stringify(entry.latencyMs) +
    ',"session":' + QUOTED.session.of(entry.session) +
    (entry.conversation === undefined ? '' : ',"conversation":' + JSON.stringify(entry.conversation)) +
    (entry.request === undefined ? '' : ',"request":' + JSON.stringify(entry.request)) +
    (entry.traceparent === undefined ? '' : ',"traceparent":' + JSON.stringify(entry.traceparent)) +
    (entry.approval ? ',"approval":' + JSON.stringify(entry.approval) : '') +
    (args ? ',"args":' + JSON.stringify(maskSecrets(args.value ?? {})) : '') +
    '}';
  if (RAW_BREAKS.test(json)) json = json.replace(/[\u0085\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
  return json + '\n';
}

/** A string field's JSON, kept while the field has the same value as in the line before. */
class LastQuoted {
  private value = '';
  private json = '""';

  of(value: string): string {
    if (value !== this.value) {
      this.value = value;
      this.json = JSON.stringify(value);
    }
    return this.json;
  }
}

const QUOTED = { server: new LastQuoted(), tool: new LastQuoted(), reason: new LastQuoted(), rule: new LastQuoted(), session: new LastQuoted() };

/** The time for a line: new Date().toISOString(), made once per millisecond. */
export function auditTime(): string {
  const now = Date.now();
  if (now !== lastTime.ms) lastTime = { ms: now, text: new Date(now).toISOString() };
  return lastTime.text;
}
let lastTime = { ms: 0, text: '' };

/**
 * The audit key, ready to digest: HMAC-SHA256 keyed with the key file's 64 hexadecimal characters.
 * Computed as HMAC is defined, with two one-shot hashes of Node's own (crypto.hash, 20.12 and later)
 * over pads made once: about a third cheaper per call than a new Hmac object.
 */
export class AuditKey {
  private readonly inner: string;
  private readonly outer = Buffer.alloc(96);

  constructor(readonly text: string) {
    if (!/^[0-9a-f]{64}$/.test(text)) throw new Error('an audit key is 64 hexadecimal digits');
    // 64 ASCII bytes: the key is exactly one SHA-256 block, and its pads stay ASCII.
    let inner = '';
    for (let i = 0; i < 64; i++) {
      inner += String.fromCharCode(text.charCodeAt(i) ^ 0x36);
      this.outer[i] = text.charCodeAt(i) ^ 0x5c;
    }
    this.inner = inner;
  }

  digest(message: string): string {
    if (typeof crypto.hash !== 'function') return crypto.createHmac('sha256', this.text).update(message).digest('hex');
    crypto.hash('sha256', this.inner + message, 'buffer').copy(this.outer, 64);
    return crypto.hash('sha256', this.outer, 'hex');
  }
}

/** The keyed digest of arguments: HMAC-SHA256 over their canonical JSON, in hex. */
export function argsHmac(key: AuditKey, args: unknown): string {
  return key.digest(canonicalJson(args ?? {}));
}

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

/**
 * write() until every byte is out: a regular file writes short only when it is out of space. The text
 * goes to write() as it is (Node encodes it on the way, without a buffer made here); a short write
 * sends the rest from its bytes.
 */
function writeAll(fd: number, text: string): void {
  const written = writeSync(fd, text);
  if (written === Buffer.byteLength(text)) return;
  const bytes = Buffer.from(text);
  let offset = written;
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
}

function endsWithNewline(fd: number, size: number): boolean {
  if (size === 0) return true;
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, size - 1);
  return last[0] === 10;
}
