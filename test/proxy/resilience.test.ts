// What the proxy survives: an upstream that dies mid-call, a flood of malformed and oversized frames,
// and its own kill -9 (the audit log stays readable).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  auditLines,
  CLI,
  connectStdio,
  INITIALIZE,
  isAlive,
  RECORDING,
  recordedCalls,
  spawnRawProxy,
  tempDir,
  textOf,
  waitFor,
  writePolicy,
  yaml,
} from './helpers';
import { seededRandom } from '../seeded-random';

const POLICY = yaml(
  'version: 1',
  'servers:',
  '  rec:',
  '    tools:',
  '      delete_everything: { action: deny }',
  '      secret_debug: { hide: true }',
);

describe('an upstream that dies', () => {
  it('fails the pending calls with JSON-RPC errors and restarts on the next call', async () => {
    const tmp = tempDir();
    const policy = writePolicy(tmp.dir, POLICY);
    const proxy = await connectStdio({ policy, server: 'rec', upstream: [process.execPath, RECORDING] });
    try {
      const firstPid = Number(textOf(await proxy.client.callTool({ name: 'whoami', arguments: {} })));
      const pending = [1, 2, 3].map(() => proxy.client.callTool({ name: 'slow', arguments: { ms: 20_000 } }));
      await new Promise((r) => setTimeout(r, 100));
      process.kill(firstPid, 'SIGKILL');
      for (const call of pending) await assert.rejects(call, /Upstream server "rec" was killed by SIGKILL before answering/);
      const secondPid = Number(textOf(await proxy.client.callTool({ name: 'whoami', arguments: {} })));
      assert.notEqual(secondPid, firstPid);
      assert.ok(isAlive(secondPid));
      // The restarted server was initialised for this session: listing works as before.
      const { tools } = await proxy.client.listTools();
      assert.ok(tools.some((t) => t.name === 'echo'));
      assert.match(proxy.stderr(), /upstream "rec" was killed by SIGKILL; 3 pending call\(s\) failed/);
      // A server that exits during a call (rather than being killed) is handled the same way.
      await assert.rejects(proxy.client.callTool({ name: 'crash', arguments: {} }), /exited with code 3 before answering/);
      assert.equal(textOf(await proxy.client.callTool({ name: 'echo', arguments: { message: 'back' } })), 'Echo: back');
    } finally {
      await proxy.close();
      tmp.cleanup();
    }
  });
});


function badFrames(count: number, seed: number, maxFrame: number): string[] {
  const next = seededRandom(seed);
  const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)];
  const junk = (n: number): string => Array.from({ length: n }, () => String.fromCharCode(1 + Math.floor(next() * 0x7e))).join('').replace(/\n/g, ' ');
  const blocked = [
    { jsonrpc: '2.0', id: 'b1', method: 'tools/call', params: { name: 'delete_everything', arguments: {} } },
    { jsonrpc: '2.0', id: 'b2', method: 'tools/call', params: { name: 'secret_debug' } },
  ];
  const makers: (() => string)[] = [
    () => junk(1 + Math.floor(next() * 200)),
    () => JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo' } }).slice(0, Math.floor(next() * 60)),
    () => JSON.stringify(pick([null, 1, 'text', true, [], {}, { foo: 1 }, { jsonrpc: '1.0', id: 1, method: 'ping' }])),
    () => JSON.stringify({ jsonrpc: '2.0', id: pick([null, {}, [1], true]), method: 'tools/call', params: { name: 'echo' } }),
    () => JSON.stringify({ jsonrpc: '2.0', id: Math.floor(next() * 1e6), method: pick([5, null, {}]) }),
    () => JSON.stringify({ jsonrpc: '2.0', id: `t${Math.floor(next() * 1e6)}`, method: 'tools/call', params: pick([undefined, null, 'x', { name: 5 }, { arguments: {} }]) }),
    () => JSON.stringify({ jsonrpc: '2.0', id: `u${Math.floor(next() * 1e6)}`, method: `no/such/method/${Math.floor(next() * 100)}` }),
    () => JSON.stringify({ jsonrpc: '2.0', id: `r${Math.floor(next() * 1e6)}`, result: {} }),
    () => JSON.stringify({ jsonrpc: '2.0', id: 7, error: { code: 'x' } }),
    () => JSON.stringify([pick(blocked), { jsonrpc: '2.0', method: 'notifications/whatever' }]),
    () => ` ${JSON.stringify(pick(blocked))}\r`,
    () => JSON.stringify({ ...pick(blocked), id: `big${Math.floor(next() * 1e6)}`, padding: 'x'.repeat(maxFrame + Math.floor(next() * 4 * maxFrame)) }),
    () => '\u0000\u0001\u0002' + junk(20),
    () => '[]',
  ];
  return Array.from({ length: count }, () => pick(makers)());
}

