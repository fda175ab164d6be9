// Newline-delimited framing for the stdio transport, with a size limit. A line is handed on as the
// bytes received (newline included) so it can be forwarded without re-encoding; a line over the
// limit is never buffered whole: its bytes are dropped as they arrive and only its ends are kept,
// enough to find the request id for the error reply.
import type { RequestId } from './jsonrpc';

/** 32 MiB: room for large tool results (files, images) while bounding what one frame can hold. */
export const DEFAULT_MAX_FRAME_BYTES = 32 * 1024 * 1024;

const KEEP_ENDS = 256;

export interface LineHandlers {
  /**
   * A complete line that is not blank: `bytes` ends with its newline, and `bytes[0..end)` is the line
   * without it (nor a trailing CR). The text is left to the handler (`lineText`): a line forwarded as
   * it is never needs decoding.
   */
  line(bytes: Buffer, end: number): void;
  /** A line over the limit was dropped; `id` is its request id when one could be recognised. */
  oversized(size: number, id: RequestId | null): void;
}

export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Set while dropping an oversized line: its size so far, first and last bytes. */
  private dropping: { size: number; head: Buffer; tail: Buffer } | null = null;

  constructor(
    private readonly maxBytes: number,
    private readonly handlers: LineHandlers,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(10, start);
      if (newline === -1) {
        this.keepPartial(chunk.subarray(start));
        return;
      }
      const segment = chunk.subarray(start, newline + 1);
      start = newline + 1;
      if (this.dropping) {
        this.growDropped(segment);
        const { size, head, tail } = this.dropping;
        this.dropping = null;
        this.handlers.oversized(size - 1, sniffRequestId(head, tail));
      } else if (this.pending.length > 0) {
        this.pending.push(segment);
        const whole = Buffer.concat(this.pending, this.pendingBytes + segment.length);
        this.pending = [];
        this.pendingBytes = 0;
        this.emit(whole);
      } else {
        this.emit(segment);
      }
    }
  }

  /** The stream ended: a last line without a newline still counts. */
  end(): void {
    if (this.dropping) {
      const { size, head, tail } = this.dropping;
      this.dropping = null;
      this.handlers.oversized(size, sniffRequestId(head, tail));
    } else if (this.pending.length > 0) {
      const whole = Buffer.concat([...this.pending, Buffer.from('\n')]);
      this.pending = [];
      this.pendingBytes = 0;
      this.emit(whole);
    }
  }

  private keepPartial(part: Buffer): void {
    if (this.dropping) {
      this.growDropped(part);
      return;
    }
    this.pending.push(part);
    this.pendingBytes += part.length;
    if (this.pendingBytes > this.maxBytes) {
      const whole = Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [];
      this.pendingBytes = 0;
      this.dropping = { size: whole.length, head: Buffer.from(whole.subarray(0, KEEP_ENDS)), tail: Buffer.from(whole.subarray(-KEEP_ENDS)) };
    }
  }

  private growDropped(part: Buffer): void {
    const dropping = this.dropping!;
    dropping.size += part.length;
    dropping.tail = part.length >= KEEP_ENDS ? Buffer.from(part.subarray(-KEEP_ENDS)) : Buffer.concat([dropping.tail, part]).subarray(-KEEP_ENDS);
  }

  private emit(bytes: Buffer): void {
    let end = bytes.length - 1;
    if (end > 0 && bytes[end - 1] === 13) end--;
    if (end > this.maxBytes) {
      this.handlers.oversized(end, sniffRequestId(bytes.subarray(0, KEEP_ENDS), bytes.subarray(Math.max(0, end - KEEP_ENDS), end)));
      return;
    }
    if (isBlank(bytes, end)) return;
    this.handlers.line(bytes, end);
  }
}

/**
 * True when a chunk holds more than one line (or a line and the start of the next): only then is
 * batching the writes it causes worth its cost; a lone line is forwarded at once.
 */
export function holdsSeveralLines(chunk: Buffer): boolean {
  const newline = chunk.indexOf(10);
  return newline !== -1 && newline < chunk.length - 1;
}

/** The text of a line handed on by `LineSplitter`. */
export function lineText(bytes: Buffer, end: number): string {
  return bytes.toString('utf8', 0, end);
}

/** Whitespace only; decodes the line only when it starts with something other than ASCII. */
function isBlank(bytes: Buffer, end: number): boolean {
  for (let i = 0; i < end; i++) {
    const byte = bytes[i];
    if (byte === 32 || byte === 9 || byte === 10 || byte === 13 || byte === 11 || byte === 12) continue;
    // Unicode spaces (a BOM, a no-break space) count as blank too, as String.prototype.trim says.
    return byte < 0x80 ? false : bytes.toString('utf8', i, end).trim() === '';
  }
  return true;
}

const HEAD_ID = /^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.){0,200}")/;
const TAIL_ID = /"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.){0,200}")\s*\}\s*$/;

/**
 * The id of a message seen only by its ends: a top-level `"id"` as the first key (after `jsonrpc`),
 * or as the last key right before the closing brace (how the MCP SDKs serialise). Null when unsure.
 */
export function sniffRequestId(head: Buffer, tail: Buffer): RequestId | null {
  const match = HEAD_ID.exec(head.toString('utf8')) ?? TAIL_ID.exec(tail.toString('utf8'));
  if (!match) return null;
  try {
    const id = JSON.parse(match[1]) as unknown;
    return typeof id === 'string' || typeof id === 'number' ? id : null;
  } catch {
    return null;
  }
}
