// The HTTP listener (`--listen`), attacked: requests without the token, with a wrong one or in the wrong
// scheme, with a foreign Host (no Origin), a foreign Origin or a DNS-rebinding name; a flood of
// anonymous initializes; more sessions than the cap; several unfinished large bodies at once (the
// proxy's memory is measured); a body that never ends; a session left idle. Through the real proxy
// (dist/cli.js) in front of the recording server: each refusal is a clear HTTP error, nothing reaches
// the server (no upstream is even started) and the audit log holds nothing for it.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { auditLines, CLI, INITIALIZE, isAlive, proxyArgs, RECORDING, recorded, startHttpProxy, startListening, tempDir, waitFor, writePolicy, yaml, type HttpProxy } from '../proxy/helpers';

const POLICY = yaml('version: 1', 'default: allow', 'servers:', '  rec:', '    tools:', '      delete_everything: { action: deny, reason: Never }');
const JSON_TYPES = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request with exactly these headers (Host included), to the proxy's port. */
function send(proxy: HttpProxy, options: { method?: string; path?: string; headers?: Record<string, string>; body?: string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: proxy.url.port,
        method: options.method ?? 'POST',
        path: options.path ?? '/mcp',
        setHost: false,
        headers: { host: `127.0.0.1:${proxy.url.port}`, ...JSON_TYPES, ...options.headers },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const initialize = (id: number | string = 1): string => JSON.stringify({ jsonrpc: '2.0', id, ...INITIALIZE });
const callTool = (id: number, name: string): string => JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: { message: 'x' } } });

