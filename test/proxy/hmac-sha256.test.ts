// The audit log's HMAC-SHA256 in JavaScript gives exactly Node's digest: every message length across
// the block and padding boundaries, text outside ASCII (two-, three- and four-byte UTF-8, a lone
// surrogate), long messages, keys of other lengths, and one instance reused for many messages.
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { AuditKey } from '../../src/proxy/audit-log';
import { HmacSha256 } from '../../src/proxy/hmac-sha256';

const expected = (key: Uint8Array, message: string): string => createHmac('sha256', key).update(message, 'utf8').digest('hex');

describe('HmacSha256', () => {
  const key = Buffer.from(randomBytes(32).toString('hex'), 'latin1');
  const hmac = new HmacSha256(key);

  it('matches node:crypto for every length from 0 to 300 bytes (one instance, many messages)', () => {
    for (let length = 0; length <= 300; length++) {
      const message = 'abcdefghijklmnopqrstuvwxyz0123456789{}":,'.repeat(8).slice(0, length);
      assert.equal(hmac.hex(message), expected(key, message), `length ${length}`);
    }
  });

  it('encodes text outside ASCII as UTF-8, a lone surrogate as U+FFFD', () => {
    for (const message of ['é', '{"name":"café"}', '\u2028\u0085', '日本語のテキスト'.repeat(9), '😀'.repeat(40), 'a\ud800b', '\udfff', 'x'.repeat(55) + 'é']) {
      assert.equal(hmac.hex(message), expected(key, message), JSON.stringify(message));
    }
  });

  it('matches for long messages (the buffer grows) and random text', () => {
    assert.equal(hmac.hex('x'.repeat(100_000)), expected(key, 'x'.repeat(100_000)));
    assert.equal(hmac.hex('é'.repeat(5_000)), expected(key, 'é'.repeat(5_000)));
    for (let round = 0; round < 200; round++) {
      let message = '';
      const length = Math.floor(Math.random() * 400);
      for (let i = 0; i < length; i++) message += String.fromCharCode(Math.random() < 0.8 ? 32 + Math.floor(Math.random() * 95) : Math.floor(Math.random() * 0x10000));
      assert.equal(hmac.hex(message), expected(key, message), JSON.stringify(message));
    }
    // The short message after the long ones is still hashed alone.
    assert.equal(hmac.hex('{}'), expected(key, '{}'));
  });

  it('matches for keys shorter than a block, and refuses a key longer than one', () => {
    for (const length of [0, 1, 20, 32, 63, 64]) {
      const short = randomBytes(length);
      assert.equal(new HmacSha256(short).hex('{"a":1}'), expected(short, '{"a":1}'), `key of ${length} bytes`);
    }
    assert.throws(() => new HmacSha256(randomBytes(65)), /more than 64 bytes/);
  });

  it('is the audit key digest: keyed with the key file’s 64 characters as written', () => {
    const text = randomBytes(32).toString('hex');
    assert.equal(new AuditKey(text).digest('{"path":"/etc/passwd"}'), createHmac('sha256', text).update('{"path":"/etc/passwd"}').digest('hex'));
  });
});
