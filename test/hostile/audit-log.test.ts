// The audit log under attack: a kill -9 right after calls go out, a log that cannot be written
// (a full disk, a directory, a FIFO, no permission), lines that JSONL readers would split, a digest
// that a reader could brute-force, secrets that masking missed, and keys that a copy would lose.
// Every case proves with the recording server what reached the server, and reads the log.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { canonicalJson } from '../../src/proxy/audit-log';
import { CLI, INITIALIZE, isAlive, proxyArgs, rawProxyOver, RECORDING, recorded, requireBundle, spawnRawProxy, tempDir, textOf, waitFor, writePolicy, yaml, type RawProxy } from '../proxy/helpers';

const POLICY = yaml(
  'version: 1',
  'default: allow',
  'servers:',
  '  rec:',
  '    tools:',
  '      delete_everything: { action: deny, reason: Nobody deletes everything }',
  '      write_note: { action: ask }',
);
const WITH_ARGS = POLICY + 'audit: { args: true }\n';

interface Setup {
  dir: string;
  record: string;
  audit: string;
  keyFile: string;
  policy: string;
  cleanup: () => void;
}

function setup(policyText = POLICY): Setup {
  const tmp = tempDir();
  return {
    dir: tmp.dir,
    record: join(tmp.dir, 'record.jsonl'),
    audit: join(tmp.dir, 'logs', 'audit.jsonl'),
    keyFile: join(tmp.dir, 'config', 'audit-key'),
    policy: writePolicy(tmp.dir, policyText),
    cleanup: tmp.cleanup,
  };
}

function start(s: Setup, audit = s.audit): RawProxy {
  return spawnRawProxy({
    policy: s.policy,
    server: 'rec',
    audit,
    upstream: [process.execPath, RECORDING],
    env: { RECORD_FILE: s.record, MCP_WARDEN_AUDIT_KEY_FILE: s.keyFile },
  });
}

async function initialized(proxy: RawProxy, capabilities: Record<string, unknown> = {}): Promise<void> {
  proxy.request({ id: 'init', ...INITIALIZE, params: { ...INITIALIZE.params, capabilities } });
  await proxy.waitForId('init');
  proxy.request({ method: 'notifications/initialized' });
}

function call(proxy: RawProxy, id: unknown, name: string, args: unknown): void {
  proxy.request({ id, method: 'tools/call', params: { name, arguments: args } });
}

async function answer(proxy: RawProxy, id: unknown): Promise<{ text: string; isError: boolean }> {
  const message = await proxy.waitForId(id);
  const result = message.result as { isError?: boolean } | undefined;
  assert.ok(result, `the answer to ${JSON.stringify(id)} is a result: ${JSON.stringify(message)}`);
  return { text: textOf(result), isError: result.isError === true };
}

/** The tools/call messages the server received. */
function receivedCalls(record: string): { id?: unknown; params?: { name?: string; arguments?: unknown } }[] {
  return recorded(record).filter((m) => m.method === 'tools/call');
}