/** The processes whose parent is `pid`: the upstream servers the proxy started. */
function childrenOf(pid: number): number[] {
  const found = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' });
  return found.stdout.split('\n').filter(Boolean).map(Number);
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

function errorMessage(answer: Answer): string {
  return (JSON.parse(answer.body) as { error: { message: string } }).error.message;
}

/** An authenticated session: initialize and the initialized notification; returns its id. */
async function openSession(proxy: HttpProxy, id = 1): Promise<string> {
  const init = await send(proxy, { headers: proxy.auth, body: initialize(id) });
  assert.equal(init.status, 200, init.body);
  const session = init.headers['mcp-session-id'] as string;
  const done = await send(proxy, { headers: { ...proxy.auth, 'mcp-session-id': session }, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
  assert.equal(done.status, 202);
  return session;
}

describe('the HTTP listener refuses who may not talk to it', () => {
  const tmp = tempDir();
  const record = join(tmp.dir, 'record.jsonl');
  const audit = join(tmp.dir, 'audit.jsonl');
  let proxy: HttpProxy;

  before(async () => {
    const policy = writePolicy(tmp.dir, POLICY);
    proxy = await startHttpProxy({ policy, server: 'rec', audit, upstream: [process.execPath, RECORDING], env: { RECORD_FILE: record } });
  });
  after(async () => {
    await proxy?.close();
    tmp.cleanup();
  });

  it('prints a token of 43 random characters on stderr', () => {
    assert.match(proxy.token, /^[A-Za-z0-9_-]{43}$/);
    assert.match(proxy.stderr(), /bearer token for this listener \(send "Authorization: Bearer TOKEN"; --token-file to choose it\): /);
  });

  it('answers a request without the token with 401 and WWW-Authenticate, and starts nothing', async () => {
    const answer = await send(proxy, { body: initialize() });
    assert.equal(answer.status, 401);
    assert.equal(answer.headers['www-authenticate'], 'Bearer realm="mcp-warden"');
    assert.match(errorMessage(answer), /^Unauthorized: send the listener’s token as "Authorization: Bearer TOKEN"$/);
    assert.equal(answer.headers['mcp-session-id'], undefined);
    for (const method of ['GET', 'DELETE']) assert.equal((await send(proxy, { method, headers: { 'mcp-session-id': 'x' } })).status, 401);
    assert.equal((await send(proxy, { method: 'GET', path: '/other' })).status, 401, 'not even which paths exist is told');
  });

  it('refuses a wrong token, a token of the wrong length, and the token in another scheme or place', async () => {
    const wrong = await send(proxy, { headers: { authorization: `Bearer ${proxy.token.slice(0, -1)}${proxy.token.endsWith('A') ? 'B' : 'A'}` }, body: initialize() });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers['www-authenticate'], 'Bearer realm="mcp-warden", error="invalid_token"');
    for (const authorization of [`Bearer ${proxy.token}x`, `Bearer ${proxy.token.slice(0, 10)}`, 'Bearer ', `Bearer ${proxy.token} ${proxy.token}`]) {
      assert.equal((await send(proxy, { headers: { authorization }, body: initialize() })).status, 401, authorization);
    }
    for (const authorization of [`Basic ${Buffer.from(`user:${proxy.token}`).toString('base64')}`, `Token ${proxy.token}`, proxy.token, `Bearer:${proxy.token}`]) {
      const answer = await send(proxy, { headers: { authorization }, body: initialize() });
      assert.equal(answer.status, 401, authorization);
      assert.equal(answer.headers['www-authenticate'], 'Bearer realm="mcp-warden", error="invalid_request"');
    }
    assert.equal((await send(proxy, { path: `/mcp?access_token=${proxy.token}`, body: initialize() })).status, 401);
    assert.equal((await send(proxy, { headers: { cookie: `token=${proxy.token}`, 'x-api-key': proxy.token }, body: initialize() })).status, 401);
  });

  it('refuses a foreign Host without Origin, a foreign Origin and DNS-rebinding names, even with the token', async () => {
    const port = proxy.url.port;
    const hosts = ['evil.example.com', `evil.example.com:${port}`, `localhost.evil.example:${port}`, `127.0.0.1.nip.io:${port}`, `attacker.localhost:${port}`, `0.0.0.0:${port}`, `[::ffff:7f00:1]x`];
    for (const host of hosts) {
      const answer = await send(proxy, { headers: { ...proxy.auth, host }, body: initialize() });
      assert.equal(answer.status, 403, `Host: ${host}`);
      assert.match(errorMessage(answer), /^Forbidden: the Host header .* does not name this listener$/);
    }
    for (const origin of ['https://evil.example.com', `http://evil.example.com:${port}`, `http://127.0.0.1.nip.io:${port}`, 'null', 'file://', 'not a url']) {
      const answer = await send(proxy, { headers: { ...proxy.auth, origin }, body: initialize() });
      assert.equal(answer.status, 403, `Origin: ${origin}`);
      assert.match(errorMessage(answer), /^Forbidden: requests from the origin .* are not accepted$/);
    }
    // Without the token too: the Host check comes first and says nothing about the token.
    assert.equal((await send(proxy, { headers: { host: 'evil.example.com' }, body: initialize() })).status, 403);
  });

  it('accepts the loopback names, with any port, in Host and Origin', async () => {
    for (const host of [`localhost:${proxy.url.port}`, `127.0.0.1:${proxy.url.port}`, `[::1]:${proxy.url.port}`, 'LOCALHOST']) {
      const answer = await send(proxy, { headers: { ...proxy.auth, host, origin: `http://${host.toLowerCase()}` }, body: initialize() });
      assert.equal(answer.status, 200, `Host: ${host}: ${answer.body}`);
      await send(proxy, { method: 'DELETE', headers: { ...proxy.auth, 'mcp-session-id': answer.headers['mcp-session-id'] as string } });
    }
  });

  it('starts no server for 25 anonymous initializes, and runs no call without the token', async () => {
    const before = recorded(record).length;
    const children = new Set(childrenOf(proxy.child.pid!));
    const answers = await Promise.all(Array.from({ length: 25 }, (_, i) => send(proxy, { body: initialize(i) })));
    assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([401]));
    assert.deepEqual(
      childrenOf(proxy.child.pid!).filter((pid) => !children.has(pid)),
      [],
      'no upstream server was started',
    );
    // A session that exists, used without the token.
    const session = await openSession(proxy);
    await waitFor(() => recorded(record).at(-1)?.method === 'notifications/initialized', 2000, 'the session to start');
    const started = recorded(record).length;
    const anonymous: Record<string, string>[] = [{ 'mcp-session-id': session }, { 'mcp-session-id': session, authorization: 'Bearer nope' }];
    for (const headers of anonymous) {
      const answer = await send(proxy, { headers, body: callTool(7, 'delete_everything') });
      assert.equal(answer.status, 401);
      assert.equal((await send(proxy, { headers, body: callTool(8, 'echo') })).status, 401);
    }
    assert.equal(recorded(record).length, started, 'nothing more reached the server');
    assert.equal(recorded(record).slice(before).filter((m) => m.method === 'initialize').length, 1, 'only the authenticated session started a server');
    assert.ok(!recorded(record).some((m) => m.method === 'tools/call'));
    // With the token, the same session works: one allowed and one denied call, both in the audit log.
    assert.equal((await send(proxy, { headers: { ...proxy.auth, 'mcp-session-id': session }, body: callTool(9, 'echo') })).status, 200);
    assert.equal((await send(proxy, { headers: { ...proxy.auth, 'mcp-session-id': session }, body: callTool(10, 'delete_everything') })).status, 200);
    await waitFor(() => recorded(record).some((m) => m.method === 'tools/call'), 2000, 'the allowed call');
    assert.deepEqual(
      recorded(record)
        .filter((m) => m.method === 'tools/call')
        .map((m) => m.params!.name),
      ['echo'],
    );
    assert.deepEqual(
      auditLines(audit).map((l) => [l.tool, l.decision]),
      [
        ['echo', 'allow'],
        ['delete_everything', 'deny'],
      ],
    );
    await send(proxy, { method: 'DELETE', headers: { ...proxy.auth, 'mcp-session-id': session } });
  });
});

describe('the HTTP listener bounds what a client holds', () => {
  it('caps sessions: the one over --max-sessions gets 503 with Retry-After and starts no server', async () => {
    const tmp = tempDir();
    const record = join(tmp.dir, 'record.jsonl');
    const policy = writePolicy(tmp.dir, POLICY);
    const proxy = await startHttpProxy({ policy, server: 'rec', upstream: [process.execPath, RECORDING], env: { RECORD_FILE: record }, extraArgs: ['--max-sessions', '3'] });
    try {
      const sessions: string[] = [];
      for (let i = 0; i < 3; i++) sessions.push(await openSession(proxy, i));
      for (let i = 0; i < 2; i++) {
        const over = await send(proxy, { headers: proxy.auth, body: initialize(10 + i) });
        assert.equal(over.status, 503);
        assert.equal(over.headers['retry-after'], '60');
        assert.match(errorMessage(over), /already has 3 sessions open \(--max-sessions\)/);
      }
      await waitFor(() => recorded(record).filter((m) => m.method === 'initialize').length === 3, 3000, 'three initializes');
      assert.equal(childrenOf(proxy.child.pid!).length, 3);
      // One ends: a new session fits again.
      assert.equal((await send(proxy, { method: 'DELETE', headers: { ...proxy.auth, 'mcp-session-id': sessions[0] } })).status, 200);
      await openSession(proxy, 20);
      assert.equal(recorded(record).filter((m) => m.method === 'initialize').length, 4);
    } finally {
      await proxy.close();
      tmp.cleanup();
    }
  });

  it('ends a session idle for --session-idle-timeout, and its upstream server with it', async () => {
    const tmp = tempDir();
    const policy = writePolicy(tmp.dir, POLICY);
    const proxy = await startHttpProxy({ policy, server: 'rec', upstream: [process.execPath, RECORDING], extraArgs: ['--session-idle-timeout', '1'] });
    try {
      const session = await openSession(proxy);
      const whoami = await send(proxy, { headers: { ...proxy.auth, 'mcp-session-id': session }, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'whoami', arguments: {} } }) });
      const pid = Number((JSON.parse(whoami.body) as { result: { content: { text: string }[] } }).result.content[0].text);
      assert.ok(isAlive(pid));
      await waitFor(() => !isAlive(pid), 5000, 'the idle session’s upstream to exit');
      const later = await send(proxy, { headers: { ...proxy.auth, 'mcp-session-id': session }, body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list' }) });
      assert.equal(later.status, 404, 'the expired session is gone: the client starts a new one');
      assert.match(proxy.stderr(), /HTTP session .* ended after 1 s idle/);
    } finally {
      await proxy.close();
      tmp.cleanup();
    }
  });
});

