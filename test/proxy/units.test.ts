// The proxy's pure parts: framing with a size limit, JSON-RPC classification, secret masking,
// audit-log digests and summaries.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { argsHmac, AuditKey, canonicalJson } from '../../src/proxy/audit-log';
import { summariseAudit } from '../../src/proxy/audit-summary';
import { LineSplitter, lineText, sniffRequestId } from '../../src/proxy/framing';
import { blockedText } from '../../src/proxy/interception';
import { parseFrames, reserialised } from '../../src/proxy/jsonrpc';
import { MASK, maskSecrets } from '../../src/proxy/secrets';

function split(chunks: string[], max = 64): { lines: string[]; oversized: [number, unknown][] } {
  const lines: string[] = [];
  const oversized: [number, unknown][] = [];
  const splitter = new LineSplitter(max, { line: (bytes, end) => lines.push(lineText(bytes, end)), oversized: (size, id) => oversized.push([size, id]) });
  for (const chunk of chunks) splitter.push(Buffer.from(chunk));
  splitter.end();
  return { lines, oversized };
}

describe('LineSplitter', () => {
  it('splits lines across chunks, drops blank lines and a trailing CR', () => {
    assert.deepEqual(split(['{"a":1}\n{"b"', ':2}\r\n\n', '{"c":3}']).lines, ['{"a":1}', '{"b":2}', '{"c":3}']);
  });

  it('drops a line over the limit without buffering it, and recovers the request id from its ends', () => {
    const big = `{"jsonrpc":"2.0","method":"x","params":{"p":"${'y'.repeat(500)}"},"id":42}`;
    const { lines, oversized } = split([big.slice(0, 100), big.slice(100, 300), big.slice(300) + '\n{"ok":1}\n'], 64);
    assert.deepEqual(lines, ['{"ok":1}']);
    assert.deepEqual(oversized, [[big.length, 42]]);
  });

  it('hands on the received bytes, newline included, for forwarding', () => {
    const seen: Buffer[] = [];
    const splitter = new LineSplitter(100, { line: (bytes) => seen.push(bytes), oversized: () => undefined });
    splitter.push(Buffer.from('{"a":1}\n{"b":2}\n'));
    assert.deepEqual(seen.map((b) => b.toString()), ['{"a":1}\n', '{"b":2}\n']);
  });
});

describe('sniffRequestId', () => {
  it('finds a first or last top-level id and ignores nested ones', () => {
    assert.equal(sniffRequestId(Buffer.from('{"jsonrpc":"2.0","id":"abc","method":'), Buffer.from('')), 'abc');
    assert.equal(sniffRequestId(Buffer.from('{"method":"x"'), Buffer.from(',"jsonrpc":"2.0","id":7}')), 7);
    assert.equal(sniffRequestId(Buffer.from('{"method":"x"'), Buffer.from('"params":{"id":7}}')), null);
  });
});

describe('parseFrames', () => {
  const kinds = (text: string): string[] => parseFrames(text, text + '\n').map((p) => (p.ok ? p.frame.kind : `error ${p.error.msg.error!.code}`));

  it('classifies requests, notifications and responses', () => {
    assert.deepEqual(kinds('{"jsonrpc":"2.0","id":1,"method":"ping"}'), ['request']);
    assert.deepEqual(kinds('{"jsonrpc":"2.0","method":"notifications/x"}'), ['notification']);
    assert.deepEqual(kinds('{"jsonrpc":"2.0","id":"a","result":{}}'), ['response']);
    assert.deepEqual(kinds('{"jsonrpc":"2.0","id":null,"error":{"code":1,"message":"m"}}'), ['response']);
  });

  it('answers malformed JSON and non-JSON-RPC with the standard errors', () => {
    assert.deepEqual(kinds('{oops'), ['error -32700']);
    assert.deepEqual(kinds('{"id":1,"method":"ping"}'), ['error -32600']);
    assert.deepEqual(kinds('{"jsonrpc":"2.0","id":{},"method":"ping"}'), ['error -32600']);
    assert.deepEqual(kinds('{"jsonrpc":"2.0","id":1,"result":{},"error":{"code":1,"message":"m"}}'), ['error -32600']);
    assert.deepEqual(kinds('[]'), ['error -32600']);
    const [invalid] = parseFrames('{"jsonrpc":"1.0","id":9,"method":"x"}', '');
    assert.equal(invalid.ok ? null : invalid.error.msg.id, 9);
  });

  it('splits a batch into frames of their own, each re-serialised', () => {
    const parsed = parseFrames('[{"jsonrpc":"2.0","id":1,"method":"a"}, 5]', '');
    assert.equal(parsed.length, 2);
    assert.ok(parsed[0].ok && parsed[0].frame.line === '{"jsonrpc":"2.0","id":1,"method":"a"}\n');
    assert.ok(!parsed[1].ok);
  });

  it('writes a batch element once: re-serialising it on its way (a tools/call) keeps that line', () => {
    const [call] = parseFrames('[{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"t","arguments":{"a":1}}}]', '');
    assert.ok(call.ok);
    const line = call.frame.line;
    assert.equal(line, '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"t","arguments":{"a":1}}}\n');
    let serialised = 0;
    const stringify = JSON.stringify;
    JSON.stringify = ((...args: Parameters<typeof stringify>) => (serialised++, stringify(...args))) as typeof stringify;
    try {
      assert.equal(reserialised(call.frame), call.frame);
      assert.equal(reserialised(reserialised(call.frame)).line, line);
    } finally {
      JSON.stringify = stringify;
    }
    assert.equal(serialised, 0);
  });

  it('still writes anew a line received as it came (a duplicate key says one thing to the proxy, another to a server)', () => {
    const text = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"t"},"params":{"name":"u"}}';
    const [call] = parseFrames(text, text + '\n');
    assert.ok(call.ok);
    assert.equal(call.frame.line, text + '\n');
    const written = reserialised(call.frame);
    assert.equal(written.line, '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"u"}}\n');
    assert.equal(reserialised(written), written);
  });

  it('writes anew a frame whose message was replaced after it was written', () => {
    const [call] = parseFrames('[{"jsonrpc":"2.0","id":1,"method":"ping"}]', '');
    assert.ok(call.ok);
    const changed = { ...call.frame, msg: { jsonrpc: '2.0' as const, id: 2, method: 'ping' } };
    assert.equal(reserialised(changed).line, '{"jsonrpc":"2.0","id":2,"method":"ping"}\n');
  });
});