function logLines(file: string): Record<string, unknown>[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The key file's 64 hexadecimal digits: the HMAC key, as they are written. */
function keyOf(keyFile: string): string {
  return readFileSync(keyFile, 'utf8').trim();
}

function hmac(key: string, args: unknown): string {
  return createHmac('sha256', key).update(canonicalJson(args ?? {})).digest('hex');
}

function mode(file: string): string {
  return (statSync(file).mode & 0o777).toString(8);
}

/** The proxy's own line (no client library) with several messages in one write: one chunk. */
function chunk(proxy: RawProxy, messages: Record<string, unknown>[]): void {
  proxy.write(messages.map((m) => JSON.stringify({ jsonrpc: '2.0', ...m }) + '\n').join(''));
}

const REFUSED = /^Refused by MCP Warden: the audit log cannot be written \(.+\); every tool call is refused until it can be$/;

describe('hostile: the audit line is written before the call goes on (kill -9)', () => {
  for (const variant of [
    { name: 'lines without arguments', policy: POLICY, filler: '' },
    // A line that takes long to build (masked arguments): forwarding before writing would leave a wide gap.
    { name: 'lines with large masked arguments', policy: WITH_ARGS, filler: 'word password=hunter2 '.repeat(200) },
  ]) {
    it(`every call the server received has its line after a kill -9 (${variant.name}; one and many calls per chunk)`, async () => {
      const s = setup(variant.policy);
      const proxy = start(s);
      let flood: NodeJS.Timeout | undefined;
      try {
        await initialized(proxy);
        call(proxy, 'who', 'whoami', {});
        const upstreamPid = Number((await answer(proxy, 'who')).text);
        let n = 0;
        flood = setInterval(() => {
          if (proxy.child.stdin!.writableLength > 1_000_000) return; // keep the pipe full, not the test's memory
          // Alternately one call per write and a chunk of twenty.
          if (n % 2 === 0) call(proxy, n, 'echo', { message: `m${n++}`, filler: variant.filler });
          chunk(
            proxy,
            Array.from({ length: 20 }, () => {
              const i = n++;
              return { id: i, method: 'tools/call', params: { name: i % 7 === 0 ? 'delete_everything' : 'echo', arguments: { message: `m${i}`, filler: variant.filler } } };
            }),
          );
        }, 1);
        await waitFor(() => receivedCalls(s.record).length > 400, 20_000, 'calls to reach the server');
        proxy.child.kill('SIGKILL');
        clearInterval(flood);
        await waitFor(() => proxy.child.signalCode === 'SIGKILL', 5000, 'the proxy to die');
        // The server reads what was written to it before the kill, then sees its stdin close.
        await waitFor(() => !isAlive(upstreamPid), 5000, 'the upstream to exit');

        const logged = loggedDigests(s.audit);
        const key = keyOf(s.keyFile);
        const received = receivedCalls(s.record).filter((m) => m.params?.name === 'echo');
        assert.ok(received.length > 400);
        const missing = received.filter((m) => !logged.has(hmac(key, m.params!.arguments)));
        assert.deepEqual(
          missing.map((m) => m.id),
          [],
          `${missing.length} of ${received.length} calls reached the server without an audit line`,
        );
        assert.equal(receivedCalls(s.record).filter((m) => m.params?.name === 'delete_everything').length, 0);
      } finally {
        clearInterval(flood); // a failed wait must not leave the flood keeping the test process alive
        await proxy.close();
        s.cleanup();
      }
    });
  }
  it('every call the server received has its line when the kill lands as the server reads a call (sequential calls, slow lines)', async () => {
    const s = setup(WITH_ARGS);
    writeFileSync(s.record, '');
    const proxy = start(s);
    // Thousands of strings to mask: the line of each call takes a while to build.
    const items = Array.from({ length: 3000 }, (_, i) => `item ${i}`);
    let watcher: FSWatcher | undefined;
    let answered: NodeJS.Timeout | undefined;
    let giveUp: NodeJS.Timeout | undefined;
    try {
      await initialized(proxy);
      let n = 0;
      let stopped = false;
      const next = (): void => {
        if (!stopped) call(proxy, n, 'echo', { message: `m${n++}`, items });
      };
      answered = setInterval(() => {
        if (proxy.received.some((m) => m.id === n - 1)) next();
      }, 1);
      // Killed the moment the server writes down a call after the 30th answer: the proxy has just forwarded it.
      const killed = new Promise<void>((resolve) => {
        watcher = watch(s.record, () => {
          if (stopped || n < 31) return;
          stopped = true;
          proxy.child.kill('SIGKILL');
          clearInterval(answered);
          resolve();
        });
      });
      next();
      const late = new Promise<never>((_, reject) => {
        giveUp = setTimeout(() => reject(new Error('the server wrote down no call after the 30th answer in time')), 30_000);
      });
      await Promise.race([killed, late]);
      await waitFor(() => proxy.child.signalCode === 'SIGKILL', 5000, 'the proxy to die');
      await new Promise((r) => setTimeout(r, 500)); // the server writes down what it had read
      const logged = loggedDigests(s.audit);
      const key = keyOf(s.keyFile);
      const received = receivedCalls(s.record);
      assert.ok(received.length >= 30);
      const missing = received.filter((m) => !logged.has(hmac(key, m.params!.arguments)));
      assert.deepEqual(
        missing.map((m) => m.id),
        [],
        `${missing.length} of ${received.length} calls reached the server without an audit line`,
      );
    } finally {
      // A failed wait must not leave timers keeping the test process alive.
      clearInterval(answered);
      clearTimeout(giveUp);
      watcher?.close();
      await proxy.close();
      s.cleanup();
    }
  });
});

/** The digests in a log cut by a kill -9: every line parses, except perhaps a torn last one. */
function loggedDigests(file: string): Set<string> {
  const lines = readFileSync(file, 'utf8').split('\n').filter((line) => line.length > 0);
  const digests = new Set<string>();
  lines.forEach((line, i) => {
    try {
      digests.add((JSON.parse(line) as { argsHmac: string }).argsHmac);
    } catch (error) {
      if (i < lines.length - 1) throw error;
    }
  });
  return digests;
}

describe('hostile: a log that cannot be written refuses calls (fail closed)', () => {
  it('refuses every call with the reason when the log is /dev/full, and the session stays up', { skip: !existsSync('/dev/full') && 'no /dev/full' }, async () => {
    const s = setup();
    const proxy = start(s, '/dev/full');
    try {
      await initialized(proxy);
      call(proxy, 1, 'echo', { message: 'not without a line' });
      const refused = await answer(proxy, 1);
      assert.equal(refused.isError, true);
      assert.match(refused.text, REFUSED);
      assert.match(refused.text, /\/dev\/full: ENOSPC/);
      // A denied call stays denied, with its policy reason.
      call(proxy, 2, 'delete_everything', {});
      assert.match((await answer(proxy, 2)).text, /Nobody deletes everything/);
      // Everything else still works.
      proxy.request({ id: 'list', method: 'tools/list' });
      assert.ok(((await proxy.waitForId('list')).result as { tools: unknown[] }).tools.length > 0);
      assert.deepEqual(receivedCalls(s.record), []);
      assert.match(proxy.stderr(), /cannot write the audit log \/dev\/full: .*ENOSPC.*; tool calls are refused until it can be written/);
    } finally {
      await proxy.close();
      s.cleanup();
    }
  });

  it('lets calls through again once the log can be written (a symlink to /dev/full, then to a file)', { skip: !existsSync('/dev/full') && 'no /dev/full' }, async () => {
    const s = setup();
    const link = join(s.dir, 'audit-link.jsonl');
    const real = join(s.dir, 'real.jsonl');
    symlinkSync('/dev/full', link);
    const proxy = start(s, link);
    try {
      await initialized(proxy);
      call(proxy, 1, 'echo', { message: 'first' });
      assert.match((await answer(proxy, 1)).text, REFUSED);
      // The disk "frees up": the link now leads to a file that can be written.
      symlinkSync(real, link + '.new');
      renameSync(link + '.new', link);
      call(proxy, 2, 'echo', { message: 'second' });
      const through = await answer(proxy, 2);
      assert.equal(through.isError, false);
      assert.equal(through.text, 'Echo: second');
      assert.deepEqual(
        receivedCalls(s.record).map((m) => m.params?.arguments),
        [{ message: 'second' }],
      );
      const lines = logLines(real);
      assert.equal(lines.length, 1);
      assert.equal(lines[0].tool, 'echo');
      assert.equal(lines[0].argsHmac, hmac(keyOf(s.keyFile), { message: 'second' }));
      assert.match(proxy.stderr(), /the audit log .*audit-link\.jsonl can be written again; tool calls go through/);
      assert.equal(mode(real), '600');
    } finally {
      await proxy.close();
      s.cleanup();
    }
  });

  it('refuses every call of a chunk whose lines cannot be written, and keeps the rest of the chunk in order', { skip: !existsSync('/dev/full') && 'no /dev/full' }, async () => {
    const s = setup();
    const link = join(s.dir, 'audit-link.jsonl');
    writeFileSync(join(s.dir, 'ok.jsonl'), '');
    symlinkSync(join(s.dir, 'ok.jsonl'), link);
    const proxy = start(s, link);
    try {
      await initialized(proxy);
      call(proxy, 'warm', 'echo', { message: 'warm' });
      assert.equal((await answer(proxy, 'warm')).text, 'Echo: warm');
      // The log opened fine; now the disk is full under it.
      rmSync(link);
      symlinkSync('/dev/full', link);
      await new Promise((r) => setTimeout(r, 1100)); // the path is checked at most once a second
      chunk(proxy, [
        { id: 'a', method: 'tools/call', params: { name: 'echo', arguments: { message: 'a' } } },
        { id: 'p1', method: 'ping' },
        { id: 'b', method: 'tools/call', params: { name: 'add', arguments: { a: 1, b: 2 } } },
        { id: 'p2', method: 'ping' },
      ]);
      assert.match((await answer(proxy, 'a')).text, REFUSED);
      assert.match((await answer(proxy, 'b')).text, REFUSED);
      await proxy.waitForId('p1');
      await proxy.waitForId('p2');
      const seen = recorded(s.record).map((m) => (m.method === 'tools/call' ? `call ${String(m.params?.name)}` : String(m.method)));
      assert.deepEqual(seen.slice(-3), ['call echo', 'ping', 'ping']);
      assert.deepEqual(
        receivedCalls(s.record).map((m) => m.id),
        ['warm'],
      );
    } finally {
      await proxy.close();
      s.cleanup();
    }
  });

  it('does not ask anyone to approve a call while the log cannot be opened', async () => {
    const s = setup();
    mkdirSync(s.audit, { recursive: true });
    const proxy = start(s);
    try {
      await initialized(proxy, { elicitation: {} });
      call(proxy, 1, 'write_note', { path: 'x', text: 'y' });
      assert.match((await answer(proxy, 1)).text, REFUSED);
      assert.equal(
        proxy.received.some((m) => m.method === 'elicitation/create'),
        false,
      );
      assert.deepEqual(receivedCalls(s.record), []);
    } finally {
      await proxy.close();
      s.cleanup();
    }
  });

  it('refuses an approved call whose line cannot be written', { skip: !existsSync('/dev/full') && 'no /dev/full' }, async () => {
    const s = setup();
    const proxy = start(s, '/dev/full');
    try {
      await initialized(proxy, { elicitation: {} });
      call(proxy, 1, 'write_note', { path: 'x', text: 'y' });
      let ask: Record<string, unknown> | undefined;
      await waitFor(() => (ask = proxy.received.find((m) => m.method === 'elicitation/create')) !== undefined, 5000, 'the approval request');
      proxy.request({ id: ask!.id, result: { action: 'accept', content: {} } });
      assert.match((await answer(proxy, 1)).text, REFUSED);
      assert.deepEqual(receivedCalls(s.record), []);
    } finally {
      await proxy.close();
      s.cleanup();
    }
  });

  it('refuses calls while a directory stands at the log path, and writes the log once it is gone', async () => {
    const s = setup();
    mkdirSync(s.audit, { recursive: true });
    const proxy = start(s);
    try {
      await initialized(proxy);
      call(proxy, 1, 'echo', { message: 'x' });
      const refused = await answer(proxy, 1);
      assert.match(refused.text, REFUSED);
      assert.match(refused.text, /EISDIR/);
      rmSync(s.audit, { recursive: true });
      call(proxy, 2, 'echo', { message: 'y' });
      assert.equal((await answer(proxy, 2)).text, 'Echo: y');
      assert.deepEqual(
        receivedCalls(s.record).map((m) => m.id),
        [2],
      );
      assert.equal(logLines(s.audit).length, 1);
      assert.equal(mode(s.audit), '600');
    } finally {
      await proxy.close();
      s.cleanup();
    }
  });

  it('refuses calls, without hanging, when a FIFO stands at the log path', { skip: process.platform === 'win32' && 'no mkfifo' }, async (t) => {
    const s = setup();
    mkdirSync(join(s.dir, 'logs'));
    const made = spawnSync('mkfifo', [s.audit]);
    if (made.status !== 0) return t.skip('mkfifo failed');
    const proxy = start(s);
    try {
      await initialized(proxy);
      call(proxy, 1, 'echo', { message: 'x' });
      const refused = await answer(proxy, 1);
      assert.match(refused.text, REFUSED);
      assert.deepEqual(receivedCalls(s.record), []);
    } finally {
      await proxy.close();
      s.cleanup();
    }
  });

  // Permissions do not bind root: run the proxy as an ordinary user (nobody) when the tests run as root.
  const uid = process.getuid?.();
  const asUser = uid === 0 ? { uid: 65534, gid: 65534 } : {};
  it('refuses calls while the log file or its folder is read-only, and recovers when it is writable', { skip: (process.platform === 'win32' || uid === undefined) && 'POSIX permissions' }, async () => {
    requireBundle();
    const s = setup();
    chmodSync(s.dir, 0o777);
    const logs = join(s.dir, 'logs');
    mkdirSync(logs);
    writeFileSync(s.audit, '');
    mkdirSync(join(s.dir, 'config'));
    for (const path of [logs, s.audit, join(s.dir, 'config')]) if (uid === 0) chownSync(path, 65534, 65534);
    writeFileSync(s.record, '');
    chmodSync(s.record, 0o666);
    chmodSync(s.audit, 0o400);
    const child = spawn(process.execPath, proxyArgs({ policy: s.policy, server: 'rec', audit: s.audit, upstream: [process.execPath, RECORDING] }), {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, RECORD_FILE: s.record, MCP_WARDEN_AUDIT_KEY_FILE: s.keyFile },
      ...asUser,
    });
    const proxy = rawProxyOver(child);
    try {
      await initialized(proxy);
      call(proxy, 1, 'echo', { message: 'x' });
      const refused = await answer(proxy, 1);
      assert.match(refused.text, REFUSED);
      assert.match(refused.text, /EACCES/);
      // The file is writable again, but its folder is read-only and the file gone: still refused.
      chmodSync(s.audit, 0o600);
      rmSync(s.audit);
      chmodSync(logs, 0o500);
      call(proxy, 2, 'echo', { message: 'y' });
      assert.match((await answer(proxy, 2)).text, /EACCES/);
      chmodSync(logs, 0o700);
      call(proxy, 3, 'echo', { message: 'z' });
      assert.equal((await answer(proxy, 3)).text, 'Echo: z');
      assert.deepEqual(
        receivedCalls(s.record).map((m) => m.id),
        [3],
      );
      assert.equal(logLines(s.audit).length, 1);
      assert.match(proxy.stderr(), /can be written again/);
    } finally {
      await proxy.close();
      s.cleanup();
    }
  });
});

