// No frame crashes the proxy. A message nested deeper than the proxy accepts is refused with a clear
// JSON-RPC error, from either side and on every transport; the messages around it (in the same chunk,
// the same batch) go on and are audited; the proxy never exits on input.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_NESTING, nestedDeeperThan, parseFrames } from '../../src/proxy/jsonrpc';
import { plainResponseId } from '../../src/proxy/plain-response';
import { spawnRawProxy, tempDir, waitFor, writePolicy, yaml, INITIALIZE, RECORDING } from '../proxy/helpers';
import { openWire, refusals, RECORDING_SCRIPT, TRANSPORTS, type Wire } from './wire';

const POLICY = yaml('version: 1', 'default: allow', 'servers:', '  rec:', '    tools:', '      delete_everything: { action: deny }');

/** `depth` arrays, one inside the other. */
function nested(depth: number): unknown {
  let value: unknown = [];
  for (let i = 1; i < depth; i++) value = [value];
  return value;
}

/** `depth` arrays as text (JSON.stringify itself cannot write them). */
function deepText(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

/** The 12 KB attack: a call whose arguments nest 6,000 deep. */
const DEEP_CALL = (id: unknown): string => `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"method":"tools/call","params":{"name":"echo","arguments":{"message":${deepText(6000)}}}}`;

const TOO_DEEP = /^Invalid Request: nested deeper than 256 levels$/;

function errorOf(answer: Record<string, unknown>): { code: number; message: string } {
  assert.ok(answer.error, `expected an error: ${JSON.stringify(answer)}`);
  return answer.error as { code: number; message: string };
}

describe('the nesting bound', () => {
  it('is 256 levels, the envelope included, and a cheap scan finds it', () => {
    assert.equal(MAX_NESTING, 256);
    assert.equal(nestedDeeperThan(JSON.stringify(nested(256)), 256), false);
    assert.equal(nestedDeeperThan(JSON.stringify(nested(257)), 256), true);
    assert.equal(nestedDeeperThan(JSON.stringify({ a: nested(255) }), 256), false);
    assert.equal(nestedDeeperThan(JSON.stringify({ a: nested(256) }), 256), true);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    const text = JSON.stringify({ s: '['.repeat(5000), t: '\\"{{{{'.repeat(1000), u: '"'.repeat(300) + '['.repeat(600) });
    assert.equal(nestedDeeperThan(text, 256), false);
    assert.equal(nestedDeeperThan(JSON.stringify({ s: 'x\\', deep: nested(300) }), 256), true);
  });

  it('refuses a too-deep message with its id, and only that element of a batch', () => {
    const [alone] = parseFrames(DEEP_CALL(42), '');
    assert.equal(DEEP_CALL(42).length > 12_000, true);
    assert.equal(alone.ok, false);
    assert.equal(!alone.ok && alone.error.msg.id, 42);
    assert.match(!alone.ok ? alone.error.msg.error!.message : '', TOO_DEEP);
    const batch = parseFrames(`[${DEEP_CALL('deep')},{"jsonrpc":"2.0","id":"fine","method":"ping"}]`, '');
    assert.equal(batch.length, 2);
    assert.equal(batch[0].ok, false);
    assert.equal(batch[1].ok && batch[1].frame.msg.id, 'fine');
  });

  it('sends a too-deep plain response to the full parse instead of forwarding it unread', () => {
    const bytes = Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 1, result: nested(300) }));
    assert.equal(plainResponseId(bytes, bytes.length), undefined);
    const fine = Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 1, result: nested(200) }));
    assert.equal(plainResponseId(fine, fine.length), 1);
  });

  it('costs nothing on a short line and stays linear on a long one', () => {
    const short = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { message: 'hello' } } });
    const long = JSON.stringify({ jsonrpc: '2.0', id: 1, result: { content: Array.from({ length: 2000 }, (_, i) => ({ type: 'text', text: `line ${i} [with] {brackets}` })) } });
    const time = (text: string, n: number): number => {
      const start = process.hrtime.bigint();
      for (let i = 0; i < n; i++) nestedDeeperThan(text, MAX_NESTING);
      return Number(process.hrtime.bigint() - start) / n;
    };
    time(long, 50);
    // The best of three runs: a busy machine can only slow a run down.
    const best = (text: string, n: number): number => Math.min(time(text, n), time(text, n), time(text, n));
    assert.ok(best(short, 100_000) < 200, 'a short line is not scanned');
    const perByte = best(long, 200) / long.length;
    assert.ok(perByte < 20, `${perByte.toFixed(2)} ns per byte`);
  });
});

