// HMAC-SHA256 (RFC 2104, FIPS 180-4) for a fixed key, in plain JavaScript. The audit log keys one
// digest per call, on the call's way to the server: here the key's two pad blocks are hashed once, so
// a short message costs two compressions, and a short ASCII one no call into native code and nothing
// allocated but the hex text. Node's crypto costs four compressions, two native calls and a buffer per
// digest, and measured about a microsecond more per call in the proxy (several at p90). Tests check it
// against crypto.createHmac.

/** The first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
/** SHA-256's initial state. */
const IV = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
const BLOCK = 64;
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** The message schedule, reused by every compression (the proxy is single-threaded). */
const W = new Int32Array(64);

/** One SHA-256 compression of the 64 bytes at `offset` into `state`. */
function compress(state: Int32Array, bytes: Uint8Array, offset: number): void {
  for (let i = 0; i < 16; i++, offset += 4) {
    W[i] = (bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3];
  }
  for (let i = 16; i < 64; i++) {
    const w15 = W[i - 15];
    const w2 = W[i - 2];
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
  }
  let a = state[0], b = state[1], c = state[2], d = state[3], e = state[4], f = state[5], g = state[6], h = state[7];
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = (state[0] + a) | 0;
  state[1] = (state[1] + b) | 0;
  state[2] = (state[2] + c) | 0;
  state[3] = (state[3] + d) | 0;
  state[4] = (state[4] + e) | 0;
  state[5] = (state[5] + f) | 0;
  state[6] = (state[6] + g) | 0;
  state[7] = (state[7] + h) | 0;
}

/** HMAC-SHA256 with one key, for many messages. */
export class HmacSha256 {
  /** The states after the key's inner and outer pad blocks. */
  private readonly innerStart = new Int32Array(IV);
  private readonly outerStart = new Int32Array(IV);
  private readonly state = new Int32Array(8);
  /** Reused for a message of up to 1 KiB (padded), and for the outer block. */
  private readonly block = Buffer.alloc(1024 + 2 * BLOCK);

  /** `key`: at most one block (64 bytes), as the audit key is. */
  constructor(key: Uint8Array) {
    if (key.length > BLOCK) throw new Error('an HMAC key of more than 64 bytes is not supported here');
    const pad = new Uint8Array(BLOCK);
    for (let i = 0; i < BLOCK; i++) pad[i] = (key[i] ?? 0) ^ 0x36;
    compress(this.innerStart, pad, 0);
    for (let i = 0; i < BLOCK; i++) pad[i] = (key[i] ?? 0) ^ 0x5c;
    compress(this.outerStart, pad, 0);
  }

  /** The digest of `message` (as UTF-8), in lowercase hexadecimal. */
  hex(message: string): string {
    let bytes = this.block;
    let length = asciiInto(bytes, message);
    if (length === -1) {
      // Outside ASCII or long: encoded by Buffer, a long one in a buffer of its own (not kept).
      const size = Buffer.byteLength(message, 'utf8');
      if (size + 2 * BLOCK > bytes.length) bytes = Buffer.allocUnsafe(size + 2 * BLOCK);
      length = bytes.write(message, 0, 'utf8');
    }
    // Inner: the message after the inner pad, then 0x80, zeros and the bit length (pad block included).
    const end = Math.ceil((length + 9) / BLOCK) * BLOCK;
    bytes[length] = 0x80;
    bytes.fill(0, length + 1, end - 8);
    writeBitLength(bytes, end, BLOCK + length);
    const state = this.state;
    state.set(this.innerStart);
    for (let offset = 0; offset < end; offset += BLOCK) compress(state, bytes, offset);
    // Outer: the inner digest after the outer pad, in one block.
    const outer = this.block;
    for (let i = 0; i < 8; i++) {
      const word = state[i];
      outer[i * 4] = word >>> 24;
      outer[i * 4 + 1] = word >>> 16;
      outer[i * 4 + 2] = word >>> 8;
      outer[i * 4 + 3] = word;
    }
    outer[32] = 0x80;
    outer.fill(0, 33, BLOCK - 8);
    writeBitLength(outer, BLOCK, BLOCK + 32);
    state.set(this.outerStart);
    compress(state, outer, 0);
    let hex = '';
    for (let i = 0; i < 8; i++) {
      const word = state[i];
      hex += HEX[word >>> 24] + HEX[(word >>> 16) & 0xff] + HEX[(word >>> 8) & 0xff] + HEX[word & 0xff];
    }
    return hex;
  }
}

/**
 * Copies an ASCII message (canonical JSON mostly is) into `bytes` as it is, leaving room for its
 * padding; its length, or -1 when it is not ASCII or does not fit.
 */
function asciiInto(bytes: Uint8Array, message: string): number {
  if (message.length + 2 * BLOCK > bytes.length) return -1;
  for (let i = 0; i < message.length; i++) {
    const code = message.charCodeAt(i);
    if (code >= 0x80) return -1;
    bytes[i] = code;
  }
  return message.length;
}

/** SHA-256's length field: the message's length in bits, big-endian, in the last 8 bytes before `end`. */
function writeBitLength(bytes: Uint8Array, end: number, byteLength: number): void {
  const high = Math.floor(byteLength / 0x20000000);
  const low = (byteLength * 8) >>> 0;
  bytes[end - 8] = high >>> 24;
  bytes[end - 7] = high >>> 16;
  bytes[end - 6] = high >>> 8;
  bytes[end - 5] = high;
  bytes[end - 4] = low >>> 24;
  bytes[end - 3] = low >>> 16;
  bytes[end - 2] = low >>> 8;
  bytes[end - 1] = low;
}