describe('hostile: the log file and the key are private (mode 0600)', () => {
  it('creates the log and the key with mode 0600', { skip: process.platform === 'win32' && 'POSIX modes' }, async () => {
    const s = setup();
    const proxy = start(s);
    try {
      await initialized(proxy);
      call(proxy, 1, 'echo', { message: 'x' });
      await answer(proxy, 1);
      assert.equal(mode(s.audit), '600');
      assert.equal(mode(s.keyFile), '600');
      assert.match(readFileSync(s.keyFile, 'utf8'), /^[0-9a-f]{64}\n$/);
    } finally {
      await proxy.close();
      s.cleanup();
    }
  });

  it('tightens an existing log and key that others can read, and says so', { skip: process.platform === 'win32' && 'POSIX modes' }, async () => {
    const s = setup();
    mkdirSync(join(s.dir, 'logs'));
    mkdirSync(join(s.dir, 'config'));
    writeFileSync(s.audit, '{"earlier":"line"}\n', { mode: 0o644 });
    chmodSync(s.audit, 0o644);
    writeFileSync(s.keyFile, 'ab'.repeat(32) + '\n');
    chmodSync(s.keyFile, 0o644);
    const proxy = start(s);
    try {
      await initialized(proxy);
      call(proxy, 1, 'echo', { message: 'x' });
      await answer(proxy, 1);
      assert.equal(mode(s.audit), '600');
      assert.equal(mode(s.keyFile), '600');
      assert.match(proxy.stderr(), /the audit log .* was readable by others \(mode 0644\); it is now 0600/);
      assert.match(proxy.stderr(), /the audit key .* was readable by others \(mode 0644\); it is now 0600/);
      // The existing key is used, not replaced.
      assert.equal(logLines(s.audit)[1].argsHmac, hmac('ab'.repeat(32), { message: 'x' }));
    } finally {
      await proxy.close();
      s.cleanup();
    }
  });

  it('refuses calls when the key file is not a key, rather than writing unkeyed digests', async () => {
    const s = setup();
    mkdirSync(join(s.dir, 'config'));
    writeFileSync(s.keyFile, 'not a key\n', { mode: 0o600 });
    const proxy = start(s);
    try {
      await initialized(proxy);
      call(proxy, 1, 'echo', { message: 'x' });
      const refused = await answer(proxy, 1);
      assert.match(refused.text, REFUSED);
      assert.match(refused.text, /the audit key .* cannot be used: not an audit key/);
      assert.deepEqual(receivedCalls(s.record), []);
      assert.equal(readFileSync(s.keyFile, 'utf8'), 'not a key\n');
    } finally {
      await proxy.close();
      s.cleanup();
    }
  });

  it('writes to a new file at the log path when the log is moved away (rotation)', async () => {
    const s = setup();
    const proxy = start(s);
    try {
      await initialized(proxy);
      call(proxy, 'before', 'echo', { message: 'before' });
      await answer(proxy, 'before');
      renameSync(s.audit, s.audit + '.1');
      let i = 0;
      await waitFor(
        () => {
          call(proxy, `after${i}`, 'echo', { message: `after${i++}` });
          return existsSync(s.audit) && logLines(s.audit).length > 0;
        },
        5000,
        'a line in the new log',
      );
      assert.equal(logLines(s.audit + '.1')[0].argsHmac, hmac(keyOf(s.keyFile), { message: 'before' }));
      assert.equal(mode(s.audit), '600');
    } finally {
      await proxy.close();
      s.cleanup();
    }
  });
});

