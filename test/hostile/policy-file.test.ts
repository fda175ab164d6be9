// The policy file's life, attacked: a symlink whose target is edited or which is pointed elsewhere, a FIFO
// at start or swapped in on reload, a device, a huge file, a directory, a file removed and recreated.
// Through the real proxy (dist/cli.js) over stdio in front of the recording server: every call is
// answered (never a hang), by the last good policy or refused with the reason, and the recording server
// and the audit log show exactly what got through.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { auditLines, CLI, INITIALIZE, RECORDING, recordedCalls, spawnRawProxy, tempDir, waitFor, yaml, type RawProxy } from '../proxy/helpers';

const ALLOW_ECHO = yaml('version: 1', 'default: deny', 'servers:', '  rec:', '    tools:', '      echo: { action: allow }');
const DENY_ECHO = yaml('version: 1', 'default: deny', 'servers:', '  rec:', '    tools:', '      echo: { action: deny, reason: Echo is off }');
const ALLOW_ADD = yaml('version: 1', 'default: deny', 'servers:', '  rec:', '    tools:', '      add: { action: allow }');
/** No call may take longer than this to be answered: a proxy blocked on a FIFO never answers. */
const ANSWER_MS = 3000;

interface Harness {
  dir: string;
  proxy: RawProxy;
  record: string;
  audit: string;
  /** Calls a tool; resolves with its result text and whether it was an error, within ANSWER_MS. */
  call: (tool: string) => Promise<{ text: string; isError: boolean }>;
  close: () => Promise<void>;
}

/** The proxy over stdio with `policy` (a path that may be anything) in front of the recording server. */
async function start(dir: string, policy: string, cleanup: () => void): Promise<Harness> {
  const record = join(dir, 'record.jsonl');
  const audit = join(dir, 'audit.jsonl');
  const proxy = spawnRawProxy({ policy, server: 'rec', audit, upstream: [process.execPath, RECORDING], env: { RECORD_FILE: record } });
  let id = 0;
  const request = async (message: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const current = ++id;
    proxy.request({ id: current, ...message });
    return proxy.waitForId(current, ANSWER_MS);
  };
  try {
    await request(INITIALIZE);
  } catch (error) {
    // A proxy that hangs (blocked on a FIFO) is killed, so the test fails instead of waiting forever.
    proxy.child.kill('SIGKILL');
    cleanup();
    throw error;
  }
  proxy.request({ method: 'notifications/initialized' });
  return {
    dir,
    proxy,
    record,
    audit,
    call: async (tool) => {
      const answer = await request({ method: 'tools/call', params: { name: tool, arguments: { message: 'hi', a: 1, b: 2 } } });
      const result = answer.result as { content: { text: string }[]; isError?: boolean };
      return { text: result.content[0].text, isError: result.isError === true };
    },
    close: async () => {
      await proxy.close();
      cleanup();
    },
  };
}

function mkfifo(path: string): void {
  const made = spawnSync('mkfifo', [path]);
  assert.equal(made.status, 0, `mkfifo failed: ${made.stderr}`);
}

/** Points `link` at `target` in one step (a new link renamed over the old), as `ln -sfn` should. */
function retarget(link: string, target: string): void {
  const next = `${link}.next`;
  symlinkSync(target, next);
  renameSync(next, link);
}