/** A POST whose body is started and never finished, on its own connection; collects what comes back. */
function unfinishedPost(
  proxy: HttpProxy,
  headers: Record<string, string>,
  bodyBytes: number,
  chunked: boolean,
): { socket: Socket; received: () => string; closed: () => boolean; msFromAnswerToError: () => number | undefined; written: Promise<void> } {
  const socket = connect(Number(proxy.url.port), '127.0.0.1');
  let received = '';
  let closed = false;
  let answeredAt: number | undefined;
  let msFromAnswerToError: number | undefined;
  socket.once('close', () => (closed = true));
  socket.on('data', (chunk: Buffer) => {
    answeredAt ??= Date.now();
    received += chunk.toString('latin1');
  });
  socket.on('error', () => (msFromAnswerToError ??= answeredAt === undefined ? -1 : Date.now() - answeredAt));
  const head = [
    'POST /mcp HTTP/1.1',
    `Host: 127.0.0.1:${proxy.url.port}`,
    'Content-Type: application/json',
    'Accept: application/json, text/event-stream',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${30 * 1024 * 1024}`,
    '',
    '',
  ].join('\r\n');
  const written = new Promise<void>((resolve) => {
    socket.write(head);
    const piece = Buffer.alloc(1024 * 1024, 0x20);
    let sent = 0;
    const more = (): void => {
      while (sent < bodyBytes) {
        sent += piece.length;
        if (chunked) socket.write(`${piece.length.toString(16)}\r\n`);
        socket.write(piece);
        const ok = socket.write(chunked ? '\r\n' : Buffer.alloc(0));
        if (!ok) return void socket.once('drain', more);
      }
      resolve();
    };
    more();
    socket.once('close', () => resolve());
  });
  return { socket, received: () => received, closed: () => closed, msFromAnswerToError: () => msFromAnswerToError, written };
}

/** Unfinished 30 MB bodies sent at once: held whole, they would take 290 MB (the proxy once grew by 373 MB with 6). */
const BODIES = 10;

describe('the HTTP listener under unfinished large bodies', () => {
  for (const chunked of [false, true]) {
    it(`keeps its memory bounded with ${BODIES} unfinished 30 MB bodies (${chunked ? 'chunked' : 'with Content-Length'}); the ones over the budget get 503`, async (t) => {
      const tmp = tempDir();
      const record = join(tmp.dir, 'record.jsonl');
      const audit = join(tmp.dir, 'audit.jsonl');
      const policy = writePolicy(tmp.dir, POLICY);
      const proxy = await startHttpProxy({ policy, server: 'rec', audit, upstream: [process.execPath, RECORDING], env: { RECORD_FILE: record } });
      const posts: ReturnType<typeof unfinishedPost>[] = [];
      try {
        const session = await openSession(proxy);
        const baseline = rssMb(proxy.child.pid!);
        // 29 MB of each 30 MB body: under the 32 MiB message limit, and never finished.
        for (let i = 0; i < BODIES; i++) posts.push(unfinishedPost(proxy, { ...proxy.auth, 'mcp-session-id': session }, 29 * 1024 * 1024, chunked));
        await Promise.all(posts.map((p) => Promise.race([p.written, sleep(15_000, undefined, { ref: false })])));
        await new Promise((r) => setTimeout(r, 300));
        const peak = rssMb(proxy.child.pid!);
        t.diagnostic(`proxy RSS: ${baseline.toFixed(0)} MB before, ${peak.toFixed(0)} MB with ${BODIES} unfinished 30 MB bodies`);
        // A refused body's connection is half-closed after the answer, so its client reads the 503 even while still writing.
        const held = posts.filter((p) => !p.closed() && p.received() === '');
        const refused = posts.filter((p) => /^HTTP\/1\.1 503 /.test(p.received()));
        assert.ok(held.length <= 2, `at most two bodies fit the 64 MiB budget; ${held.length} of ${BODIES} are held`);
        assert.equal(held.length + refused.length, BODIES, 'every body is held or refused with a reason');
        for (const p of refused) assert.match(p.received(), /\r\nretry-after: 1\r\n/i);
        assert.match(refused[0].received(), /request bodies in flight already hold the listener's limit of 64 MiB/);
        // The budget's 64 MiB, and what the refused bodies left for the collector.
        assert.ok(peak - baseline < 200, `the proxy grew by ${(peak - baseline).toFixed(0)} MB`);
        // The budget is given back when the unfinished bodies are abandoned: a call goes through.
        for (const p of posts) p.socket.destroy();
        await new Promise((r) => setTimeout(r, 100));
        const call = await send(proxy, { headers: { ...proxy.auth, 'mcp-session-id': session }, body: callTool(5, 'echo') });
        assert.equal(call.status, 200, call.body);
        assert.deepEqual(
          recorded(record)
            .filter((m) => m.method === 'tools/call')
            .map((m) => m.params!.name),
          ['echo'],
        );
        assert.deepEqual(
          auditLines(audit).map((l) => l.tool),
          ['echo'],
        );
      } finally {
        for (const p of posts) p.socket.destroy();
        await proxy.close();
        tmp.cleanup();
      }
    });
  }

  it('answers unfinished bodies without the token with 401 at once, reading none of them', async (t) => {
    const tmp = tempDir();
    const policy = writePolicy(tmp.dir, POLICY);
    const proxy = await startHttpProxy({ policy, server: 'rec', upstream: [process.execPath, RECORDING] });
    const posts: ReturnType<typeof unfinishedPost>[] = [];
    try {
      const baseline = rssMb(proxy.child.pid!);
      for (let i = 0; i < 6; i++) posts.push(unfinishedPost(proxy, {}, 29 * 1024 * 1024, i % 2 === 0));
      await waitFor(() => posts.every((p) => /^HTTP\/1\.1 401 /.test(p.received())), 5000, 'six 401s');
      await Promise.all(posts.map((p) => Promise.race([p.written, sleep(15_000, undefined, { ref: false })])));
      // The refusal ends with a FIN after the answer and lingers: a reset at once can reach a client that
      // is still writing before it has read the answer. A client still writing 2 s later is reset then.
      for (const p of posts) assert.ok((p.msFromAnswerToError() ?? Infinity) > 1000, `reset ${p.msFromAnswerToError()} ms after the answer`);
      const peak = rssMb(proxy.child.pid!);
      t.diagnostic(`proxy RSS: ${baseline.toFixed(0)} MB before, ${peak.toFixed(0)} MB after 6 anonymous 30 MB bodies`);
      assert.ok(peak - baseline < 60, `the proxy grew by ${(peak - baseline).toFixed(0)} MB`);
      assert.deepEqual(childrenOf(proxy.child.pid!), []);
    } finally {
      for (const p of posts) p.socket.destroy();
      await proxy.close();
      tmp.cleanup();
    }
  });

  it('answers a body that does not arrive within --body-timeout with 408 and closes the connection', async () => {
    const tmp = tempDir();
    const policy = writePolicy(tmp.dir, POLICY);
    const budget = String(30 * 1024 * 1024); // exactly what the slow body declares
    const proxy = await startHttpProxy({ policy, server: 'rec', upstream: [process.execPath, RECORDING], extraArgs: ['--body-timeout', '2', '--max-frame-bytes', budget, '--max-inflight-bytes', budget] });
    try {
      const session = await openSession(proxy);
      const slow = unfinishedPost(proxy, { ...proxy.auth, 'mcp-session-id': session }, 1024 * 1024, false);
      let closed = false;
      slow.socket.once('close', () => (closed = true));
      // Meanwhile its 30 MiB hold the whole budget: a second body must wait.
      await slow.written;
      await new Promise((r) => setTimeout(r, 200));
      const busy = await send(proxy, { headers: { ...proxy.auth, 'mcp-session-id': session }, body: callTool(2, 'echo') });
      assert.equal(busy.status, 503);
      await waitFor(() => /^HTTP\/1\.1 408 /.test(slow.received()), 5000, 'the 408');
      assert.match(slow.received(), /the body did not arrive within 2 s/);
      await waitFor(() => closed, 4000, 'the slow connection to close');
      // Its share is back.
      assert.equal((await send(proxy, { headers: { ...proxy.auth, 'mcp-session-id': session }, body: callTool(3, 'echo') })).status, 200);
    } finally {
      await proxy.close();
      tmp.cleanup();
    }
  });

  it('refuses a single body over --max-frame-bytes with 413 and keeps serving', async () => {
    const tmp = tempDir();
    const policy = writePolicy(tmp.dir, POLICY);
    const proxy = await startHttpProxy({ policy, server: 'rec', upstream: [process.execPath, RECORDING], extraArgs: ['--max-frame-bytes', '100000'] });
    try {
      const session = await openSession(proxy);
      const big = JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'echo', arguments: { message: 'x'.repeat(200_000) } } });
      const answer = await send(proxy, { headers: { ...proxy.auth, 'mcp-session-id': session }, body: big });
      assert.equal(answer.status, 413);
      assert.equal((JSON.parse(answer.body) as { error: { code: number } }).error.code, -32001);
      assert.equal((await send(proxy, { headers: { ...proxy.auth, 'mcp-session-id': session }, body: callTool(5, 'echo') })).status, 200);
    } finally {
      await proxy.close();
      tmp.cleanup();
    }
  });
});

describe('the listener’s token and address on the command line', () => {
  const run = (args: string[]): { status: number | null; stderr: string } => {
    const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 10_000 });
    return { status: result.status, stderr: result.stderr };
  };
  const base = (tmp: string, ...extra: string[]): string[] =>
    proxyArgs({ policy: writePolicy(tmp, POLICY), server: 'rec', upstream: [process.execPath, RECORDING], extraArgs: extra }).slice(1);

  it('refuses a non-loopback --listen without --token-file', () => {
    const tmp = tempDir();
    try {
      for (const host of ['0.0.0.0', '[::]', '192.168.1.10']) {
        const result = run(base(tmp.dir, '--listen', `${host}:0`));
        assert.equal(result.status, 2, host);
        assert.match(result.stderr, /which is not a loopback address, needs --token-file/);
      }
    } finally {
      tmp.cleanup();
    }
  });

  it('refuses a token file that is short, not one word, a FIFO or a directory, with the reason and without hanging', () => {
    const tmp = tempDir();
    try {
      const short = join(tmp.dir, 'short');
      writeFileSync(short, 'abc\n');
      assert.match(run(base(tmp.dir, '--listen', '0', '--token-file', short)).stderr, /is 3 characters; at least 32 are needed/);
      const spaced = join(tmp.dir, 'spaced');
      writeFileSync(spaced, 'a'.repeat(20) + ' ' + 'b'.repeat(20));
      assert.match(run(base(tmp.dir, '--listen', '0', '--token-file', spaced)).stderr, /must be one word/);
      const fifo = join(tmp.dir, 'fifo');
      spawnSync('mkfifo', [fifo]);
      const fromFifo = run(base(tmp.dir, '--listen', '0', '--token-file', fifo));
      assert.equal(fromFifo.status, 2);
      assert.match(fromFifo.stderr, /is not read: it is a named pipe \(FIFO\)/);
      assert.match(run(base(tmp.dir, '--listen', '0', '--token-file', tmp.dir)).stderr, /is not read: it is a directory/);
      assert.match(run(base(tmp.dir, '--token-file', short)).stderr, /--token-file applies to --listen only/);
    } finally {
      tmp.cleanup();
    }
  });

  it('uses the token from --token-file, and does not print it', async () => {
    const tmp = tempDir();
    const file = join(tmp.dir, 'token');
    const token = 'f'.repeat(16) + '0123456789abcdef0123456789abcdef';
    writeFileSync(file, `${token}\n`, { mode: 0o600 });
    const policy = writePolicy(tmp.dir, POLICY);
    const server = await startListening('the proxy', proxyArgs({ policy, server: 'rec', upstream: [process.execPath, RECORDING], extraArgs: ['--listen', '127.0.0.1:0', '--token-file', file] }));
    try {
      const proxy = { ...server, token, auth: { authorization: `Bearer ${token}` } };
      assert.doesNotMatch(server.stderr(), new RegExp(token));
      assert.doesNotMatch(server.stderr(), /bearer token for this listener/);
      assert.equal((await send(proxy, { headers: proxy.auth, body: initialize() })).status, 200);
      assert.equal((await send(proxy, { headers: { authorization: 'Bearer ' + 'f'.repeat(48) }, body: initialize() })).status, 401);
    } finally {
      await server.close();
      tmp.cleanup();
    }
  });
});
