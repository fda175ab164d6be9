// Recognises, without parsing it, a server line that is nothing but a plain JSON-RPC success response,
// so the relay can forward its bytes unread when its result needs no interception. The check is
// strict on purpose: anything it is not sure of (another key, an escape in a key, a duplicate key, an
// id that is not a plain integer or string, brackets that do not match or nest deeper than the proxy
// accepts, bytes after the object) is left to the full parse. Every parser that accepts the line as
// JSON then reads the same id and the same three keys, so a line cannot look like one response here
// and be another to the client. The relay forwards the bytes only as the answer to a request of
// exactly that id (same type and value) whose result it need not read.
import { MAX_NESTING, type RequestId } from './jsonrpc';

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const MINUS = 45;
const ZERO = 48;
const NINE = 57;

/** Longest integer id taken as a number here: 15 digits are always exact as a double. */
const MAX_ID_DIGITS = 15;
/** Longest string id read here; longer ones take the full parse. */
const MAX_ID_STRING_BYTES = 256;

/**
 * The id of `bytes[0..end)` when it is exactly `{"jsonrpc":"2.0","id":ID,"result":VALUE}` with the
 * keys in any order and whitespace anywhere JSON allows it; otherwise undefined.
 */
export function plainResponseId(bytes: Buffer, end: number): RequestId | undefined {
  let pos = skipSpace(bytes, 0, end);
  if (bytes[pos] !== OPEN_BRACE) return undefined;
  let id: RequestId | undefined;
  let sawVersion = false;
  let sawResult = false;
  for (;;) {
    pos = skipSpace(bytes, pos + 1, end);
    const key = keyAt(bytes, pos, end);
    if (key === undefined) return undefined;
    pos = skipSpace(bytes, key.next, end);
    if (bytes[pos] !== COLON) return undefined;
    pos = skipSpace(bytes, pos + 1, end);
    if (key.name === 'id') {
      if (id !== undefined) return undefined;
      const read = idAt(bytes, pos, end);
      if (!read) return undefined;
      id = read.id;
      pos = read.next;
    } else if (key.name === 'jsonrpc') {
      if (sawVersion || !isVersion(bytes, pos, end)) return undefined;
      sawVersion = true;
      pos += 5;
    } else {
      if (sawResult) return undefined;
      sawResult = true;
      const next = valueEnd(bytes, pos, end);
      if (next === -1) return undefined;
      pos = next;
    }
    pos = skipSpace(bytes, pos, end);
    if (bytes[pos] === COMMA && pos < end) continue;
    if (bytes[pos] !== CLOSE_BRACE || pos >= end) return undefined;
    break;
  }
  if (skipSpace(bytes, pos + 1, end) !== end) return undefined;
  return sawVersion && sawResult ? id : undefined;
}

function skipSpace(bytes: Buffer, pos: number, end: number): number {
  while (pos < end) {
    const byte = bytes[pos];
    if (byte !== 32 && byte !== 9 && byte !== 10 && byte !== 13) break;
    pos++;
  }
  return pos;
}

/** One of the three keys, written without escapes; anything else is undefined. */
function keyAt(bytes: Buffer, pos: number, end: number): { name: 'id' | 'jsonrpc' | 'result'; next: number } | undefined {
  if (pos >= end || bytes[pos] !== QUOTE) return undefined;
  const close = bytes.indexOf(QUOTE, pos + 1);
  if (close === -1 || close >= end) return undefined;
  const length = close - pos - 1;
  const name = length === 2 || length === 6 || length === 7 ? bytes.toString('latin1', pos + 1, close) : '';
  if (name !== 'id' && name !== 'jsonrpc' && name !== 'result') return undefined;
  return { name, next: close + 1 };
}

function isVersion(bytes: Buffer, pos: number, end: number): boolean {
  return pos + 5 <= end && bytes[pos] === QUOTE && bytes[pos + 1] === 50 && bytes[pos + 2] === 46 && bytes[pos + 3] === 48 && bytes[pos + 4] === QUOTE;
}

/** An integer (no fraction, no exponent, no leading zero) or a string without escapes or control characters. */
function idAt(bytes: Buffer, pos: number, end: number): { id: RequestId; next: number } | undefined {
  if (bytes[pos] === QUOTE) {
    const close = bytes.indexOf(QUOTE, pos + 1);
    if (close === -1 || close >= end || close - pos - 1 > MAX_ID_STRING_BYTES) return undefined;
    for (let i = pos + 1; i < close; i++) if (bytes[i] === BACKSLASH || bytes[i] < 32) return undefined;
    return { id: bytes.toString('utf8', pos + 1, close), next: close + 1 };
  }
  let i = pos;
  if (bytes[i] === MINUS) i++;
  const digits = i;
  while (i < end && bytes[i] >= ZERO && bytes[i] <= NINE) i++;
  const count = i - digits;
  if (count === 0 || count > MAX_ID_DIGITS || (count > 1 && bytes[digits] === ZERO)) return undefined;
  // A fraction or an exponent would still be a valid id to JSON.parse (1.0 is 1); leave it to that.
  const after = bytes[i];
  if (i < end && (after === 46 || after === 101 || after === 69)) return undefined;
  return { id: Number(bytes.toString('latin1', pos, i)), next: i };
}

/**
 * Where the JSON value at `pos` ends: strings are skipped by their closing quote (not escaped),
 * objects and arrays by their matching bracket; numbers and literals by the next delimiter. Returns -1
 * when the value is cut short or its brackets do not match. The scalars inside are not validated: a
 * line that is not JSON fails the client's parser whatever the relay does with it.
 */
function valueEnd(bytes: Buffer, pos: number, end: number): number {
  const first = bytes[pos];
  if (pos >= end) return -1;
  if (first === QUOTE) return stringEnd(bytes, pos, end);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    let i = pos;
    while (i < end) {
      const byte = bytes[i];
      if (byte === COMMA || byte === CLOSE_BRACE || byte === 32 || byte === 9 || byte === 10 || byte === 13) break;
      if (byte === QUOTE || byte === OPEN_BRACE || byte === OPEN_BRACKET || byte === CLOSE_BRACKET || byte === COLON) return -1;
      i++;
    }
    return i === pos ? -1 : i;
  }
  const closers: number[] = [];
  let i = pos;
  while (i < end) {
    const byte = bytes[i];
    if (byte === QUOTE) {
      i = stringEnd(bytes, i, end);
      if (i === -1) return -1;
      continue;
    }
    if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      // Deeper than the proxy accepts (the envelope is one level): left to the full parse, which refuses it.
      if (closers.length + 1 >= MAX_NESTING) return -1;
      closers.push(byte === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET);
    }
    else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      if (closers.pop() !== byte) return -1;
      if (closers.length === 0) return i + 1;
    }
    i++;
  }
  return -1;
}

/** Just past the closing quote of the string that opens at `pos`, or -1. */
function stringEnd(bytes: Buffer, pos: number, end: number): number {
  let from = pos + 1;
  for (;;) {
    const close = bytes.indexOf(QUOTE, from);
    if (close === -1 || close >= end) return -1;
    let backslashes = 0;
    while (bytes[close - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return close + 1;
    from = close + 1;
  }
}
