// Every tools/call is decided. A client message that a lenient server could run as a tool call but the
// policy cannot decide (a notification, a batch element without an id, the method in another case or
// with spaces or look-alike characters, positional params, a null id, a wrong "jsonrpc", a duplicate or
// stray "method" member) never reaches the server and is audited as refused; on every transport.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readsAsToolCall } from '../../src/proxy/call-attempt';
import { MAX_NESTING } from '../../src/proxy/jsonrpc';
import { FakeEditor } from '../proxy/fake-editor';
import { tempDir, waitFor, yaml } from '../proxy/helpers';
import { openWire, RECORDING_SCRIPT, refusals, TRANSPORTS, type Wire } from './wire';

const POLICY = yaml(
  'version: 1',
  'default: allow',
  'servers:',
  '  rec:',
  '    tools:',
  '      delete_everything: { action: deny, reason: Nobody deletes everything }',
  '      secret_debug: { hide: true }',
);

/** Every message the server received that some reader could take for a tool call: its tool's name. */
function callsAtServer(wire: Wire): string[] {
  const names: string[] = [];
  for (const msg of wire.serverMessages()) {
    if (!msg || typeof msg !== 'object') continue;
    const readsAsCall = Object.keys(msg).some((key) => key.trim().toLowerCase() === 'method' && typeof msg[key] === 'string' && readsAsToolCall(msg[key] as string));
    if (!readsAsCall) continue;
    const params = msg.params as { name?: unknown } | unknown[] | undefined;
    names.push(String(Array.isArray(params) ? params[0] : params?.name));
  }
  return names;
}

let counter = 0;
/** An allowed call sent after a case: once it is answered, the proxy has handled everything before it. */
async function sentinel(wire: Wire): Promise<string> {
  const message = `sentinel-${++counter}`;
  const answer = await wire.call(message, 'echo', { message });
  assert.deepEqual(answer.result, { content: [{ type: 'text', text: `Echo: ${message}` }] });
  return message;
}

function line(message: Record<string, unknown>): string {
  return JSON.stringify({ jsonrpc: '2.0', ...message });
}

/** Only the sentinels (allowed echo calls) ever reached the server as calls. */
function onlySentinelsAtServer(wire: Wire): void {
  const calls = callsAtServer(wire);
  assert.deepEqual(
    calls.filter((name) => name !== 'echo' && name !== 'slow'),
    [],
    `a refused call reached the server: ${wire.serverRaw()}`,
  );
  const echoes = wire.serverMessages().filter((m) => (m.params as { name?: unknown } | undefined)?.name === 'echo');
  for (const echo of echoes) assert.match(String((echo.params as { arguments?: { message?: unknown } }).arguments?.message), /^sentinel-/, 'an echo other than a sentinel reached the server');
}

/** The refusal audited for `tool` whose reason matches `why`. */
function refusalOf(wire: Wire, tool: string, why: RegExp): Record<string, unknown> {
  const found = refusals(wire).filter((l) => l.tool === tool && why.test(String(l.reason)));
  assert.ok(found.length > 0, `no refusal of ${tool} matching ${why} in the audit log:\n${wire.audit().map((l) => JSON.stringify(l)).join('\n')}`);
  const entry = found[found.length - 1];
  assert.equal(entry.decision, 'deny');
  assert.equal(entry.server, 'rec');
  return entry;
}