describe('maskSecrets', () => {
  it('masks values under secret-sounding keys and values shaped like secrets, and keeps the rest', () => {
    const masked = maskSecrets({
      path: 'notes/a.txt',
      password: 'hunter2',
      accessToken: 'abc',
      headers: { Authorization: 'Bearer abcdefghijk' },
      note: 'sk-proj-abcdefghijklmnopqrstuvwx',
      github: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
      url: 'postgres://admin:s3cret@db.internal/app',
      id: '123e4567-e89b-12d3-a456-426614174000',
      random: 'q8Zr3LmX0vT7kWc2Hy9NbP4s',
      max_tokens: 100,
      list: ['plain', 'AKIAABCDEFGHIJKLMNOP'],
    });
    assert.deepEqual(masked, {
      path: 'notes/a.txt',
      password: MASK,
      accessToken: MASK,
      headers: { Authorization: MASK },
      note: MASK,
      github: MASK,
      url: `postgres://admin:${MASK}@db.internal/app`,
      id: '123e4567-e89b-12d3-a456-426614174000',
      random: MASK,
      max_tokens: 100,
      list: ['plain', MASK],
    });
  });
});

describe('audit digests and summaries', () => {
  it('hashes the same arguments the same, whatever their key order', () => {
    assert.equal(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }), '{"a":[{"c":3,"d":2}],"b":1}');
    assert.equal(canonicalJson({ 'q"': ['x', null, false, 0, {}, []], e: { only: 'é\n' } }), '{"e":{"only":"é\\n"},"q\\"":["x",null,false,0,{},[]]}');
    assert.equal(canonicalJson(null), 'null');
    assert.equal(canonicalJson('s'), '"s"');
    const key = new AuditKey('07'.repeat(32));
    assert.equal(argsHmac(key, { a: 1, b: 2 }), argsHmac(key, { b: 2, a: 1 }));
    assert.notEqual(argsHmac(key, { a: 1 }), argsHmac(key, { a: 2 }));
    assert.match(argsHmac(key, undefined), /^[0-9a-f]{64}$/);
  });

  it('counts calls per server, tool and decision, skipping torn lines', () => {
    const line = (tool: string, decision: string, policy = decision): string => JSON.stringify({ time: '2026-01-01T00:00:00Z', server: 's', tool, decision, policy });
    const summary = summariseAudit([line('a', 'allow'), line('a', 'deny'), line('b', 'allow', 'ask'), '{"server":"s","to'].join('\n'));
    assert.equal(summary.entries, 3);
    assert.equal(summary.skippedLines, 1);
    assert.deepEqual(summary.servers[0].tools, [
      { tool: 'a', total: 2, allow: 1, deny: 1, asked: 0 },
      { tool: 'b', total: 1, allow: 1, deny: 0, asked: 1 },
    ]);
  });
});

describe('blockedText', () => {
  it('names the reason and where in the policy it comes from', () => {
    assert.equal(blockedText('No', '/p.yaml', 7), 'Blocked by policy: No (/p.yaml:7)');
    assert.equal(blockedText('No policy', '/p.yaml', null), 'Blocked by policy: No policy (/p.yaml)');
  });
});
