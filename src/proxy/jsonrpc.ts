// JSON-RPC 2.0 as MCP uses it: what a frame is, how to tell its kind, and the errors the proxy answers.
// The proxy parses each message once to decide what to do with it and forwards the bytes it received.

export type RequestId = string | number;

export interface JsonRpcMessage {
  jsonrpc: '2.0';
  id?: RequestId | null;
  method?: string;
  params?: Record<string, unknown> | unknown[];
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

export type MessageKind = 'request' | 'notification' | 'response';

/** One message as received: the parsed form to decide on, and the bytes to forward when nothing changes. */
export interface Frame {
  msg: JsonRpcMessage;
  kind: MessageKind;
  /** The message's bytes followed by one newline, exactly as received (or as serialised by the proxy). */
  line: Buffer | string;
}

/** Standard JSON-RPC error codes, plus the server-error range the proxy uses for upstream trouble. */
export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  UpstreamUnavailable: -32000,
  RequestTooLarge: -32001,
} as const;

/** A message the proxy refused: the error to answer with, and the message itself when it was JSON. */
export type ParsedFrame = { ok: true; frame: Frame } | { ok: false; error: Frame; refused?: unknown; tooDeep?: true };

/**
 * The deepest nesting accepted in a message, the envelope included. Real MCP traffic stays far below
 * it (serde_json, under the Rust SDK, stops at 128); JSON.stringify overflows its stack near 4,000.
 */
export const MAX_NESTING = 256;

/**
 * Parses one received frame (text without its newline). A batch (a JSON array, allowed before MCP
 * 2025-06-18) becomes one frame per element, each re-serialised so it can be decided and forwarded
 * on its own. Invalid input yields the error to answer with; a message nested deeper than
 * `MAX_NESTING` is refused (alone: the other elements of its batch go on).
 */
export function parseFrames(text: string, line: Buffer | string): ParsedFrame[] {
  // V8's JSON.parse takes any depth; only what is done with the value afterwards could overflow.
  const deep = nestedDeeperThan(text, MAX_NESTING);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return [{ ok: false, error: errorFrame(null, ErrorCode.ParseError, `Parse error: ${(error as Error).message}`) }];
  }
  if (!Array.isArray(value)) return [deep ? tooDeep(value) : checkMessage(value, line)];
  if (value.length === 0) return [{ ok: false, error: errorFrame(null, ErrorCode.InvalidRequest, 'Invalid Request: an empty batch') }];
  return value.map((item) => (deep && deeperThan(item, MAX_NESTING) ? tooDeep(item) : checkMessage(item, undefined)));
}

function tooDeep(value: unknown): ParsedFrame {
  const id = validId(value) ? (value as { id: RequestId }).id : null;
  return { ok: false, error: errorFrame(id, ErrorCode.InvalidRequest, `Invalid Request: nested deeper than ${MAX_NESTING} levels`), refused: shallowPart(value), tooDeep: true };
}

/** What of a too-deep message can be read without recursion: its plain members and the tool it names. */
function shallowPart(value: unknown): Record<string, unknown> | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const part: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) if (member === null || typeof member !== 'object') part[key] = member;
  const name = (value as { params?: { name?: unknown } }).params?.name;
  if (typeof name === 'string') part.params = { name };
  return part;
}

/** `line` undefined: the message is written anew (a batch element). */
function checkMessage(value: unknown, line: Buffer | string | undefined): ParsedFrame {
  const kind = classify(value);
  if (typeof kind === 'object') {
    const id = validId(value) ? (value as { id: RequestId }).id : null;
    return { ok: false, error: errorFrame(id, ErrorCode.InvalidRequest, `Invalid Request: ${kind.why}`), refused: value };
  }
  const msg = value as JsonRpcMessage;
  return { ok: true, frame: line === undefined ? canonicalFrame(msg, kind) : { msg, kind, line } };
}

function classify(value: unknown): MessageKind | { why: string } {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { why: 'not a JSON object' };
  const msg = value as Record<string, unknown>;
  if (msg.jsonrpc !== '2.0') return { why: '"jsonrpc" must be "2.0"' };
  const hasId = 'id' in msg;
  if ('method' in msg) {
    if (typeof msg.method !== 'string') return { why: '"method" must be a string' };
    // A request that also carries an answer would be a response to a reader that looks for one first.
    if ('result' in msg || 'error' in msg) return { why: 'a message with a "method" cannot have a "result" or an "error"' };
    if (msg.params !== undefined && (msg.params === null || typeof msg.params !== 'object')) return { why: '"params" must be an object' };
    if (!hasId) return 'notification';
    return validId(msg) ? 'request' : { why: '"id" must be a string or a number' };
  }
  const hasResult = 'result' in msg;
  const hasError = 'error' in msg;
  if (hasResult === hasError) return { why: 'a message needs a "method", or exactly one of "result" and "error"' };
  if (!hasId || !(msg.id === null || validId(msg))) return { why: 'a response needs an "id"' };
  if (hasError) {
    const error = msg.error as Record<string, unknown> | null;
    if (!error || typeof error !== 'object' || typeof error.code !== 'number' || typeof error.message !== 'string') {
      return { why: '"error" needs a numeric "code" and a string "message"' };
    }
  }
  return 'response';
}

