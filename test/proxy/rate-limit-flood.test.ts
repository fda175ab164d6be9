// A client naming a new conversation on every call, through the proxy process: the rate limiter holds a
// bounded number of counts, a call that would need one more is refused with its reason and never reaches
// the server, and the counts it holds stay exact.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { MAX_WINDOWS_PER_SCOPE } from '../../src/policy/rate-limiter';
import { INITIALIZE, RECORDING, recordedCalls, spawnRawProxy, tempDir, waitFor, writePolicy, yaml } from './helpers';

let tmp: { dir: string; cleanup: () => void };
before(() => (tmp = tempDir()));
after(() => tmp.cleanup());

test('a new conversation id per call: past the cap of counts, calls are refused with the reason, never forwarded', async () => {
  const policy = writePolicy(tmp.dir, yaml('version: 1', 'servers:', '  rec:', '    tools:', '      echo:', '        rate_limit: { max: 1, window: 1h }'));
  const record = join(tmp.dir, 'calls.jsonl');
  const proxy = spawnRawProxy({ policy, server: 'rec', upstream: [process.execPath, RECORDING], env: { RECORD_FILE: record } });
  const call = (id: number, conversation: string): void =>
    proxy.request({ id, method: 'tools/call', params: { name: 'echo', arguments: { message: 'hi' }, _meta: { 'vscode.conversationId': conversation } } });
  try {
    proxy.request({ id: 'init', ...INITIALIZE });
    await proxy.waitForId('init');
    proxy.request({ method: 'notifications/initialized' });
    const total = MAX_WINDOWS_PER_SCOPE + 50;
    for (let i = 0; i < total; i++) call(i, `conversation-${i}`);
    const answered = (): number => proxy.received.filter((m) => typeof m.id === 'number').length;
    await waitFor(() => answered() >= total, 60_000, `the ${total} answers (${answered()} came)`);
    const answers = new Map(proxy.received.map((m) => [m.id, JSON.stringify(m)]));
    const refused = [...answers.entries()].filter(([id, text]) => typeof id === 'number' && /could not be counted/.test(text));
    assert.equal(refused.length, 50, 'only the calls that needed a count past the cap');
    assert.match(refused[0][1], /The rate limit of rule \\?"echo\\?" could not be counted: 10,000 session windows are counting at once, the most this process keeps; the call is refused/);
    assert.equal(recordedCalls(record).length, MAX_WINDOWS_PER_SCOPE, 'a refused call never reaches the server');
    // A conversation already counted is held to its limit exactly.
    call(total, 'conversation-0');
    assert.match(JSON.stringify(await proxy.waitForId(total)), /Rate limit of 1 calls per 1h reached in this session/);
    assert.equal(recordedCalls(record).length, MAX_WINDOWS_PER_SCOPE);
  } finally {
    await proxy.close();
  }
});
