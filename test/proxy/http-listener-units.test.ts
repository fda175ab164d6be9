// Units of the policy file's and the HTTP listener's bounds: the regular-file reader (both forms), the
// link chain a follower watches, the listener's guard and the in-flight byte budget.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { IncomingMessage } from 'node:http';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { linkChain } from '../../src/proxy/file-follower';
import { ByteBudget } from '../../src/proxy/http-body';
import { allowedHostnames, isLoopbackHost, ListenerGuard } from '../../src/proxy/listener-guard';
import { readRegularFile, readRegularFileSync, type FileRead } from '../../src/proxy/regular-file';
import { tempDir } from './helpers';

describe('reading a file by the policy file’s rules', () => {
  const readers: [string, (file: string, max: number) => Promise<FileRead>][] = [
    ['sync', async (file, max) => readRegularFileSync(file, max)],
    ['async', readRegularFile],
  ];
  for (const [name, read] of readers) {
    it(`${name}: reads a regular file through links, and refuses the rest with the reason`, async () => {
      const tmp = tempDir();
      try {
        const file = join(tmp.dir, 'policy.yaml');
        writeFileSync(file, 'version: 1\n');
        symlinkSync(file, join(tmp.dir, 'one'));
        symlinkSync(join(tmp.dir, 'one'), join(tmp.dir, 'two'));
        assert.deepEqual(await read(join(tmp.dir, 'two'), 100), { ok: true, text: 'version: 1\n', target: file });
        assert.deepEqual(linkChain(join(tmp.dir, 'two')), [join(tmp.dir, 'two'), join(tmp.dir, 'one'), file]);

        const missing = await read(join(tmp.dir, 'nothing'), 100);
        assert.equal(missing.ok, false);
        assert.equal(!missing.ok && missing.missing, true);
        symlinkSync(join(tmp.dir, 'nothing'), join(tmp.dir, 'dangling'));
        assert.equal((await read(join(tmp.dir, 'dangling'), 100) as { missing?: boolean }).missing, true);

        const problem = async (path: string, max = 100): Promise<string> => {
          const result = await read(path, max);
          assert.equal(result.ok, false, path);
          return (result as { problem: string }).problem;
        };
        spawnSync('mkfifo', [join(tmp.dir, 'fifo')]);
        assert.match(await problem(join(tmp.dir, 'fifo')), /is not read: it is a named pipe \(FIFO\), not a regular file$/);
        mkdirSync(join(tmp.dir, 'dir'));
        assert.match(await problem(join(tmp.dir, 'dir')), /is not read: it is a directory/);
        assert.match(await problem('/dev/zero'), /is not read: it is a character device/);
        symlinkSync('/dev/null', join(tmp.dir, 'null'));
        assert.match(await problem(join(tmp.dir, 'null')), /null \(through the link to \/dev\/null\) is not read: it is a character device/);
        assert.match(await problem(file, 5), /is not read: it is 11 bytes, over the limit of 5 bytes$/);
        assert.equal((await read(file, 11)).ok, true, 'exactly the limit is read');
        symlinkSync(join(tmp.dir, 'loop-b'), join(tmp.dir, 'loop-a'));
        symlinkSync(join(tmp.dir, 'loop-a'), join(tmp.dir, 'loop-b'));
        assert.match(await problem(join(tmp.dir, 'loop-a')), /cannot read .*loop-a: .*ELOOP/);
        assert.equal(linkChain(join(tmp.dir, 'loop-a')).length, 2);
      } finally {
        tmp.cleanup();
      }
    });
  }

  it('reads no more than the limit from a file whose size says 0 (/proc)', () => {
    const result = readRegularFileSync('/proc/self/status', 64);
    assert.equal(result.ok, false);
    assert.match((result as { problem: string }).problem, /holds more than 64 bytes/);
  });
});

function request(headers: Record<string, string>): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}

describe('the listener’s guard', () => {
  const token = 'a'.repeat(43);
  const guard = new ListenerGuard(allowedHostnames('127.0.0.1'), token);
  const ok = { host: '127.0.0.1:8931', authorization: `Bearer ${token}` };

  it('lets through the loopback names with the token, in any case and on any port', () => {
    for (const host of ['127.0.0.1:8931', 'localhost', 'LocalHost:1', '[::1]:8931']) assert.equal(guard.check(request({ ...ok, host })), undefined, host);
    assert.equal(guard.check(request({ ...ok, origin: 'http://localhost:3000' })), undefined);
    assert.equal(guard.check(request({ ...ok, authorization: `bearer  ${token}` })), undefined);
  });

  it('refuses foreign names with 403 before it looks at the token', () => {
    for (const host of ['evil.example', '127.0.0.1.evil.example', 'localhost.', '']) assert.equal(guard.check(request({ host }))?.status, 403, host);
    assert.equal(guard.check(request({ authorization: ok.authorization }))?.status, 403, 'no Host at all');
    for (const origin of ['http://evil.example', 'null', '']) assert.equal(guard.check(request({ ...ok, origin }))?.status, 403, origin);
  });

  it('refuses a missing, wrong or differently carried token with 401 and WWW-Authenticate', () => {
    const refusals = [undefined, `Bearer ${token}a`, `Bearer ${token.slice(1)}`, `Basic ${token}`, token, `Bearer ${token} x`].map((authorization) =>
      guard.check(request(authorization === undefined ? { host: ok.host } : { host: ok.host, authorization })),
    );
    for (const refusal of refusals) {
      assert.equal(refusal?.status, 401);
      assert.match(refusal!.headers!['www-authenticate'], /^Bearer realm="mcp-warden"/);
    }
  });

  it('knows which hosts are loopback, and what a wildcard listener accepts', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost']) assert.equal(isLoopbackHost(host), true, host);
    for (const host of ['0.0.0.0', '::', '192.168.1.2', 'example.com']) assert.equal(isLoopbackHost(host), false, host);
    const wildcard = allowedHostnames('0.0.0.0');
    assert.ok(wildcard.has('localhost') && wildcard.has('127.0.0.1') && wildcard.has('0.0.0.0'));
    assert.deepEqual([...allowedHostnames('192.168.1.2')], ['192.168.1.2']);
    assert.ok(allowedHostnames('::1').has('[::1]'));
  });
});

describe('the in-flight byte budget', () => {
  it('gives what it has and takes back what is returned', () => {
    const budget = new ByteBudget(100);
    assert.equal(budget.take(60), true);
    assert.equal(budget.take(41), false);
    assert.equal(budget.take(40), true);
    assert.equal(budget.take(1), false);
    budget.give(60);
    assert.equal(budget.inUse, 40);
    assert.equal(budget.take(60), true);
  });
});