for (const transport of TRANSPORTS) {
  describe(`a client message nested too deep, over ${transport}`, () => {
    let wire: Wire;
    before(async () => {
      wire = await openWire(transport, { policy: POLICY });
    });
    after(async () => wire?.close());

    it('gets a clear error with its id; the allowed call sent with it is forwarded and audited', async () => {
      if (transport === 'listen') {
        await wire.send(DEEP_CALL('deep-1'));
        await wire.send(JSON.stringify({ jsonrpc: '2.0', id: 'beside-1', method: 'tools/call', params: { name: 'echo', arguments: { message: 'beside' } } }));
      } else {
        // One write: the deep call and an allowed call in the same chunk.
        await wire.send(`${DEEP_CALL('deep-1')}\n${JSON.stringify({ jsonrpc: '2.0', id: 'beside-1', method: 'tools/call', params: { name: 'echo', arguments: { message: 'beside' } } })}`);
      }
      const deep = errorOf(await wire.waitForId('deep-1'));
      assert.equal(deep.code, -32600);
      assert.match(deep.message, TOO_DEEP);
      assert.deepEqual((await wire.waitForId('beside-1')).result, { content: [{ type: 'text', text: 'Echo: beside' }] });
      assert.ok(wire.alive());
      assert.ok(!wire.serverRaw().includes('[[[[[['), 'the deep message reached the server');
      assert.ok(wire.serverMessages().some((m) => m.id === 'beside-1'));
      assert.ok(wire.audit().some((l) => l.tool === 'echo' && l.decision === 'allow'), 'the allowed call has its audit line');
      assert.ok(refusals(wire).some((l) => l.tool === 'echo' && /nested deeper/.test(String(l.reason))), 'the deep call is audited as refused');
    });

    it('refuses a call nested 100,000 deep, audited as refused by its tool’s name (its arguments cannot be digested)', async () => {
      const depth = 100_000;
      await wire.send(`{"jsonrpc":"2.0","id":"very-deep","method":"tools/call","params":{"name":"delete_everything","arguments":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}}`);
      assert.match(errorOf(await wire.waitForId('very-deep')).message, TOO_DEEP);
      assert.deepEqual((await wire.call('after-very-deep', 'echo', { message: 'fine' })).result, { content: [{ type: 'text', text: 'Echo: fine' }] });
      const refusal = refusals(wire).find((l) => l.tool === 'delete_everything');
      assert.ok(refusal, 'the very deep call is audited as refused');
      assert.match(String(refusal.reason), /nested deeper than 256 levels/);
      assert.ok(!wire.serverRaw().includes('{"a":{"a":'));
      assert.ok(wire.alive());
    });

    it('refuses a deep element of a batch alone: the others are answered', async () => {
      await wire.send(`[${DEEP_CALL('deep-2')},{"jsonrpc":"2.0","id":"batch-ping","method":"ping"}]`);
      assert.match(errorOf(await wire.waitForId('deep-2')).message, TOO_DEEP);
      assert.deepEqual((await wire.waitForId('batch-ping')).result, {});
      assert.ok(!wire.serverRaw().includes('[[[[[['));
    });

    it('drops deep notifications and responses and survives a flood of them', async () => {
      const deepNotification = `{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":1,"progress":${deepText(5000)}}}`;
      const deepResponse = `{"jsonrpc":"2.0","id":"nobody","result":${deepText(5000)}}`;
      const deepObjects = '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000);
      for (let i = 0; i < 20; i++) {
        await wire.send(deepNotification);
        await wire.send(deepResponse);
        await wire.send(deepObjects);
      }
      assert.deepEqual((await wire.call('after-flood', 'echo', { message: 'still here' })).result, { content: [{ type: 'text', text: 'Echo: still here' }] });
      assert.ok(wire.alive());
      assert.ok(!wire.serverRaw().includes('[[[[[[') && !wire.serverRaw().includes('{"a":{"a":{"a"'));
    });

    it('lets a message just under the bound through, and refuses one just over it', async () => {
      // The envelope takes 3 levels: message, params, arguments; the message value takes the rest.
      await wire.send(JSON.stringify({ jsonrpc: '2.0', id: 'under', method: 'tools/call', params: { name: 'echo', arguments: { message: nested(MAX_NESTING - 3) } } }));
      const under = await wire.waitForId('under');
      assert.ok(under.result, `refused: ${JSON.stringify(under.error)}`);
      await wire.send(JSON.stringify({ jsonrpc: '2.0', id: 'over', method: 'tools/call', params: { name: 'echo', arguments: { message: nested(MAX_NESTING - 2) } } }));
      assert.match(errorOf(await wire.waitForId('over')).message, TOO_DEEP);
      // Brackets in strings are text, not nesting.
      const text = '['.repeat(20_000);
      assert.deepEqual((await wire.call('brackets', 'echo', { message: text })).result, { content: [{ type: 'text', text: `Echo: ${text}` }] });
    });
  });
}