for (const transport of TRANSPORTS) {
  describe(`a tools/call the policy cannot decide, over ${transport}`, () => {
    let wire: Wire;
    before(async () => {
      wire = await openWire(transport, { policy: POLICY });
    });
    after(async () => wire?.close());

    it('a tools/call notification (no id) never reaches the server and is audited as refused, allowed tool or not', async () => {
      await wire.send(line({ method: 'tools/call', params: { name: 'echo', arguments: { message: 'as a notification' } } }));
      await wire.send(line({ method: 'tools/call', params: { name: 'delete_everything', arguments: {} } }));
      await sentinel(wire);
      onlySentinelsAtServer(wire);
      assert.ok(!wire.serverRaw().includes('as a notification'));
      refusalOf(wire, 'echo', /sent as a notification/);
      refusalOf(wire, 'delete_everything', /sent as a notification/);
      // A notification gets no answer, not even an error.
      assert.ok(!wire.received.some((m) => m.id === null && JSON.stringify(m).includes('notification')));
    });

    it('a tools/call notification inside a batch is refused; the batch’s other messages go on', async () => {
      await wire.send(
        JSON.stringify([
          { jsonrpc: '2.0', method: 'tools/call', params: { name: 'write_note', arguments: { path: 'in-batch' } } },
          { jsonrpc: '2.0', id: 'batch-ping', method: 'ping' },
          { jsonrpc: '2.0', method: 'notifications/roots/list_changed' },
        ]),
      );
      await wire.waitForId('batch-ping');
      await sentinel(wire);
      onlySentinelsAtServer(wire);
      assert.ok(!wire.serverRaw().includes('in-batch'));
      assert.ok(wire.serverMessages().some((m) => m.id === 'batch-ping'), 'the ping of the batch was forwarded');
      assert.ok(wire.serverMessages().some((m) => m.method === 'notifications/roots/list_changed'), 'the notification of the batch was forwarded');
      refusalOf(wire, 'write_note', /sent as a notification/);
    });

    it('a batch of allowed and denied calls, with and without ids: each request decided, each notification refused', async () => {
      await wire.send(
        JSON.stringify([
          { jsonrpc: '2.0', id: 'b-allowed', method: 'tools/call', params: { name: 'echo', arguments: { message: 'sentinel-batch' } } },
          { jsonrpc: '2.0', id: 'b-denied', method: 'tools/call', params: { name: 'delete_everything', arguments: {} } },
          { jsonrpc: '2.0', method: 'tools/call', params: { name: 'secret_debug', arguments: {} } },
        ]),
      );
      assert.equal(((await wire.waitForId('b-allowed')).result as { content: { text: string }[] }).content[0].text, 'Echo: sentinel-batch');
      assert.match(JSON.stringify((await wire.waitForId('b-denied')).result), /Blocked by policy: Nobody deletes everything/);
      await sentinel(wire);
      onlySentinelsAtServer(wire);
      refusalOf(wire, 'secret_debug', /sent as a notification/);
      assert.ok(wire.audit().some((l) => l.tool === 'delete_everything' && l.decision === 'deny' && l.reason === 'Nobody deletes everything'));
    });

    const variants: [string, string][] = [
      ['upper case', 'TOOLS/CALL'],
      ['mixed case', 'Tools/Call'],
      ['a leading space', ' tools/call'],
      ['a trailing space', 'tools/call '],
      ['a trailing newline', 'tools/call\n'],
      ['a dot', 'tools.call'],
      ['an underscore', 'tools_call'],
      ['a zero-width space', 'tools/\u200bcall'],
      ['full-width letters', '\uff54\uff4f\uff4f\uff4c\uff53/\uff43\uff41\uff4c\uff4c'],
      ['a NUL', 'tools/call\u0000'],
    ];
    for (const [how, method] of variants) {
      it(`a request whose method is tools/call with ${how} is refused with an error and audited`, async () => {
        const id = `variant-${how}`;
        await wire.send(line({ id, method, params: { name: 'delete_everything', arguments: { how } } }));
        const answer = await wire.waitForId(id);
        assert.equal((answer.error as { code: number }).code, -32600);
        assert.match((answer.error as { message: string }).message, /^Refused: the method .* is not exactly "tools\/call"/);
        await wire.send(line({ method, params: { name: 'delete_everything', arguments: { how } } }));
        await sentinel(wire);
        onlySentinelsAtServer(wire);
        assert.ok(!wire.serverRaw().includes(how), `the ${how} variant reached the server`);
        assert.ok(refusals(wire).filter((l) => l.tool === 'delete_everything' && /is not exactly/.test(String(l.reason))).length >= 2);
      });
    }

    it('a method spelled with escapes is the call it spells: decided by the policy like any other', async () => {
      await wire.send('{"jsonrpc":"2.0","id":"escaped","method":"tools\\u002fc\\u0061ll","params":{"name":"delete_everything","arguments":{}}}');
      assert.match(JSON.stringify((await wire.waitForId('escaped')).result), /Blocked by policy: Nobody deletes everything/);
      await wire.send('{"jsonrpc":"2.0","method":"tools\\/call","params":{"name":"delete_everything","arguments":{}}}');
      await sentinel(wire);
      onlySentinelsAtServer(wire);
      assert.ok(!wire.serverRaw().includes('\\u'), 'an escaped line reached the server as it was');
      refusalOf(wire, 'delete_everything', /sent as a notification/);
    });

    it('positional params, params that are not an object, a call without a name: refused and audited', async () => {
      await wire.send(line({ id: 'positional', method: 'tools/call', params: ['delete_everything', {}] }));
      await wire.send(line({ id: 'nameless', method: 'tools/call', params: { arguments: { path: '/' } } }));
      await wire.send(line({ id: 'numbered', method: 'tools/call', params: { name: 7 } }));
      await wire.send(line({ method: 'tools/call', params: ['secret_debug'] }));
      for (const id of ['positional', 'nameless', 'numbered']) {
        const answer = await wire.waitForId(id);
        assert.ok(answer.error, `${id} was not refused`);
      }
      await sentinel(wire);
      onlySentinelsAtServer(wire);
      refusalOf(wire, 'delete_everything', /needs "params", an object/);
      refusalOf(wire, 'secret_debug', /sent as a notification/);
      refusalOf(wire, '', /needs "params.name", a string/);
    });

    it('a duplicate or stray "method" member cannot carry a call past the decision', async () => {
      // The last key wins for the proxy (ping); a first-key-wins server must not see the call.
      await wire.send('{"jsonrpc":"2.0","id":"dup-first","method":"Tools/Call","params":{"name":"delete_everything","arguments":{}},"method":"ping"}');
      await wire.waitForId('dup-first');
      // A member that a case-insensitive reader takes for "method".
      await wire.send('{"jsonrpc":"2.0","id":"stray","method":"ping","METHOD":"tools/call","params":{"name":"delete_everything"}}');
      await wire.waitForId('stray');
      // The call is the last "method": decided (denied).
      await wire.send('{"jsonrpc":"2.0","id":"dup-last","method":"ping","method":"tools/call","params":{"name":"delete_everything","arguments":{}}}');
      assert.match(JSON.stringify((await wire.waitForId('dup-last')).result), /Blocked by policy/);
      await sentinel(wire);
      onlySentinelsAtServer(wire);
      const raw = wire.serverRaw();
      assert.ok(!/Tools\/Call|METHOD/.test(raw), `a second method reached the server: ${raw}`);
      const forwarded = wire.serverMessages().filter((m) => m.id === 'dup-first' || m.id === 'stray');
      assert.deepEqual(forwarded.map((m) => Object.keys(m).sort()), [['id', 'jsonrpc', 'method', 'params'], ['id', 'jsonrpc', 'method', 'params']]);
    });

    {
      it('a tools/call with a null, boolean or object id, or without "jsonrpc": 2.0, is refused and audited', async () => {
        await wire.send(line({ id: null, method: 'tools/call', params: { name: 'delete_everything', arguments: { how: 'null id' } } }));
        await wire.send(line({ id: true, method: 'tools/call', params: { name: 'delete_everything', arguments: { how: 'true id' } } }));
        await wire.send(line({ id: { n: 1 }, method: 'tools/call', params: { name: 'delete_everything', arguments: { how: 'object id' } } }));
        await wire.send(JSON.stringify({ jsonrpc: '1.0', id: 'v1', method: 'tools/call', params: { name: 'write_note', arguments: { how: 'version 1' } } }));
        await wire.send(JSON.stringify({ id: 'no-version', method: 'tools/call', params: { name: 'write_note', arguments: { how: 'no version' } } }));
        await wire.send(line({ id: 'with-result', method: 'tools/call', params: { name: 'write_note', arguments: { how: 'with a result' } }, result: {} }));
        assert.equal(((await wire.waitForId('v1')).error as { code: number }).code, -32600);
        await sentinel(wire);
        onlySentinelsAtServer(wire);
        assert.ok(!/null id|true id|object id|version 1|no version|with a result/.test(wire.serverRaw()));
        assert.equal(refusals(wire).filter((l) => l.tool === 'delete_everything' && /"id" must be a string or a number/.test(String(l.reason))).length, 3);
        assert.equal(refusals(wire).filter((l) => l.tool === 'write_note' && /Invalid Request/.test(String(l.reason))).length, 3);
      });
    }

    it('a second tools/call with the id of one still in flight is refused and audited; the first goes on', async () => {
      // Not awaited: over --listen a POST's answer comes with the call's.
      const first = wire.send(line({ id: 'twice', method: 'tools/call', params: { name: 'slow', arguments: { ms: 400 } } })).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await wire.send(line({ id: 'twice', method: 'tools/call', params: { name: 'echo', arguments: { message: 'the second twice' } } }));
      await wire.send(line({ id: 'twice', method: 'ping' }));
      await sentinel(wire);
      // Over --listen each answer reaches its own POST: the refusals theirs, the first call's its own.
      await waitFor(() => wire.received.filter((m) => m.id === 'twice').length === 3, 5000, 'the answers to "twice"');
      const answers = wire.received.filter((m) => m.id === 'twice');
      assert.equal(answers.filter((m) => /still in flight/.test(JSON.stringify(m.error))).length, 2);
      assert.deepEqual(answers.filter((m) => m.result).map((m) => m.result), [{ content: [{ type: 'text', text: 'waited 400 ms' }] }]);
      onlySentinelsAtServer(wire);
      assert.ok(!wire.serverRaw().includes('the second twice'));
      assert.equal(wire.serverMessages().filter((m) => m.id === 'twice').length, 1);
      refusalOf(wire, 'echo', /still in flight/);
      await first;
      if (transport === 'listen') assert.deepEqual(wire.statuses.slice(-4), [200, 200, 200, 200], 'every POST answered');
    });

    it('a batch that repeats an id: the first is forwarded and answered, the second refused, each answer in the batch’s answer', async () => {
      await wire.send(
        JSON.stringify([
          { jsonrpc: '2.0', id: 'same-in-batch', method: 'tools/call', params: { name: 'slow', arguments: { ms: 300 } } },
          { jsonrpc: '2.0', id: 'same-in-batch', method: 'tools/call', params: { name: 'echo', arguments: { message: 'the second in a batch' } } },
        ]),
      );
      await waitFor(() => wire.received.filter((m) => m.id === 'same-in-batch').length === 2, 5000, 'both answers to "same-in-batch"');
      const answers = wire.received.filter((m) => m.id === 'same-in-batch');
      assert.equal(answers.filter((m) => /still in flight/.test(JSON.stringify(m.error))).length, 1);
      assert.deepEqual(answers.filter((m) => m.result).map((m) => m.result), [{ content: [{ type: 'text', text: 'waited 300 ms' }] }]);
      await sentinel(wire);
      onlySentinelsAtServer(wire);
      assert.ok(!wire.serverRaw().includes('the second in a batch'));
      assert.equal(wire.serverMessages().filter((m) => m.id === 'same-in-batch').length, 1);
    });

    it('a batch with bad elements: each bad one gets its error and is audited; the good ones are decided and answered', async () => {
      const tooDeep = `{"jsonrpc":"2.0","id":"bad-deep","method":"tools/call","params":{"name":"delete_everything","arguments":{"list":${'['.repeat(MAX_NESTING)}${']'.repeat(MAX_NESTING)}}}}`;
      const wrongVersion = JSON.stringify({ jsonrpc: '1.0', id: 'bad-version', method: 'tools/call', params: { name: 'note_in_batch', arguments: { how: 'a wrong version in a batch' } } });
      await wire.send(
        `[${tooDeep},${wrongVersion},${[
          line({ id: 'good-echo', method: 'tools/call', params: { name: 'echo', arguments: { message: 'sentinel-good-echo' } } }),
          line({ id: 'good-denied', method: 'tools/call', params: { name: 'delete_everything', arguments: { how: 'denied in a batch' } } }),
          line({ id: 'good-ping', method: 'ping' }),
          line({ method: 'notifications/cancelled', params: { requestId: 'nothing-with-bad-neighbours' } }),
          '7',
        ].join(',')}]`,
      );
      const deep = (await wire.waitForId('bad-deep')).error as { code: number; message: string };
      assert.equal(deep.code, -32600);
      assert.match(deep.message, /nested deeper than 256 levels/);
      const version = (await wire.waitForId('bad-version')).error as { code: number; message: string };
      assert.equal(version.code, -32600);
      assert.match(version.message, /"jsonrpc" must be "2.0"/);
      assert.deepEqual((await wire.waitForId('good-echo')).result, { content: [{ type: 'text', text: 'Echo: sentinel-good-echo' }] });
      assert.match(JSON.stringify((await wire.waitForId('good-denied')).result), /Blocked by policy: Nobody deletes everything/);
      assert.deepEqual((await wire.waitForId('good-ping')).result, {});
      await waitFor(() => wire.received.some((m) => m.id === null && /not a JSON object/.test(JSON.stringify(m.error))), 5000, 'the error for the element that is not an object');
      if (transport === 'listen') assert.equal(wire.statuses[wire.statuses.length - 1], 200, 'the batch was accepted');
      await sentinel(wire);
      onlySentinelsAtServer(wire);
      const raw = wire.serverRaw();
      assert.ok(!raw.includes('bad-deep') && !raw.includes('[[[[') && !raw.includes('a wrong version') && !raw.includes('denied in a batch'), `a bad element reached the server: ${raw}`);
      assert.ok(wire.serverMessages().some((m) => m.id === 'good-ping'), 'the ping of the batch was forwarded');
      assert.ok(wire.serverMessages().some((m) => (m.params as { requestId?: unknown } | undefined)?.requestId === 'nothing-with-bad-neighbours'), 'the notification of the batch was forwarded');
      refusalOf(wire, 'delete_everything', /nested deeper than 256 levels/);
      refusalOf(wire, 'note_in_batch', /"jsonrpc" must be "2.0"/);
      assert.ok(wire.audit().some((l) => l.tool === 'echo' && l.decision === 'allow'), 'the good call has its line');
      assert.ok(wire.audit().some((l) => l.tool === 'delete_everything' && l.decision === 'deny' && l.reason === 'Nobody deletes everything'), 'the denied call has its line');
    });

    it('a batch of one bad call and a notification: the call refused and audited, the notification forwarded', async () => {
      await wire.send(
        JSON.stringify([
          { jsonrpc: '2.0', id: 'lone-bad', method: 'tools/call', params: { name: 'note_beside_notification', arguments: { how: 'beside a notification' } }, result: {} },
          { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'beside-lone-bad' } },
        ]),
      );
      assert.equal(((await wire.waitForId('lone-bad')).error as { code: number }).code, -32600);
      if (transport === 'listen') assert.equal(wire.statuses[wire.statuses.length - 1], 200, 'the batch was accepted');
      await sentinel(wire);
      onlySentinelsAtServer(wire);
      assert.ok(!wire.serverRaw().includes('beside a notification'));
      assert.ok(wire.serverMessages().some((m) => (m.params as { requestId?: unknown } | undefined)?.requestId === 'beside-lone-bad'), 'the notification was forwarded');
      refusalOf(wire, 'note_beside_notification', /a message with a "method" cannot have a "result"/);
    });

    if (transport === 'listen') {
      it('a body that is not JSON, or a batch with nothing valid in it, is refused as a whole with 400 (each bad call audited)', async () => {
        await wire.send('{"jsonrpc":"2.0","id":"cut-short","method":"tools/call"');
        assert.equal(wire.statuses[wire.statuses.length - 1], 400);
        await waitFor(() => wire.received.some((m) => m.id === null && (m.error as { code?: unknown } | undefined)?.code === -32700), 5000, 'the parse error');
        await wire.send(JSON.stringify([{ jsonrpc: '1.0', id: 'all-bad-1', method: 'tools/call', params: { name: 'note_all_bad', arguments: { how: 'all bad' } } }, 7]));
        assert.equal(wire.statuses[wire.statuses.length - 1], 400);
        assert.equal(((await wire.waitForId('all-bad-1')).error as { code: number }).code, -32600);
        await sentinel(wire);
        onlySentinelsAtServer(wire);
        assert.ok(!wire.serverRaw().includes('all bad') && !wire.serverRaw().includes('cut-short'));
        refusalOf(wire, 'note_all_bad', /"jsonrpc" must be "2.0"/);
      });
    }

    it('the proxy is still running, and every refusal line says why', async () => {
      assert.ok(wire.alive());
      assert.ok(refusals(wire).length >= 20, `only ${refusals(wire).length} refusals audited`);
      for (const entry of refusals(wire)) {
        assert.equal(entry.decision, 'deny');
        assert.equal(entry.policy, 'deny');
        assert.equal(entry.rule, null);
      }
    });
  });
}

