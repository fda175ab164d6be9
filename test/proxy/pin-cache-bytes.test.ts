// A hostile server that lists few but huge definitions, a new one every listing: the pin caches are bounded
// by the bytes they hold, not only by their number of entries (4096 definitions of a megabyte each is 4 GiB).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BoundedCache } from '../../src/pinning/bounded-cache';
import { DefinitionHashes, MAX_CACHED_DEFINITION_BYTES } from '../../src/pinning/drift';
import { emptyLockfile, formatLockfile, pinServer } from '../../src/pinning/lockfile';
import { parsePolicy } from '../../src/policy/parse';
import { LockHolder } from '../../src/proxy/lock-source';
import { pinCacheBytes, SessionPins } from '../../src/proxy/tool-pins';
import { INITIALIZE, spawnRawProxy, tempDir, writePolicy, yaml } from './helpers';

const MIB = 1024 * 1024;

/** A tool whose description is about `mib` MiB of ordinary words, different for each `n`. */
function huge(name: string, n: number, mib = 1): { name: string; description: string; inputSchema: object } {
  return { name, description: `Listing ${n}. ` + 'Reads a record and returns it. '.repeat(Math.ceil((mib * MIB) / 31)), inputSchema: { type: 'object' } };
}

test('BoundedCache: oldest out first when the bytes or the count would be exceeded; one entry over the budget is not kept', () => {
  const cache = new BoundedCache<string, number>(3, 100);
  cache.set('a', 1, 40);
  cache.set('b', 2, 40);
  cache.set('c', 3, 40); // 120 > 100: a goes
  assert.deepEqual([cache.has('a'), cache.get('b'), cache.get('c'), cache.bytes], [false, 2, 3, 80]);
  cache.set('d', 4, 1);
  cache.set('e', 5, 1); // four entries > 3: b goes
  assert.deepEqual([cache.has('b'), cache.size, cache.bytes], [false, 3, 42]);
  cache.set('big', 6, 101);
  assert.deepEqual([cache.has('big'), cache.size, cache.bytes], [false, 3, 42], 'too big for the budget: not kept, nothing evicted for it');
  cache.set('c', 7, 10); // replaced: counted once
  assert.deepEqual([cache.get('c'), cache.size, cache.bytes], [7, 3, 12]);
});

test('DefinitionHashes: huge definitions are bounded by bytes, and still hashed right', () => {
  const hashes = new DefinitionHashes();
  const reference = new DefinitionHashes();
  for (let n = 0; n < 200; n++) {
    const tool = huge('t', n);
    const pin = hashes.of(tool);
    assert.ok(hashes.bytes <= MAX_CACHED_DEFINITION_BYTES, `${hashes.bytes} bytes held after ${n + 1}`);
    if (n % 50 === 0) assert.equal(pin.sha256, reference.of(tool).sha256);
  }
  assert.ok(hashes.size < 200);
});

test("a session's pin caches hold a bounded number of bytes whatever a server lists", () => {
  const lock = new LockHolder('/w/.vscode/mcp-policy.yaml');
  lock.apply(formatLockfile(pinServer(emptyLockfile(), 's', { tools: [{ name: 'echo', inputSchema: { type: 'object' } }] }).lockfile), 'in the test');
  const policy = parsePolicy('version: 1\n').policy!;
  const pins = new SessionPins('s', lock, () => policy, { drift: () => undefined, finding: () => undefined, more: () => undefined });
  for (let n = 0; n < 60; n++) {
    const held = pins.page([huge('echo', n), huge(`new${n}`, n)], true, true);
    assert.deepEqual([...held].sort(), ['echo', `new${n}`].sort(), 'changed and new tools are still held back');
  }
  const { hashes, drifts } = pinCacheBytes();
  assert.ok(hashes <= MAX_CACHED_DEFINITION_BYTES, `definitions: ${hashes} bytes`);
  assert.ok(drifts <= 8 * MIB, `drifts: ${drifts} bytes`);
});

// Lists four tools of a megabyte each, new ones on every tools/list.
const SERVER = `
const readline = require('node:readline');
let listing = 0;
const send = (message) => process.stdout.write(JSON.stringify(message) + '\\n');
const tool = (name, n) => ({ name, description: 'Listing ' + n + '. ' + 'Reads a record and returns it. '.repeat(34000), inputSchema: { type: 'object' } });
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const msg = JSON.parse(line);
  if (msg.method === 'initialize') send({ jsonrpc: '2.0', id: msg.id, result: { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'huge', version: '1' } } });
  else if (msg.method === 'tools/list') { listing++; send({ jsonrpc: '2.0', id: msg.id, result: { tools: ['a', 'b', 'c', 'd'].map((name) => tool(name, listing)) } }); }
  else if (msg.id !== undefined) send({ jsonrpc: '2.0', id: msg.id, result: { content: [{ type: 'text', text: 'ok' }] } });
});
`;

let tmp: { dir: string; cleanup: () => void };
before(() => (tmp = tempDir()));
after(() => tmp.cleanup());

test('the proxy keeps answering a server that lists 192 MiB of distinct definitions, on a 192 MiB heap', async () => {
  const policy = writePolicy(tmp.dir, yaml('version: 1', 'default: allow'));
  // The heap is small on purpose: with the definitions kept by count alone the proxy ran out of memory (at the 22nd listing).
  const proxy = spawnRawProxy({ policy, server: 'huge', upstream: [process.execPath, '-e', SERVER], env: { NODE_OPTIONS: '--max-old-space-size=192' } });
  try {
    proxy.request({ id: 'init', ...INITIALIZE });
    await proxy.waitForId('init');
    proxy.request({ method: 'notifications/initialized' });
    for (let n = 0; n < 48; n++) {
      proxy.request({ id: n, method: 'tools/list', params: {} });
      const answer = await proxy.waitForId(n, 30_000);
      const tools = (answer.result as { tools: { description: string }[] }).tools;
      assert.equal(tools.length, 4, `listing ${n}`);
      assert.ok(tools[0].description.startsWith(`Listing ${n + 1}.`));
      proxy.received.length = 0;
    }
    assert.equal(proxy.child.exitCode, null, proxy.stderr());
  } finally {
    await proxy.close();
  }
});