describe('hostile: lines that JSONL readers would split', () => {
  it('escapes U+2028, U+2029 and U+0085, which JSON.stringify leaves raw', async () => {
    const s = setup(WITH_ARGS);
    const proxy = start(s);
    const message = 'a\u2028b\u2029c\u0085d';
    try {
      await initialized(proxy);
      call(proxy, 1, 'echo', { message });
      await answer(proxy, 1);
      call(proxy, 2, 'no\u2028such\u2029tool', {});
      await proxy.waitForId(2);
      const text = readFileSync(s.audit, 'utf8');
      assert.equal(/[\u2028\u2029\u0085]/.test(text), false, 'no raw separator in the log');
      assert.equal(text.split(/\r\n|[\n\r\u2028\u2029\u0085\v\f\u001c-\u001e]/).filter((l) => l.length > 0).length, 2);
      const lines = logLines(s.audit);
      assert.deepEqual(lines[0].args, { message });
      assert.equal(lines[1].tool, 'no\u2028such\u2029tool');
      assert.deepEqual(receivedCalls(s.record)[0].params?.arguments, { message });
    } finally {
      await proxy.close();
      s.cleanup();
    }
  });
});

describe('hostile: the argument digest cannot be brute-forced without the key', () => {
  it('writes an HMAC keyed with the install key, which a guess over all 6-digit codes does not find', async () => {
    const s = setup();
    const proxy = start(s);
    try {
      await initialized(proxy);
      call(proxy, 1, 'echo', { code: '482913' });
      await answer(proxy, 1);
      const [line] = logLines(s.audit);
      assert.equal('argsSha256' in line, false);
      assert.match(String(line.argsHmac), /^[0-9a-f]{64}$/);
      // What recovered the code from the plain digest in 0.4 s finds nothing now.
      let found: string | undefined;
      for (let code = 0; code < 1_000_000 && found === undefined; code++) {
        const guess = String(code).padStart(6, '0');
        if (createHash('sha256').update(`{"code":"${guess}"}`).digest('hex') === line.argsHmac) found = guess;
      }
      assert.equal(found, undefined);
      // With the key it is the HMAC of the arguments, and another key gives another digest.
      assert.equal(line.argsHmac, hmac(keyOf(s.keyFile), { code: '482913' }));
      assert.notEqual(line.argsHmac, hmac('01'.repeat(32), { code: '482913' }));
      assert.equal(readFileSync(s.audit, 'utf8').includes(readFileSync(s.keyFile, 'utf8').trim()), false);
    } finally {
      await proxy.close();
      s.cleanup();
    }
  });

  it('`audit verify` tells which line a known argument was written for', async () => {
    const s = setup();
    const proxy = start(s);
    try {
      await initialized(proxy);
      call(proxy, 1, 'echo', { code: '123456', to: 'a' });
      await answer(proxy, 1);
      call(proxy, 2, 'delete_everything', { code: '654321' });
      await answer(proxy, 2);
      await proxy.close();
      const verify = (...args: string[]): { status: number | null; stdout: string; stderr: string } =>
        spawnSync(process.execPath, [CLI, 'audit', 'verify', s.audit, '--key', s.keyFile, ...args], { encoding: 'utf8' });
      // Key order does not matter: the digest is over canonical JSON.
      const first = verify('--args', '{"to":"a","code":"123456"}');
      assert.equal(first.status, 0, first.stderr);
      assert.match(first.stdout, /^line 1: rec\/echo, allow, \S+: these arguments\n$/);
      const second = verify('--args', '{"code":"654321"}');
      assert.equal(second.status, 0);
      assert.match(second.stdout, /^line 2: rec\/delete_everything, deny/);
      assert.equal(verify('--args', '{"code":"654321"}', '--line', '2').status, 0);
      const wrongLine = verify('--args', '{"code":"654321"}', '--line', '1');
      assert.equal(wrongLine.status, 1);
      assert.match(wrongLine.stdout, /line 1 of .* was not written for these arguments/);
      const guess = verify('--args', '{"code":"123457","to":"a"}');
      assert.equal(guess.status, 1);
      assert.match(guess.stdout, /no line of .* \(2 checked\) was written for these arguments/);
      // Another key: nothing matches.
      const otherKey = join(s.dir, 'other-key');
      writeFileSync(otherKey, 'cd'.repeat(32) + '\n', { mode: 0o600 });
      assert.equal(spawnSync(process.execPath, [CLI, 'audit', 'verify', s.audit, '--key', otherKey, '--args', '{"to":"a","code":"123456"}']).status, 1);
      // A forged line with an unkeyed digest (as earlier versions wrote) is shown, but proves nothing.
      const forged = JSON.stringify({ time: 't', server: 'rec', tool: 'echo', decision: 'allow', argsSha256: createHash('sha256').update(canonicalJson({ code: '111111' })).digest('hex') });
      writeFileSync(s.audit, readFileSync(s.audit, 'utf8') + forged + '\n');
      const unkeyed = verify('--args', '{"code":"111111"}');
      assert.equal(unkeyed.status, 1);
      assert.match(unkeyed.stdout, /^line 3: rec\/echo, allow, t: these arguments \(unkeyed SHA-256/);
      // The key from the environment, as the proxy finds it.
      const fromEnv = spawnSync(process.execPath, [CLI, 'audit', 'verify', s.audit, '--args', '{"code":"123456","to":"a"}'], {
        encoding: 'utf8',
        env: { ...process.env, MCP_WARDEN_AUDIT_KEY_FILE: s.keyFile },
      });
      assert.equal(fromEnv.status, 0, fromEnv.stderr);
      // Usage errors: exit 2 with a reason.
      const noKey = verify('--args', '{}', '--key', join(s.dir, 'missing'));
      assert.equal(noKey.status, 2);
      assert.match(noKey.stderr, /cannot read the audit key/);
      assert.equal(verify('--args', '{not json').status, 2);
      assert.equal(verify('--args', '{}', '--line', '0').status, 2);
      assert.equal(verify('--args', '{}', '--line', '9').status, 2);
      assert.equal(verify().status, 2);
    } finally {
      await proxy.close();
      s.cleanup();
    }
  });
});

describe('hostile: opt-in arguments are masked however the secret is written', () => {
  it('masks nested, listed, bearer, connection-string and command-line secrets, and keeps the rest as the server received it', async () => {
    const s = setup(WITH_ARGS);
    const proxy = start(s);
    const args = {
      deep: { a: [{ b: { c: [{ password: 'hunter2' }, { d: { e: { f: { g: { apiKey: 'k-123' } } } } }] } }] },
      credentials: { user: 'alice', nested: { value: 'under a secret key' } },
      env: [
        { name: 'DB_PASSWORD', value: 'env-secret' },
        { name: 'HOME', value: '/home/alice' },
      ],
      header: 'curl -H "Authorization: Bearer abc.def-ghi" https://api.example.com/v1',
      basic: 'Authorization: Basic dXNlcjpwYXNz',
      pg: 'postgres://admin:s3cr3t@db.internal:5432/app',
      mongo: 'mongodb+srv://svc:Mongo%40Pass@cluster0.example.mongodb.net/db?retryWrites=true',
      redis: 'redis://:redispass@cache:6379/0',
      ado: 'Server=db;User Id=sa;Password=Adm1n!;Database=app',
      query: 'https://example.com/cb?access_token=tok123&state=ok',
      mysql: 'mysql -uroot -pHunter22 appdb',
      flags: 'deploy --password=letmein --verbose --token abcdef',
      argv: ['psql', '--password', 'argv-secret', '--host', 'db'],
      jsonText: '{"client_secret":"shh","client_id":"app"}',
      envLine: 'PGPASSWORD=pgsecret psql -h db',
      plain: 'mkdir -p notes && echo hello',
      count: 3,
    };
    try {
      await initialized(proxy);
      call(proxy, 1, 'echo', args);
      await answer(proxy, 1);
      assert.deepEqual(receivedCalls(s.record)[0].params?.arguments, args);
      const [line] = logLines(s.audit);
      assert.deepEqual(line.args, {
        deep: { a: [{ b: { c: [{ password: '[masked]' }, { d: { e: { f: { g: { apiKey: '[masked]' } } } } }] } }] },
        credentials: { user: '[masked]', nested: { value: '[masked]' } },
        env: [
          { name: 'DB_PASSWORD', value: '[masked]' },
          { name: 'HOME', value: '/home/alice' },
        ],
        header: 'curl -H "Authorization: Bearer [masked]" https://api.example.com/v1',
        basic: 'Authorization: Basic [masked]',
        pg: 'postgres://admin:[masked]@db.internal:5432/app',
        mongo: 'mongodb+srv://svc:[masked]@cluster0.example.mongodb.net/db?retryWrites=true',
        redis: 'redis://:[masked]@cache:6379/0',
        ado: 'Server=db;User Id=sa;Password=[masked];Database=app',
        query: 'https://example.com/cb?access_token=[masked]&state=ok',
        mysql: 'mysql -uroot -p[masked] appdb',
        flags: 'deploy --password=[masked] --verbose --token [masked]',
        argv: ['psql', '--password', '[masked]', '--host', 'db'],
        jsonText: '{"client_secret":"[masked]","client_id":"app"}',
        envLine: 'PGPASSWORD=[masked] psql -h db',
        plain: 'mkdir -p notes && echo hello',
        count: 3,
      });
      const text = readFileSync(s.audit, 'utf8');
      for (const secret of ['hunter2', 'k-123', 'env-secret', 'abc.def-ghi', 'dXNlcjpwYXNz', 's3cr3t', 'Mongo%40Pass', 'redispass', 'Adm1n!', 'tok123', 'Hunter22', 'letmein', 'abcdef', 'argv-secret', 'shh', 'pgsecret']) {
        assert.equal(text.includes(secret), false, `${secret} is in the log`);
      }
      // The digest is of what the server received, unmasked.
      assert.equal(line.argsHmac, hmac(keyOf(s.keyFile), args));
    } finally {
      await proxy.close();
      s.cleanup();
    }
  });

  it('masks secrets used as keys, keeping the shape, and two keys masked alike stay two keys', async () => {
    const s = setup(WITH_ARGS);
    const proxy = start(s);
    const live = 'sk-live-4eC39HqLyjWDarjtT1zdp7dc';
    const other = 'sk-live-Zq81mXw2Lk5bR9tYv3cN0pHs';
    const github = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';
    const args = {
      quota: { [live]: 1, [other]: 2, '[masked]': 'a real key of that name' },
      header: { [`Bearer ${github}`]: true },
      url: { 'postgres://admin:s3cr3tpw@db/app': 'primary' },
      plain: { readme: 'kept' },
    };
    try {
      await initialized(proxy);
      call(proxy, 1, 'echo', args);
      await answer(proxy, 1);
      assert.deepEqual(receivedCalls(s.record)[0].params?.arguments, args);
      const text = readFileSync(s.audit, 'utf8');
      for (const secret of [live, other, github, 's3cr3tpw']) assert.equal(text.includes(secret), false, `${secret} is in the log`);
      const [line] = logLines(s.audit);
      assert.deepEqual(line.args, {
        quota: { '[masked]': 'a real key of that name', '[masked]#2': 1, '[masked]#3': 2 },
        header: { 'Bearer [masked]': true },
        url: { 'postgres://admin:[masked]@db/app': 'primary' },
        plain: { readme: 'kept' },
      });
      assert.equal(line.argsHmac, hmac(keyOf(s.keyFile), args));
    } finally {
      await proxy.close();
      s.cleanup();
    }
  });

  it('keeps __proto__, constructor and prototype keys in the logged arguments exactly as the server received them', async () => {
    const s = setup(WITH_ARGS);
    const proxy = start(s);
    try {
      await initialized(proxy);
      // Written by hand: JSON.parse makes "__proto__" an own key, as the server's parser does.
      proxy.write(
        '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":' +
          '{"__proto__":{"polluted":true,"token":"protosecret"},"constructor":{"prototype":{"x":1}},"toString":"s","message":"m"}}}\n',
      );
      await answer(proxy, 1);
      const received = receivedCalls(s.record)[0].params!.arguments as Record<string, unknown>;
      assert.deepEqual(Object.keys(received), ['__proto__', 'constructor', 'toString', 'message']);
      const line = JSON.parse(readFileSync(s.audit, 'utf8').trim()) as { args: Record<string, unknown>; argsHmac: string };
      assert.deepEqual(Object.keys(line.args), ['__proto__', 'constructor', 'toString', 'message']);
      assert.equal(
        canonicalJson(line.args),
        '{"__proto__":{"polluted":true,"token":"[masked]"},"constructor":{"prototype":{"x":1}},"message":"m","toString":"s"}',
      );
      assert.equal(line.argsHmac, hmac(keyOf(s.keyFile), received));
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    } finally {
      await proxy.close();
      s.cleanup();
    }
  });
});