describe('a refused call, with the editor connected', () => {
  it('is reported to the editor as a decision, as every audited call is', async () => {
    const tmp = tempDir();
    const editor = new FakeEditor(tmp.dir);
    await editor.listen();
    const wire = await openWire('stdio', { policy: POLICY, env: editor.env() });
    try {
      await editor.waitFor('policy');
      await wire.send(line({ method: 'tools/call', params: { name: 'delete_everything', arguments: {} } }));
      await wire.send(line({ id: 'cased', method: 'Tools/Call', params: { name: 'write_note', arguments: {} } }));
      await wire.waitForId('cased');
      const notified = await editor.waitFor('decision', (m) => m.tool === 'delete_everything');
      assert.equal(notified.decision, 'deny');
      assert.match(String(notified.reason), /^refused without asking the policy: a tools\/call sent as a notification/);
      const cased = await editor.waitFor('decision', (m) => m.tool === 'write_note');
      assert.match(String(cased.reason), /is not exactly "tools\/call"/);
      onlySentinelsAtServer(wire);
    } finally {
      await wire.close();
      await editor.close();
      tmp.cleanup();
    }
  });
});

/** A server that says something about a call before it answers it. */
const CHATTY_SERVER = `
  if (msg && msg.method === 'tools/call' && msg.params.name === 'chatty') {
    send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'about to answer' } }));
    return setTimeout(() => send(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: { content: [{ type: 'text', text: 'chatted' }] } })), 50);
  }
  ${RECORDING_SCRIPT}
`;

