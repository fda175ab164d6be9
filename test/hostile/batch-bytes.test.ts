// A batch's tools/call requests reach the server as the proxy decided them: each element written once,
// as parsed (a duplicate key resolved as the proxy read it, whitespace and line breaks gone), on every
// transport, with a denied element of the same batch never reaching the server.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { yaml } from '../proxy/helpers';
import { onEach, TRANSPORTS, waitForServer } from './wire';

const POLICY = yaml(
  'version: 1',
  'default: allow',
  'servers:',
  '  rec:',
  '    tools:',
  '      delete_everything: { action: deny, reason: Nobody deletes everything }',
);

/** Two calls, one written with a duplicate "params" (the last one is what JSON.parse reads), and a denied one; line breaks between members. */
const BATCH =
  '[\n {"jsonrpc":"2.0","id":"b1","method":"tools/call","params":{"name":"delete_everything"},\n' +
  '  "params":{"name":"echo","arguments":{"message":"caf\\u00e9 \u00e9t\u00e9"}}},\n' +
  ' {"jsonrpc" : "2.0", "method":"tools/call", "id":"b2", "params":{"arguments":{"message":"second","n":[1,2.5,{"k":null}]},"name":"echo"}},\n' +
  ' {"jsonrpc":"2.0","id":"b3","method":"tools/call","params":{"name":"delete_everything","arguments":{"message":"never"}}}\n]';

const FORWARDED = [
  '{"jsonrpc":"2.0","id":"b1","method":"tools/call","params":{"name":"echo","arguments":{"message":"café été"}}}',
  '{"jsonrpc":"2.0","id":"b2","method":"tools/call","params":{"arguments":{"message":"second","n":[1,2.5,{"k":null}]},"name":"echo"}}',
];

describe('hostile: a batch of calls reaches the server written once, as decided', () => {
  it('forwards each allowed element as its canonical line and nothing of the denied one, on every transport', async () => {
    await Promise.all(
      onEach(TRANSPORTS, { policy: POLICY, audit: true }, async (wire) => {
        // Line breaks inside a message only where a message is not a line (a POST body).
        await wire.send(wire.transport === 'listen' ? BATCH : BATCH.replace(/\n/g, ''));
        await wire.waitForId('b3');
        await waitForServer(wire, (raw) => raw.includes('"id":"b2"') && raw.includes('"id":"b1"'), 'the batch to reach the server').catch((error: Error) => {
          throw new Error(`${wire.transport}: ${error.message}; the server received:\n${wire.serverRaw()}\nthe client received:\n${wire.rawReceived()}`);
        });
        const lines = wire.serverRaw().split('\n');
        for (const line of FORWARDED) assert.ok(lines.includes(line), `${wire.transport}: the server did not receive ${line}\n${wire.serverRaw()}`);
        assert.ok(!wire.serverRaw().includes('never'), `${wire.transport}: the denied element reached the server`);
        assert.ok(!wire.serverRaw().includes('delete_everything'), `${wire.transport}: the shadowed params reached the server`);
      }),
    );
  });
});