/** Calls `tool` until its answer satisfies `done` or `withinMs` pass; the time it took. */
async function until(h: Harness, tool: string, done: (r: { text: string; isError: boolean }) => boolean, withinMs: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    const result = await h.call(tool);
    const elapsed = performance.now() - started;
    if (done(result)) return elapsed;
    if (elapsed > withinMs) assert.fail(`not applied after ${elapsed.toFixed(0)} ms; last answer: ${JSON.stringify(result)}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** What reached the server is exactly what the audit log says was allowed, call by call. */
function assertServerSawTheAllowed(h: Harness): void {
  const allowed = auditLines(h.audit)
    .filter((l) => l.decision === 'allow')
    .map((l) => l.tool);
  assert.deepEqual(recordedCalls(h.record), allowed);
}

const denials = (audit: string, tool: string): Record<string, unknown>[] => auditLines(audit).filter((l) => l.tool === tool && l.decision === 'deny');

describe('the policy file through a symlink', () => {
  it('applies an edit of the link’s target within 250 ms, and follows the link when it is pointed elsewhere', async () => {
    const tmp = tempDir();
    const real = join(tmp.dir, 'elsewhere');
    mkdirSync(real);
    const target = join(real, 'target.yaml');
    writeFileSync(target, ALLOW_ECHO);
    const link = join(tmp.dir, 'policy.yaml');
    symlinkSync(target, link);
    const h = await start(tmp.dir, link, tmp.cleanup);
    try {
      assert.deepEqual(await h.call('echo'), { text: 'Echo: hi', isError: false });

      // The target is edited in place; the link itself does not change.
      const written = performance.now();
      writeFileSync(target, DENY_ECHO);
      await until(h, 'echo', (r) => r.isError, 2000);
      const elapsed = performance.now() - written;
      assert.ok(elapsed <= 250, `the edit of the target applied after ${elapsed.toFixed(0)} ms`);
      assert.match((await h.call('echo')).text, /^Blocked by policy: Echo is off \(.*policy\.yaml:6\)$/);

      // The link is pointed at another file: that file's policy applies.
      const other = join(tmp.dir, 'other.yaml');
      writeFileSync(other, ALLOW_ADD);
      retarget(link, other);
      await until(h, 'add', (r) => !r.isError, 2000);
      assert.equal((await h.call('add')).text, '3');
      assert.match((await h.call('echo')).text, /^Blocked by policy: /, 'echo is denied by the new target’s default');

      // And the old target is no longer followed; the new one is.
      writeFileSync(target, yaml('version: 1', 'default: allow'));
      await new Promise((r) => setTimeout(r, 300));
      assert.match((await h.call('echo')).text, /^Blocked by policy: /, 'an edit of the old target changes nothing');
      writeFileSync(other, yaml('version: 1', 'default: allow'));
      await until(h, 'echo', (r) => !r.isError, 2000);

      assertServerSawTheAllowed(h);
      assert.ok(denials(h.audit, 'echo').some((l) => l.reason === 'Echo is off'), 'the audit holds the denial by the edited target');
      assert.ok(auditLines(h.audit).some((l) => l.tool === 'add' && l.decision === 'allow'));
    } finally {
      await h.close();
    }
  });
});

describe('a policy path that is not a regular file', () => {
  const cases: { name: string; make: (path: string, dir: string) => void; reason: RegExp }[] = [
    { name: 'a FIFO', make: (path) => mkfifo(path), reason: /is not read: it is a named pipe \(FIFO\), not a regular file/ },
    { name: 'a link to /dev/zero', make: (path) => symlinkSync('/dev/zero', path), reason: /through the link to \/dev\/zero\) is not read: it is a character device/ },
    { name: 'a directory', make: (path) => mkdirSync(path), reason: /is not read: it is a directory, not a regular file/ },
    { name: 'a 2 MiB file', make: (path) => writeFileSync(path, '# padding\n'.repeat(210_000) + ALLOW_ECHO), reason: /is not read: it is 2100\d+ bytes, over the limit of 1 MiB/ },
  ];

  for (const { name, make, reason } of cases) {
    it(`at start, ${name}: every call is refused with the reason, at once, and none reaches the server`, async () => {
      const tmp = tempDir();
      const policy = join(tmp.dir, 'policy.yaml');
      make(policy, tmp.dir);
      const h = await start(tmp.dir, policy, tmp.cleanup);
      try {
        for (const tool of ['echo', 'add']) {
          const result = await h.call(tool);
          assert.equal(result.isError, true);
          assert.match(result.text, /^Blocked by policy: The policy has errors: .*policy\.yaml:1:1: the policy file /);
          assert.match(result.text, reason);
        }
        assert.deepEqual(recordedCalls(h.record), []);
        const lines = auditLines(h.audit);
        assert.equal(lines.length, 2);
        for (const line of lines) {
          assert.equal(line.decision, 'deny');
          assert.match(String(line.reason), reason);
        }
        assert.match(h.proxy.stderr(), /policy has errors; every tool call is refused until they are fixed/);
      } finally {
        await h.close();
      }
    });

    it(`on reload, ${name} swapped in: the last good policy keeps deciding, and the reason is reported`, async () => {
      const tmp = tempDir();
      const policy = join(tmp.dir, 'policy.yaml');
      writeFileSync(policy, ALLOW_ECHO);
      const h = await start(tmp.dir, policy, tmp.cleanup);
      try {
        assert.equal((await h.call('echo')).text, 'Echo: hi');
        unlinkSync(policy);
        make(policy, tmp.dir);
        await waitFor(() => reason.test(h.proxy.stderr()), 2000, 'the refusal to be reported');
        assert.match(h.proxy.stderr(), /policy has errors; keeping the last good policy/);
        for (let i = 0; i < 3; i++) {
          assert.deepEqual(await h.call('echo'), { text: 'Echo: hi', isError: false }, 'the last good policy still allows echo');
          assert.match((await h.call('add')).text, /^Blocked by policy: /, 'and still denies add');
        }
        assert.deepEqual(recordedCalls(h.record), ['echo', 'echo', 'echo', 'echo']);
        assert.equal(denials(h.audit, 'add').length, 3);
        assert.equal(auditLines(h.audit).filter((l) => l.tool === 'echo' && l.decision === 'allow').length, 4);

        // A regular file again: it applies.
        rmSync(policy, { recursive: true });
        writeFileSync(policy, ALLOW_ADD);
        await until(h, 'add', (r) => !r.isError, 2000);
        assertServerSawTheAllowed(h);
      } finally {
        await h.close();
      }
    });
  }

  it('a link retargeted to a FIFO on reload keeps the last good policy; pointed back at a file, that file applies', async () => {
    const tmp = tempDir();
    const good = join(tmp.dir, 'good.yaml');
    writeFileSync(good, ALLOW_ECHO);
    const fifo = join(tmp.dir, 'pipe');
    mkfifo(fifo);
    const link = join(tmp.dir, 'policy.yaml');
    symlinkSync(good, link);
    const h = await start(tmp.dir, link, tmp.cleanup);
    try {
      retarget(link, fifo);
      await waitFor(() => /through the link to .*pipe\) is not read: it is a named pipe/.test(h.proxy.stderr()), 2000, 'the FIFO to be refused');
      assert.deepEqual(await h.call('echo'), { text: 'Echo: hi', isError: false });
      writeFileSync(join(tmp.dir, 'next.yaml'), DENY_ECHO);
      retarget(link, join(tmp.dir, 'next.yaml'));
      await until(h, 'echo', (r) => r.isError, 2000);
      assertServerSawTheAllowed(h);
      assert.equal(denials(h.audit, 'echo').at(-1)?.reason, 'Echo is off');
    } finally {
      await h.close();
    }
  });
});

describe('a policy file removed and recreated', () => {
  it('keeps the last good policy while the file is gone, and applies the recreated file', async () => {
    const tmp = tempDir();
    const policy = join(tmp.dir, 'policy.yaml');
    writeFileSync(policy, ALLOW_ECHO);
    const h = await start(tmp.dir, policy, tmp.cleanup);
    try {
      assert.equal((await h.call('echo')).text, 'Echo: hi');
      unlinkSync(policy);
      await waitFor(() => /policy file is missing: .*; keeping the last good policy/.test(h.proxy.stderr()), 2000, 'the removal to be reported');
      assert.equal((await h.call('echo')).text, 'Echo: hi');
      assert.match((await h.call('add')).text, /^Blocked by policy: /);
      writeFileSync(policy, DENY_ECHO);
      await until(h, 'echo', (r) => r.isError, 2000);
      assertServerSawTheAllowed(h);
      assert.equal(denials(h.audit, 'echo').at(-1)?.reason, 'Echo is off');
    } finally {
      await h.close();
    }
  });

  it('with no policy at start, refuses every call until the file appears, then applies it', async () => {
    const tmp = tempDir();
    const policy = join(tmp.dir, 'policy.yaml');
    const h = await start(tmp.dir, policy, tmp.cleanup);
    try {
      assert.match((await h.call('echo')).text, /^Blocked by policy: No usable policy: policy file not found: /);
      writeFileSync(policy, ALLOW_ECHO);
      await until(h, 'echo', (r) => !r.isError, 2000);
      assert.deepEqual(recordedCalls(h.record), ['echo']);
      assertServerSawTheAllowed(h);
      assert.match(String(auditLines(h.audit)[0].reason), /policy file not found/);
    } finally {
      await h.close();
    }
  });
});

describe('check and explain read the policy by the same rules', () => {
  it('refuse a FIFO, a device and a huge file with the reason, at once', () => {
    const tmp = tempDir();
    try {
      const fifo = join(tmp.dir, 'fifo.yaml');
      mkfifo(fifo);
      const huge = join(tmp.dir, 'huge.yaml');
      writeFileSync(huge, '#'.repeat(2 * 1024 * 1024));
      const cases: [string, RegExp][] = [
        [fifo, /is not read: it is a named pipe \(FIFO\)/],
        ['/dev/zero', /is not read: it is a character device/],
        [huge, /is not read: it is 2097152 bytes, over the limit of 1 MiB/],
      ];
      for (const [path, reason] of cases) {
        for (const args of [['check', path], ['explain', path, '--server', 'rec', '--tool', 'echo']]) {
          const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 5000 });
          assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
          assert.match(result.stderr, reason);
        }
      }
    } finally {
      tmp.cleanup();
    }
  });
});