for (const transport of TRANSPORTS) {
  describe(`a batch with a bad element and a call the server talks about, over ${transport}`, () => {
    it('the bad element’s error still reaches the client when the answer turns into a stream', async () => {
      const wire = await openWire(transport, { policy: POLICY, script: CHATTY_SERVER });
      try {
        await wire.send(
          JSON.stringify([
            { jsonrpc: '2.0', id: 'bad-beside-chatty', method: 'tools/call', params: { name: 'write_note', arguments: {} }, error: { code: 1, message: 'x' } },
            { jsonrpc: '2.0', id: 'denied-beside-chatty', method: 'tools/call', params: { name: 'delete_everything', arguments: {} } },
            { jsonrpc: '2.0', id: 'chatty-1', method: 'tools/call', params: { name: 'chatty', arguments: {} } },
          ]),
        );
        assert.deepEqual((await wire.waitForId('chatty-1')).result, { content: [{ type: 'text', text: 'chatted' }] });
        assert.ok(wire.received.some((m) => m.method === 'notifications/message'), 'the server’s message was relayed');
        assert.equal(((await wire.waitForId('bad-beside-chatty')).error as { code: number }).code, -32600);
        assert.match(JSON.stringify((await wire.waitForId('denied-beside-chatty')).result), /Blocked by policy/);
        assert.ok(!wire.serverRaw().includes('bad-beside-chatty') && !wire.serverRaw().includes('denied-beside-chatty'));
        refusalOf(wire, 'write_note', /cannot have a "result" or an "error"/);
      } finally {
        await wire.close();
      }
    });
  });
}
