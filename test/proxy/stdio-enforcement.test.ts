// The proxy over stdio in front of the recording server, driven by the SDK's own Client: what is
// allowed arrives, what is denied, hidden, fails its argument check or is over the rate limit never
// does (the server's own record proves it), and the audit log says what happened.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import {
  auditLines,
  connectStdio,
  isAlive,
  RECORDING,
  recorded,
  recordedCalls,
  tempDir,
  textOf,
  waitFor,
  writePolicy,
  yaml,
  type Connected,
} from './helpers';

const POLICY = yaml(
  'version: 1',
  'default: allow',
  'servers:',
  '  rec:',
  '    tools:',
  '      delete_everything:',
  '        action: deny',
  '        reason: Nobody deletes everything',
  '      secret_debug:',
  '        hide: true',
  '      write_note:',
  '        args:',
  '          type: object',
  '          required: [path]',
  '          properties:',
  '            path: { type: string, pattern: "^notes/" }',
  '      add:',
  '        rate_limit: { max: 5, window: 60s }',
);

describe('stdio proxy in front of a recording server', () => {
  const tmp = tempDir();
  const record = join(tmp.dir, 'record.jsonl');
  const audit = join(tmp.dir, 'audit.jsonl');
  let policy: string;
  let proxy: Connected;

  before(async () => {
    policy = writePolicy(tmp.dir, POLICY);
    proxy = await connectStdio({ policy, server: 'rec', audit, upstream: [process.execPath, RECORDING], env: { RECORD_FILE: record } });
  });
  after(async () => {
    await proxy?.close();
    tmp.cleanup();
  });

  it('forwards an allowed call and returns the server’s answer', async () => {
    const result = await proxy.client.callTool({ name: 'echo', arguments: { message: 'hello' } });
    assert.equal(textOf(result), 'Echo: hello');
    assert.ok(recordedCalls(record).includes('echo'));
  });

  it('answers a denied call itself, with the reason and the rule’s line, and never forwards it', async () => {
    const result = await proxy.client.callTool({ name: 'delete_everything', arguments: {} });
    assert.equal(result.isError, true);
    assert.equal(textOf(result), `Blocked by policy: Nobody deletes everything (${policy}:6)`);
    assert.ok(!recordedCalls(record).includes('delete_everything'));
  });

  it('removes hidden tools from tools/list and refuses calls to them', async () => {
    const { tools } = await proxy.client.listTools();
    const names = tools.map((t) => t.name);
    assert.ok(!names.includes('secret_debug'));
    assert.ok(names.includes('echo'));
    const result = await proxy.client.callTool({ name: 'secret_debug', arguments: {} });
    assert.equal(result.isError, true);
    assert.match(textOf(result), /^Blocked by policy: Tool "secret_debug" is hidden/);
    assert.ok(!recordedCalls(record).includes('secret_debug'));
  });

  it('keeps readOnlyHint only on allowed tools Warden classifies as read, sets it on denied ones, and leaves descriptions alone', async () => {
    const { tools } = await proxy.client.listTools();
    const byName = new Map(tools.map((t) => [t.name, t]));
    assert.equal(byName.get('echo')!.annotations?.readOnlyHint, true);
    // Denied: Warden blocks it, so the client need not ask first.
    assert.equal(byName.get('delete_everything')!.annotations?.readOnlyHint, true);
    assert.equal(byName.get('delete_everything')!.description, 'Delete every file in the workspace');
    assert.equal(byName.get('write_note')!.annotations?.readOnlyHint, false);
  });

  it('refuses a call whose arguments fail the rule’s schema, and forwards one that passes', async () => {
    const bad = await proxy.client.callTool({ name: 'write_note', arguments: { path: 'etc/passwd', text: 'x' } });
    assert.equal(bad.isError, true);
    assert.match(textOf(bad), /^Blocked by policy: Arguments rejected by rule "write_note"/);
    const good = await proxy.client.callTool({ name: 'write_note', arguments: { path: 'notes/a.txt', text: 'x' } });
    assert.equal(textOf(good), 'wrote 1 characters to notes/a.txt');
    const notes = recorded(record).filter((m) => m.params?.name === 'write_note');
    assert.deepEqual(
      notes.map((m) => (m.params!.arguments as { path: string }).path),
      ['notes/a.txt'],
    );
  });

  it('admits exactly N of 50 concurrent calls under a rate limit of N', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => proxy.client.callTool({ name: 'add', arguments: { a: i, b: 1 } })));
    const passed = results.filter((r) => !r.isError);
    const blocked = results.filter((r) => r.isError);
    assert.equal(passed.length, 5);
    assert.equal(blocked.length, 45);
    assert.match(textOf(blocked[0]), /^Blocked by policy: Rate limit of 5 calls per 1m reached in this session/);
    assert.equal(recordedCalls(record).filter((n) => n === 'add').length, 5);
  });

  it('answers a tools/call without a tool name with an invalid-params error', async () => {
    await assert.rejects(proxy.client.request({ method: 'tools/call', params: {} as never }, CallToolResultSchema), /tools\/call needs "params.name"/);
  });

  it('writes one audit line per decision with an argument digest and no raw arguments', async () => {
    await waitFor(() => auditLines(audit).length >= 2, 2000, 'audit lines');
    const lines = auditLines(audit);
    const denied = lines.find((l) => l.tool === 'delete_everything')!;
    assert.equal(denied.decision, 'deny');
    assert.equal(denied.policy, 'deny');
    assert.equal(denied.reason, 'Nobody deletes everything');
    assert.equal(denied.rule, 'delete_everything');
    assert.equal(denied.line, 6);
    assert.equal(denied.server, 'rec');
    assert.match(String(denied.argsHmac), /^[0-9a-f]{64}$/);
    assert.ok(!('argsSha256' in denied));
    assert.equal(typeof denied.latencyMs, 'number');
    assert.equal(typeof denied.session, 'string');
    assert.ok(!('args' in denied));
    const echo = lines.find((l) => l.tool === 'echo')!;
    assert.equal(echo.decision, 'allow');
    assert.equal(lines.filter((l) => l.tool === 'add').length, 50);
  });

  it('stops the upstream server when the client disconnects', async () => {
    const local = await connectStdio({ policy, server: 'rec', upstream: [process.execPath, RECORDING] });
    const pid = Number(textOf(await local.client.callTool({ name: 'whoami', arguments: {} })));
    assert.ok(isAlive(pid));
    await local.close();
    await waitFor(() => !isAlive(pid), 5000, 'the upstream to exit');
  });
});