describe('malformed and oversized input', () => {
  it('answers 10,000 bad frames with errors, never forwards a blocked call, and still answers the next good call', async () => {
    const tmp = tempDir();
    const record = join(tmp.dir, 'record.jsonl');
    const policy = writePolicy(tmp.dir, POLICY);
    const maxFrame = 4096;
    const proxy = spawnRawProxy({
      policy,
      server: 'rec',
      upstream: [process.execPath, RECORDING],
      extraArgs: ['--max-frame-bytes', String(maxFrame)],
      env: { RECORD_FILE: record },
    });
    try {
      proxy.request({ id: 'init', ...INITIALIZE });
      await proxy.waitForId('init');
      proxy.request({ method: 'notifications/initialized' });
      const frames = badFrames(10_000, 20260512, maxFrame);
      for (let i = 0; i < frames.length; i += 500) proxy.write(frames.slice(i, i + 500).join('\n') + '\n');
      proxy.request({ id: 'good', method: 'tools/call', params: { name: 'echo', arguments: { message: 'still here' } } });
      const good = await proxy.waitForId('good', 30_000);
      assert.equal(textOf(good.result), 'Echo: still here');
      assert.equal(proxy.child.exitCode, null, 'the proxy is still running');

      const parseErrors = proxy.received.filter((m) => (m.error as { code?: number } | undefined)?.code === -32700);
      const invalid = proxy.received.filter((m) => (m.error as { code?: number } | undefined)?.code === -32600);
      const tooLarge = proxy.received.filter((m) => (m.error as { code?: number } | undefined)?.code === -32001);
      assert.ok(parseErrors.length > 500, `parse errors: ${parseErrors.length}`);
      assert.ok(invalid.length > 500, `invalid requests: ${invalid.length}`);
      assert.ok(tooLarge.length > 100, `oversized: ${tooLarge.length}`);
      assert.ok(tooLarge.some((m) => String(m.id).startsWith('big')), 'an oversized request is answered with its own id');
      const blockedAnswers = proxy.received.filter((m) => m.id === 'b1' || m.id === 'b2');
      assert.ok(blockedAnswers.length > 100);
      for (const answer of blockedAnswers) assert.match(textOf(answer.result), /^Blocked by policy/);

      // Duplicate keys and escapes: what reaches the server is exactly what was decided.
      proxy.write('{"jsonrpc":"2.0","id":"dup","method":"tools/call","params":{"name":"delete_everything","name":"echo","arguments":{"message":"dup"}}}\n');
      assert.equal(textOf((await proxy.waitForId('dup')).result), 'Echo: dup');
      proxy.write('{"jsonrpc":"2.0","id":"esc","method":"tools\\u002fcall","method":"ping"}\n');
      await proxy.waitForId('esc');
      const raw = readFileSync(record, 'utf8');
      assert.ok(!raw.includes('delete_everything'), 'a duplicate key smuggled a denied tool name through');
      assert.ok(!raw.includes('u002f'), 'an escaped method reached the server unnormalised');

      const calls = recordedCalls(record);
      assert.ok(!calls.includes('delete_everything'), 'a denied call reached the server');
      assert.ok(!calls.includes('secret_debug'), 'a hidden tool was called');
      assert.ok(calls.includes('echo'));
    } finally {
      await proxy.close();
      tmp.cleanup();
    }
  });
});

describe('kill -9 of the proxy', () => {
  it('leaves an audit log whose every line parses, and the upstream exits', async () => {
    const tmp = tempDir();
    const audit = join(tmp.dir, 'audit.jsonl');
    const policy = writePolicy(tmp.dir, POLICY);
    const proxy = spawnRawProxy({ policy, server: 'rec', audit, upstream: [process.execPath, RECORDING] });
    try {
      proxy.request({ id: 'init', ...INITIALIZE });
      await proxy.waitForId('init');
      proxy.request({ id: 'who', method: 'tools/call', params: { name: 'whoami', arguments: {} } });
      const upstreamPid = Number(textOf((await proxy.waitForId('who')).result));
      assert.ok(Number.isInteger(upstreamPid) && upstreamPid > 0);
      // Keep calls flowing and kill the proxy in the middle of them.
      let n = 0;
      const flood = setInterval(() => {
        for (let i = 0; i < 50; i++) {
          const name = n % 3 === 0 ? 'delete_everything' : 'echo';
          proxy.request({ id: n++, method: 'tools/call', params: { name, arguments: { message: `m${n}`, token: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789' } } });
        }
      }, 1);
      await waitFor(() => n > 2000, 10_000, 'calls to flow');
      proxy.child.kill('SIGKILL');
      clearInterval(flood);
      await waitFor(() => proxy.child.signalCode === 'SIGKILL', 5000, 'the proxy to die');

      const text = readFileSync(audit, 'utf8');
      const lines = text.split('\n').filter((l) => l.length > 0);
      assert.ok(lines.length > 100, `only ${lines.length} audit lines`);
      for (const line of lines) JSON.parse(line);
      assert.ok(!text.includes('ghp_'), 'arguments are not logged by default');
      assert.equal(auditLines(audit).filter((l) => l.tool === 'delete_everything').every((l) => l.decision === 'deny'), true);

      const summary = spawnSync(process.execPath, [CLI, 'audit', audit, '--json'], { encoding: 'utf8' });
      assert.equal(summary.status, 0, summary.stderr);
      const parsed = JSON.parse(summary.stdout) as { entries: number; skippedLines: number };
      assert.equal(parsed.entries, lines.length);
      assert.equal(parsed.skippedLines, 0);

      // The orphaned server sees its stdin close and exits.
      await waitFor(() => !isAlive(upstreamPid), 5000, 'the upstream to exit');
    } finally {
      await proxy.close();
      tmp.cleanup();
    }
  });
});
