// The kept events of one SSE stream: what a connection that (re)attaches receives, and the limits.
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { parseEventId, ResumableStream } from '../../src/proxy/resumable-stream';

/** Attaches a real HTTP response to `stream` (after `after`) and returns the body the client reads. */
async function attachAndRead(stream: ResumableStream, after?: number, whileOpen?: () => void): Promise<string> {
  const server = createServer((_req, res: ServerResponse) => {
    stream.attach(res, after);
    whileOpen?.();
    if (!stream.hasEnded) setTimeout(() => res.end(), 50);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    assert.equal(response.headers.get('content-type'), 'text/event-stream');
    assert.equal(response.headers.get('mcp-session-id'), 'session-1');
    return await response.text();
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

const idsOf = (body: string): string[] => [...body.matchAll(/^id: (\S+)$/gm)].map((m) => m[1]);

describe('ResumableStream', () => {
  it('numbers its events and gives a new connection those no connection has taken', async () => {
    const stream = new ResumableStream('g', 'session-1', { events: 100, bytes: 1 << 20 });
    stream.write('{"n":1}');
    stream.write('{"n":2}');
    const first = await attachAndRead(stream, undefined, () => stream.write('{"n":3}'));
    assert.deepEqual(idsOf(first), ['g_1', 'g_2', 'g_3']);
    assert.match(first, /^id: g_3\nevent: message\ndata: \{"n":3\}$/m);
    stream.write('{"n":4}');
    assert.deepEqual(idsOf(await attachAndRead(stream)), ['g_4'], 'a plain GET takes what was not yet delivered');
  });

  it('replays what followed the Last-Event-ID, and forgets what the client says it has', async () => {
    const stream = new ResumableStream('p1', 'session-1', { events: 100, bytes: 1 << 20 });
    for (let n = 1; n <= 4; n++) stream.write(`{"n":${n}}`);
    assert.deepEqual(idsOf(await attachAndRead(stream, 0)), ['p1_1', 'p1_2', 'p1_3', 'p1_4']);
    assert.deepEqual(idsOf(await attachAndRead(stream, 2)), ['p1_3', 'p1_4']);
    // Events 1 and 2 were acknowledged: asking for them again yields only what is still kept.
    assert.deepEqual(idsOf(await attachAndRead(stream, 0)), ['p1_3', 'p1_4']);
    stream.end();
    assert.deepEqual(idsOf(await attachAndRead(stream, 3)), ['p1_4'], 'an ended stream replays, then ends the connection');
  });

  it('keeps at most its limits of events and bytes, the newest event always', async () => {
    const byCount = new ResumableStream('g', 'session-1', { events: 2, bytes: 1 << 20 });
    for (let n = 1; n <= 5; n++) byCount.write(`{"n":${n}}`);
    assert.deepEqual(idsOf(await attachAndRead(byCount, 0)), ['g_4', 'g_5']);
    const byBytes = new ResumableStream('g', 'session-1', { events: 100, bytes: 10 });
    byBytes.write('{"big":"' + 'x'.repeat(100) + '"}');
    byBytes.write('{"big":"' + 'y'.repeat(100) + '"}');
    assert.deepEqual(idsOf(await attachAndRead(byBytes, 0)), ['g_2']);
  });

  it('reads back the event ids it writes, and nothing else', () => {
    assert.deepEqual(parseEventId('p12_345'), { stream: 'p12', n: 345 });
    assert.deepEqual(parseEventId('g_0'), { stream: 'g', n: 0 });
    for (const bad of ['', 'g', 'g_', '_1', 'G_1', 'g_1_2', 'g_-1', 'g_1234567890123456', '9654d108-a58a-4503']) assert.equal(parseEventId(bad), undefined, bad);
  });
});