describe('stdio proxy with audit of arguments', () => {
  it('writes arguments with secrets masked when the policy says audit: { args: true }', async () => {
    const tmp = tempDir();
    const audit = join(tmp.dir, 'audit.jsonl');
    const policy = writePolicy(tmp.dir, yaml('version: 1', 'audit: { args: true }'));
    const proxy = await connectStdio({ policy, server: 'rec', audit, upstream: [process.execPath, RECORDING] });
    try {
      await proxy.client.callTool({ name: 'write_note', arguments: { path: 'notes/x', text: 'hello', api_key: 'sk-live-abcdefghijklmnop1234', nested: { password: 'hunter2' } } });
      await waitFor(() => auditLines(audit).length >= 1, 2000, 'an audit line');
      const [line] = auditLines(audit);
      assert.deepEqual(line.args, { path: 'notes/x', text: 'hello', api_key: '[masked]', nested: { password: '[masked]' } });
    } finally {
      await proxy.close();
      tmp.cleanup();
    }
  });
});

describe('stdio proxy without a usable policy (fail closed)', () => {
  it('refuses every call with the reason when the policy file is missing, and keeps the session up', async () => {
    const tmp = tempDir();
    const record = join(tmp.dir, 'record.jsonl');
    const missing = join(tmp.dir, 'nope.yaml');
    const proxy = await connectStdio({ policy: missing, server: 'rec', upstream: [process.execPath, RECORDING], env: { RECORD_FILE: record } });
    try {
      const result = await proxy.client.callTool({ name: 'echo', arguments: { message: 'x' } });
      assert.equal(result.isError, true);
      assert.equal(textOf(result), `Blocked by policy: No usable policy: policy file not found: ${missing}. Every tool call is refused until it is fixed (${missing})`);
      // The session is still up: other requests pass through.
      const { tools } = await proxy.client.listTools();
      assert.ok(tools.length > 0);
      await proxy.client.ping();
      assert.deepEqual(recordedCalls(record), []);
      assert.match(proxy.stderr(), /policy file not found/);
    } finally {
      await proxy.close();
      tmp.cleanup();
    }
  });

  it('refuses every call with the first error when the policy is invalid at start', async () => {
    const tmp = tempDir();
    const record = join(tmp.dir, 'record.jsonl');
    const policy = writePolicy(tmp.dir, yaml('version: 1', 'default: maybe'));
    const proxy = await connectStdio({ policy, server: 'rec', upstream: [process.execPath, RECORDING], env: { RECORD_FILE: record } });
    try {
      const result = await proxy.client.callTool({ name: 'echo', arguments: { message: 'x' } });
      assert.equal(result.isError, true);
      assert.match(textOf(result), new RegExp(`^Blocked by policy: The policy has errors: ${escape(policy)}:2:\\d+: .*Every tool call is refused until it is fixed`));
      assert.deepEqual(recordedCalls(record), []);
    } finally {
      await proxy.close();
      tmp.cleanup();
    }
  });
});

describe('stdio proxy with --trust-annotations', () => {
  it('forwards the server\u2019s readOnlyHint as it is, and still hides and denies by the policy', async () => {
    const tmp = tempDir();
    const record = join(tmp.dir, 'record.jsonl');
    const proxy = await connectStdio({ policy: writePolicy(tmp.dir, POLICY), server: 'rec', upstream: [process.execPath, RECORDING], env: { RECORD_FILE: record }, extraArgs: ['--trust-annotations'] });
    try {
      const byName = new Map((await proxy.client.listTools()).tools.map((t) => [t.name, t]));
      assert.equal(byName.get('delete_everything')!.annotations?.readOnlyHint, true);
      assert.equal(byName.has('secret_debug'), false);
      const denied = await proxy.client.callTool({ name: 'secret_debug', arguments: {} });
      assert.equal(denied.isError, true);
      assert.ok(!recordedCalls(record).includes('secret_debug'));
    } finally {
      await proxy.close();
      tmp.cleanup();
    }
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