function validId(value: unknown): boolean {
  if (!value || typeof value !== 'object') return false;
  const id = (value as { id?: unknown }).id;
  return typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
}

/** A message the proxy writes itself, serialised once. */
export function frameOf(msg: JsonRpcMessage): Frame {
  const kind: MessageKind = msg.method !== undefined ? (msg.id !== undefined ? 'request' : 'notification') : 'response';
  return { msg, kind, line: JSON.stringify(msg) + '\n' };
}

/**
 * Frames whose line was written by `canonicalLine` from their own `msg`: re-serialising one would write
 * the same bytes again (a batch element, written when the batch was split, is on its way to the relay's
 * own re-serialisation). A WeakSet, not a member: a copy of the frame (`{ ...frame, msg }`) is not in it.
 */
const canonical = new WeakSet<Frame>();

function canonicalFrame(msg: JsonRpcMessage, kind: MessageKind): Frame {
  const frame: Frame = { msg, kind, line: canonicalLine(msg, kind) };
  canonical.add(frame);
  return frame;
}

/**
 * The frame with its line written anew from what was parsed, so its bytes say exactly that: the
 * envelope's own members only, once each (no duplicate key, no escaped key, no stray member such as
 * "Method" that a lenient reader might take for the real one). A frame already written so is returned as it is.
 */
export function reserialised(frame: Frame): Frame {
  return canonical.has(frame) ? frame : canonicalFrame(frame.msg, frame.kind);
}

function canonicalLine(msg: JsonRpcMessage, kind: MessageKind): string {
  let envelope: JsonRpcMessage;
  if (kind === 'response') {
    envelope = msg.error !== undefined ? { jsonrpc: '2.0', id: msg.id, error: msg.error } : { jsonrpc: '2.0', id: msg.id, result: msg.result };
  } else {
    envelope = kind === 'request' ? { jsonrpc: '2.0', id: msg.id, method: msg.method } : { jsonrpc: '2.0', method: msg.method };
    if (msg.params !== undefined) envelope.params = msg.params;
  }
  return JSON.stringify(envelope) + '\n';
}

/**
 * True when the JSON text nests objects and arrays deeper than `max`. A cheap scan: brackets inside
 * strings do not count, and a text too short to hold that many pairs is not read at all. Text that is
 * not JSON may be misjudged; JSON.parse refuses it anyway.
 */
export function nestedDeeperThan(text: string, max: number): boolean {
  if (text.length <= 2 * max) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      i = closingQuote(text, i);
      if (i === -1) return false;
    } else if (c === 123 || c === 91) {
      if (++depth > max) return true;
    } else if (c === 125 || c === 93) {
      depth--;
    }
  }
  return false;
}

function closingQuote(text: string, open: number): number {
  let from = open + 1;
  for (;;) {
    const close = text.indexOf('"', from);
    if (close === -1) return -1;
    let backslashes = 0;
    while (text.charCodeAt(close - 1 - backslashes) === 92) backslashes++;
    if (backslashes % 2 === 0) return close;
    from = close + 1;
  }
}

/** The same bound on a parsed value, without recursion (only for a batch already found too deep). */
function deeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (!item || typeof item !== 'object') continue;
    if (depth > max) return true;
    for (const child of Object.values(item)) if (child && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * A success response forwarded without reading its result (see `plainResponseId`): `msg` holds only
 * its envelope, the result is in `line`.
 */
export function passThroughResponse(id: RequestId, line: Buffer): Frame {
  return { msg: { jsonrpc: '2.0', id }, kind: 'response', line };
}

export function errorFrame(id: RequestId | null, code: number, message: string, data?: unknown): Frame {
  const error: JsonRpcMessage['error'] = data === undefined ? { code, message } : { code, message, data };
  return frameOf({ jsonrpc: '2.0', id, error });
}

export function resultFrame(id: RequestId, result: unknown): Frame {
  return frameOf({ jsonrpc: '2.0', id, result });
}

/** The text of a frame's line, without its newline (for transports that are not line-based). */
export function frameText(frame: Frame): string {
  const text = typeof frame.line === 'string' ? frame.line : frame.line.toString('utf8');
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}

/** The `_meta.progressToken` of a request, when it asked for progress. */
export function progressTokenOf(msg: JsonRpcMessage): RequestId | undefined {
  const params = msg.params as { _meta?: { progressToken?: unknown } } | undefined;
  const token = params?._meta?.progressToken;
  return typeof token === 'string' || typeof token === 'number' ? token : undefined;
}