/** A server that answers some calls with messages nested 6,000 deep. */
const DEEP_SERVER = `
  const deep = '['.repeat(6000) + ']'.repeat(6000);
  if (msg && msg.method === 'tools/call') {
    const name = msg.params.name;
    const id = JSON.stringify(msg.id);
    const ok = (text) => JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: { content: [{ type: 'text', text }] } });
    if (name === 'deep_plain') return send('{"jsonrpc":"2.0","id":' + id + ',"result":{"content":' + deep + '}}');
    if (name === 'deep_error') return send('{"jsonrpc":"2.0","id":' + id + ',"error":{"code":1,"message":"deep","data":' + deep + '}}');
    if (name === 'deep_keyed') return send('{"result":{"content":' + deep + '},"id":' + id + ',"jsonrpc":"2.0","extra":1}');
    if (name === 'deep_around') {
      send('{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":' + deep + '}}');
      send('{"jsonrpc":"2.0","id":"server-1","method":"sampling/createMessage","params":{"messages":' + deep + '}}');
      return send(ok('after the deep ones'));
    }
    return send(ok('Echo: ' + (msg.params.arguments || {}).message));
  }
  ${RECORDING_SCRIPT}
`;

for (const transport of TRANSPORTS) {
  describe(`a server message nested too deep, over ${transport}`, () => {
    let wire: Wire;
    before(async () => {
      wire = await openWire(transport, { policy: POLICY, script: DEEP_SERVER });
    });
    after(async () => wire?.close());

    for (const name of ['deep_plain', 'deep_error', 'deep_keyed']) {
      it(`fails the call it answers (${name}) with a clear error, and the next call works`, async () => {
        const answer = await wire.call(`${name}-1`, name);
        const error = errorOf(answer);
        assert.equal(error.code, -32600);
        assert.match(error.message, /^The server's answer was refused: Invalid Request: nested deeper than 256 levels$/);
        assert.ok(!JSON.stringify(wire.received).includes('[[[[[['), 'the deep answer reached the client');
        assert.deepEqual((await wire.call(`${name}-next`, 'echo', { message: 'next' })).result, { content: [{ type: 'text', text: 'Echo: next' }] });
        assert.ok(wire.alive());
        assert.ok(wire.audit().some((l) => l.tool === name && l.decision === 'allow'));
      });
    }

    it('drops a deep notification and a deep request; the answer after them arrives', async () => {
      const answer = await wire.call('around-1', 'deep_around');
      assert.deepEqual(answer.result, { content: [{ type: 'text', text: 'after the deep ones' }] });
      assert.ok(!wire.received.some((m) => m.id === 'server-1' || m.method === 'notifications/message'));
      assert.ok(wire.alive());
    });
  });
}

describe('the stdio proxy, whatever the chunk', () => {
  it('never exits on a deep message from the client, split across writes or glued to others', async () => {
    const tmp = tempDir();
    const policy = writePolicy(tmp.dir, POLICY);
    const proxy = spawnRawProxy({ policy, server: 'rec', upstream: [process.execPath, RECORDING] });
    try {
      proxy.request({ id: 'init', ...INITIALIZE });
      await proxy.waitForId('init');
      const deep = DEEP_CALL('split');
      for (let i = 0; i < deep.length; i += 1000) proxy.write(deep.slice(i, i + 1000));
      proxy.write(`\n${DEEP_CALL('glued-1')}\n${DEEP_CALL('glued-2')}\n{"jsonrpc":"2.0","id":"last","method":"ping"}\n`);
      for (const id of ['split', 'glued-1', 'glued-2']) assert.match(errorOf(await proxy.waitForId(id)).message, TOO_DEEP);
      assert.deepEqual((await proxy.waitForId('last')).result, {});
      await waitFor(() => proxy.child.exitCode === null, 100, 'the proxy to run');
    } finally {
      await proxy.close();
      tmp.cleanup();
    }
  });
});
