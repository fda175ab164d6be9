// Live reload of the standalone CLI (no editor: it reads its file): a valid edit of the policy applies to
// the next call within 250 ms; an invalid edit keeps the last good policy and is reported on stderr. (A
// proxy the editor launched never reads the file: test/proxy/approved-policy.test.ts.)
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { auditLines, connectStdio, RECORDING, recordedCalls, tapIncoming, tempDir, textOf, waitFor, writePolicy, yaml } from './helpers';

const ALLOW_ECHO = yaml('version: 1', 'servers:', '  rec:', '    tools:', '      echo: { action: allow }');
const DENY_ECHO = yaml('version: 1', 'servers:', '  rec:', '    tools:', '      echo: { action: deny, reason: Echo is off }', '      whoami: { hide: true }');
const INVALID = yaml('version: 1', 'servers:', '  rec:', '    tools:', '      echo: { action: perhaps }');

describe('live policy reload', () => {
  it('applies a valid edit within 250 ms, keeps the last good policy on an invalid one, and reports both', async () => {
    const tmp = tempDir();
    const record = join(tmp.dir, 'record.jsonl');
    const audit = join(tmp.dir, 'audit.jsonl');
    const policy = writePolicy(tmp.dir, ALLOW_ECHO);
    const proxy = await connectStdio({ policy, server: 'rec', audit, upstream: [process.execPath, RECORDING], env: { RECORD_FILE: record } });
    const incoming = tapIncoming(proxy.transport);
    const echo = async (): Promise<{ isError?: unknown; text: string }> => {
      const result = await proxy.client.callTool({ name: 'echo', arguments: { message: 'x' } });
      return { isError: result.isError, text: textOf(result) };
    };
    try {
      assert.equal((await echo()).text, 'Echo: x');
      await proxy.client.listTools();

      // A valid edit: measured from the write to the first call it decides.
      const written = performance.now();
      writeFileSync(policy, DENY_ECHO);
      let blocked: { isError?: unknown; text: string } | undefined;
      while (performance.now() - written < 2000) {
        const result = await echo();
        if (result.isError) {
          blocked = result;
          break;
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      const elapsed = performance.now() - written;
      assert.ok(blocked, 'the edit never applied');
      assert.ok(elapsed <= 250, `the edit applied after ${elapsed.toFixed(0)} ms`);
      const deniedSince = recordedCalls(record).length;
      assert.match(blocked.text, /^Blocked by policy: Echo is off \(.*:5\)$/);
      // What the client sees of the tools changed (whoami is now hidden): it is told to list again.
      await waitFor(() => incoming.some((m) => 'method' in m && m.method === 'notifications/tools/list_changed'), 2000, 'list_changed');
      assert.ok(!(await proxy.client.listTools()).tools.some((t) => t.name === 'whoami'));

      // An invalid edit: reported, and the last good policy (echo denied) still holds.
      writeFileSync(policy, INVALID);
      await waitFor(() => /policy has errors; keeping the last good policy/.test(proxy.stderr()), 2000, 'the stderr report');
      assert.match(proxy.stderr(), new RegExp(`${policy.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5:\\d+: `));
      assert.match((await echo()).text, /^Blocked by policy: Echo is off/);
      assert.equal(recordedCalls(record).length, deniedSince, 'no call reached the server while echo was denied');

      // And a fix applies again.
      writeFileSync(policy, ALLOW_ECHO);
      await waitFor(() => (proxy.stderr().match(/policy loaded:/g) ?? []).length >= 3, 2000, 'the fixed policy');
      const before = recordedCalls(record).length;
      assert.equal((await echo()).text, 'Echo: x');
      assert.deepEqual(recordedCalls(record).slice(before), ['echo']);

      // Every decision is in the audit log.
      assert.ok(auditLines(audit).some((d) => d.tool === 'echo' && d.decision === 'deny' && d.reason === 'Echo is off'));
    } finally {
      await proxy.close();
      tmp.cleanup();
    }
  });
});
