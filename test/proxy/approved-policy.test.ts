// A proxy the editor launched enforces only the policy the editor sends (the last one a person approved):
// the file on disk is never read, a `policy` message applies to the next call within 250 ms, and until
// a policy arrives every call is refused. `ask` is approved in the editor only (never by elicitation).
// Calls name their chat conversation: `scope: session` limits count per conversation, and the audit log
// and the editor's decisions record it. Tools the policy asks about or denies are forwarded read-only.
// Real proxy (dist/cli.js), the recording fixture server and a fake editor on the control channel.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ElicitRequestSchema, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { FakeEditor } from './fake-editor';
import { auditLines, connectStdio, RECORDING, recordedCalls, requireBundle, tempDir, textOf, waitFor, writePolicy, yaml, type Connected } from './helpers';

const ALLOW_ECHO = yaml('version: 1', 'servers:', '  rec:', '    tools:', '      echo: { action: allow }', '      write_note: { action: ask }');
const DENY_ECHO = yaml('version: 1', 'servers:', '  rec:', '    tools:', '      echo: { action: deny, reason: Echo is off }', '      write_note: { action: ask }');
const INVALID = yaml('version: 1', 'servers:', '  rec:', '    tools:', '      echo: { action: perhaps }');

interface Setup {
  tmp: ReturnType<typeof tempDir>;
  editor: FakeEditor;
  proxy: Connected;
  policy: string;
  record: string;
  audit: string;
  close(): Promise<void>;
}

/** A proxy launched as the editor launches it, in front of the recording server. */
async function launch(options: { file?: string; approved?: (file: string) => string | undefined; elicitation?: boolean } = {}): Promise<Setup> {
  const tmp = tempDir();
  const editor = new FakeEditor(tmp.dir);
  if (options.approved) editor.approved = options.approved;
  await editor.listen();
  const record = join(tmp.dir, 'record.jsonl');
  const audit = join(tmp.dir, 'audit.jsonl');
  const policy = options.file === undefined ? join(tmp.dir, 'policy.yaml') : writePolicy(tmp.dir, options.file);
  const proxy = await connectStdio(
    { policy, server: 'rec', audit, upstream: [process.execPath, RECORDING], env: { RECORD_FILE: record, ...editor.env() } },
    options.elicitation ? { elicitation: {} } : {},
  );
  return {
    tmp,
    editor,
    proxy,
    policy,
    record,
    audit,
    close: async () => {
      await proxy.close();
      await editor.close();
      tmp.cleanup();
    },
  };
}

async function echo(proxy: Connected, meta?: Record<string, unknown>): Promise<{ isError: boolean; text: string }> {
  const result = await proxy.client.callTool({ name: 'echo', arguments: { message: 'x' }, ...(meta ? { _meta: meta } : {}) });
  return { isError: result.isError === true, text: textOf(result) };
}

/** Calls `call` until `done` says its result is the awaited one; the time from `since` to that result. */
async function untilChanged<T>(since: number, call: () => Promise<T>, done: (result: T) => boolean): Promise<{ result: T; ms: number }> {
  while (performance.now() - since < 3000) {
    const result = await call();
    if (done(result)) return { result, ms: performance.now() - since };
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('the change never applied');
}

before(() => requireBundle());

describe('a proxy the editor launched: the approved policy only', () => {
  it('enforces the text the editor sends, even with no policy file at all, and never reads the file', async () => {
    // The policy file does not exist: only the editor's text can decide.
    const setup = await launch({ approved: () => ALLOW_ECHO });
    try {
      assert.deepEqual(await echo(setup.proxy), { isError: false, text: 'Echo: x' });
      const loaded = await setup.editor.waitFor('policy', (m) => m.status === 'loaded');
      assert.equal(loaded.file, setup.policy);
      assert.deepEqual(recordedCalls(setup.record), ['echo']);
    } finally {
      await setup.close();
    }
  });

  it('an edit of the file on disk (rewritten, made invalid, deleted) changes nothing it enforces', async () => {
    const setup = await launch({ file: DENY_ECHO, approved: () => DENY_ECHO });
    try {
      const first = await echo(setup.proxy);
      assert.equal(first.isError, true);
      assert.match(first.text, /^Blocked by policy: Echo is off/);
      // The agent loosens the file: the approved policy still denies.
      writeFileSync(setup.policy, ALLOW_ECHO);
      await new Promise((r) => setTimeout(r, 400));
      assert.match((await echo(setup.proxy)).text, /^Blocked by policy: Echo is off/);
      writeFileSync(setup.policy, INVALID);
      await new Promise((r) => setTimeout(r, 200));
      assert.match((await echo(setup.proxy)).text, /^Blocked by policy: Echo is off/);
      rmSync(setup.policy);
      await new Promise((r) => setTimeout(r, 200));
      assert.match((await echo(setup.proxy)).text, /^Blocked by policy: Echo is off/);
      assert.deepEqual(recordedCalls(setup.record), [], 'the server never saw echo');
      // The proxy reported the editor's policy once, and nothing about the file's changes.
      assert.deepEqual(setup.editor.of('policy').map((m) => m.status), ['loaded']);
      assert.doesNotMatch(setup.proxy.stderr(), /policy has errors|policy file is missing|policy file not found/);
      await waitFor(() => auditLines(setup.audit).length >= 4, 2000, 'the audit lines');
      assert.deepEqual(auditLines(setup.audit).map((l) => [l.tool, l.decision]), [['echo', 'deny'], ['echo', 'deny'], ['echo', 'deny'], ['echo', 'deny']]);
    } finally {
      await setup.close();
    }
  });

  it('a policy message applies to the next call within 250 ms, both ways; an invalid one keeps the approved policy', async (t) => {
    const setup = await launch({ file: ALLOW_ECHO });
    try {
      assert.equal((await echo(setup.proxy)).isError, false);
      await setup.proxy.client.listTools();
      await setup.editor.waitFor('tools');

      let sent = performance.now();
      setup.editor.sendPolicy(DENY_ECHO);
      const tightened = await untilChanged(sent, () => echo(setup.proxy), (r) => r.isError);
      assert.ok(tightened.ms <= 250, `the tightening applied after ${tightened.ms.toFixed(0)} ms`);
      t.diagnostic(`a tightening applied to the first call ${tightened.ms.toFixed(1)} ms after the editor sent it`);
      assert.match(tightened.result.text, /^Blocked by policy: Echo is off \(.*policy\.yaml:5\)$/);
      const deniedSince = recordedCalls(setup.record).length;

      setup.editor.sendPolicy(INVALID);
      const invalid = await setup.editor.waitFor('policy', (m) => m.status === 'invalid');
      assert.equal(invalid.keptLastGood, true);
      assert.equal(invalid.diagnostics?.[0]?.line, 5);
      assert.match((await echo(setup.proxy)).text, /^Blocked by policy: Echo is off/);
      assert.equal(recordedCalls(setup.record).length, deniedSince, 'no call reached the server while echo was denied');

      sent = performance.now();
      setup.editor.sendPolicy(ALLOW_ECHO);
      const loosened = await untilChanged(sent, () => echo(setup.proxy), (r) => !r.isError);
      assert.ok(loosened.ms <= 250, `the approved loosening applied after ${loosened.ms.toFixed(0)} ms`);
      t.diagnostic(`an approved loosening applied to the first call ${loosened.ms.toFixed(1)} ms after the editor sent it`);
      assert.equal(loosened.result.text, 'Echo: x');

      // A policy message that is not one (no text) is ignored and said so.
      setup.editor.sendLine(JSON.stringify({ type: 'policy', text: 42 }));
      await waitFor(() => /ignored a policy message without a text/.test(setup.proxy.stderr()), 2000, 'the note');
      assert.equal((await echo(setup.proxy)).isError, false);
    } finally {
      await setup.close();
    }
  });

  it('before the first policy every call is refused with the reason, and the first one applies', async () => {
    // This editor has no approved policy for the file yet: its welcome carries none.
    const setup = await launch({ file: ALLOW_ECHO, approved: () => undefined });
    try {
      const refused = await echo(setup.proxy);
      assert.equal(refused.isError, true);
      assert.match(refused.text, /^Blocked by policy: No approved policy: the editor has no approved policy for .*policy\.yaml\. Every tool call is refused/);
      const missing = await setup.editor.waitFor('policy', (m) => m.status === 'missing');
      assert.equal(missing.keptLastGood, false);
      assert.match(missing.diagnostics?.[0]?.message ?? '', /the editor has no approved policy/);
      assert.deepEqual(recordedCalls(setup.record), []);
      await waitFor(() => auditLines(setup.audit).length > 0, 2000, 'the audit line');
      const line = auditLines(setup.audit)[0];
      assert.deepEqual([line.tool, line.decision, line.policy], ['echo', 'deny', 'deny']);

      const sent = performance.now();
      setup.editor.sendPolicy(ALLOW_ECHO);
      const applied = await untilChanged(sent, () => echo(setup.proxy), (r) => !r.isError);
      assert.ok(applied.ms <= 250, `the first policy applied after ${applied.ms.toFixed(0)} ms`);
      assert.deepEqual(recordedCalls(setup.record), ['echo']);
    } finally {
      await setup.close();
    }
  });

  it('keeps rate-limit windows across a policy message, as across a reload', async () => {
    const limited = (note: string): string => yaml('version: 1', `# ${note}`, 'servers:', '  rec:', '    tools:', '      echo: { action: allow, rate_limit: { max: 2, window: 1m } }');
    const setup = await launch({ file: limited('one') });
    try {
      assert.equal((await echo(setup.proxy)).isError, false);
      assert.equal((await echo(setup.proxy)).isError, false);
      setup.editor.sendPolicy(limited('two'));
      await waitFor(() => setup.editor.of('policy').filter((m) => m.status === 'loaded').length >= 2, 2000, 'the second policy');
      const third = await echo(setup.proxy);
      assert.equal(third.isError, true);
      assert.match(third.text, /Rate limit of 2 calls per 1m reached/);
      assert.deepEqual(recordedCalls(setup.record), ['echo', 'echo']);
    } finally {
      await setup.close();
    }
  });
});

describe('a proxy the editor launched: approvals in the editor only', () => {
  it('never elicits: with the editor connected it asks the editor; with it gone, ask is refused with the reason', async () => {
    const setup = await launch({ file: ALLOW_ECHO, elicitation: true });
    try {
      let elicited = 0;
      setup.proxy.client.setRequestHandler(ElicitRequestSchema, async () => {
        elicited++;
        return { action: 'accept', content: {} } satisfies ElicitResult;
      });
      await setup.editor.waitFor('policy', (m) => m.status === 'loaded');
      const asked = await setup.proxy.client.callTool({ name: 'write_note', arguments: { path: 'notes/a' } });
      assert.equal(textOf(asked), 'wrote 0 characters to notes/a');
      assert.equal(setup.editor.of('approval-request').length, 1);

      // The editor goes away: the proxy keeps the approved policy, and an ask is refused, not elicited.
      await setup.editor.close();
      await waitFor(() => /the editor disconnected; reconnecting/.test(setup.proxy.stderr()), 3000, 'the disconnection');
      const refused = await setup.proxy.client.callTool({ name: 'write_note', arguments: { path: 'notes/b' } });
      assert.equal(refused.isError, true);
      assert.match(textOf(refused), /^Blocked by policy: approval required, but Warden's approver in the editor is not connected/);
      assert.equal(elicited, 0);
      assert.deepEqual(recordedCalls(setup.record), ['write_note']);
      await waitFor(() => auditLines(setup.audit).length >= 2, 2000, 'the audit lines');
      const last = auditLines(setup.audit).at(-1)!;
      assert.deepEqual([last.tool, last.decision, last.policy, last.approval], ['write_note', 'deny', 'ask', { by: 'none', answer: 'none' }]);
      assert.equal((await echo(setup.proxy)).isError, false, 'the approved policy still holds');
    } finally {
      await setup.close();
    }
  });
});

describe('calls name their conversation', () => {
  const POLICY = yaml(
    'version: 1',
    'servers:',
    '  rec:',
    '    tools:',
    '      echo: { action: allow, rate_limit: { max: 2, window: 1m, scope: session } }',
    '      write_note: { action: ask }',
  );
  const TRACE = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  const meta = (conversation: unknown, request = 'request-1'): Record<string, unknown> => ({ 'vscode.conversationId': conversation, 'vscode.requestId': request, traceparent: TRACE });
  let setup: Setup;
  before(async () => (setup = await launch({ file: POLICY })));
  after(() => setup.close());

  it('counts scope: session limits per conversation, and per connection for calls that name none', async () => {
    assert.equal((await echo(setup.proxy, meta('conv-a'))).isError, false);
    assert.equal((await echo(setup.proxy, meta('conv-a'))).isError, false);
    const third = await echo(setup.proxy, meta('conv-a'));
    assert.equal(third.isError, true);
    assert.match(third.text, /Rate limit of 2 calls per 1m reached in this session/);
    // Another conversation on the same connection has a window of its own.
    assert.equal((await echo(setup.proxy, meta('conv-b'))).isError, false);
    // No conversation (or one that is not a short visible string): the connection's own window.
    assert.equal((await echo(setup.proxy)).isError, false);
    assert.equal((await echo(setup.proxy, meta('x'.repeat(257)))).isError, false);
    assert.equal((await echo(setup.proxy, meta('bad\nid'))).isError, true, 'the third call of the connection window');
    assert.equal(recordedCalls(setup.record).filter((n) => n === 'echo').length, 5);
  });

  it('records conversation, request and traceparent in the audit line and the decision message', async () => {
    await waitFor(() => setup.editor.of('decision').length >= 7 && auditLines(setup.audit).length >= 7, 2000, 'the decisions');
    const lines = auditLines(setup.audit);
    assert.deepEqual(
      lines.slice(0, 7).map((l) => [l.conversation ?? null, l.decision]),
      [['conv-a', 'allow'], ['conv-a', 'allow'], ['conv-a', 'deny'], ['conv-b', 'allow'], [null, 'allow'], [null, 'allow'], [null, 'deny']],
    );
    assert.equal(lines[0].request, 'request-1');
    assert.equal(lines[0].traceparent, TRACE);
    assert.equal('request' in lines[4], false);
    assert.equal('conversation' in lines[5], false, 'an id over 256 characters is not recorded');
    const decisions = setup.editor.of('decision');
    assert.deepEqual(
      decisions.slice(0, 7).map((d) => d.conversation ?? null),
      ['conv-a', 'conv-a', 'conv-a', 'conv-b', null, null, null],
    );
    assert.equal(decisions[0].request, 'request-1');
    assert.equal(decisions[0].traceparent, TRACE);
    // The session is still the connection's.
    assert.equal(decisions[0].session, decisions[4].session);
  });

  it('names the conversation in the approval request', async () => {
    await setup.proxy.client.callTool({ name: 'write_note', arguments: { path: 'n' }, _meta: meta('conv-c', 'request-9') });
    const request = await setup.editor.waitFor('approval-request');
    assert.equal(request.conversation, 'conv-c');
    assert.equal(request.request, 'request-9');
  });
});

describe('the annotations a proxy forwards', () => {
  it('marks ask and deny tools read-only (Warden asks or blocks), and leaves the others as before', async () => {
    const policy = yaml(
      'version: 1',
      'default: allow',
      'servers:',
      '  rec:',
      '    tools:',
      '      write_note: { action: ask }',
      '      delete_everything: { action: deny }',
      '      secret_debug: { hide: true }',
      '      crash: { action: ask }',
    );
    const setup = await launch({ file: policy });
    try {
      const tools = new Map((await setup.proxy.client.listTools()).tools.map((t) => [t.name, t.annotations]));
      // ask: VS Code would ask first, then Warden: one prompt, Warden's.
      assert.deepEqual(tools.get('write_note'), { readOnlyHint: true, destructiveHint: false });
      assert.deepEqual(tools.get('crash'), { readOnlyHint: true });
      // deny: Warden blocks it; asking the user first is pointless.
      assert.deepEqual(tools.get('delete_everything'), { readOnlyHint: true });
      assert.equal(tools.has('secret_debug'), false);
      // allow: a read tool keeps the server's hint; a tool that is not read loses it (as before).
      assert.deepEqual(tools.get('echo'), { readOnlyHint: true });

      // A policy that moves a tool to ask changes what the client sees: it is told to list again.
      setup.editor.sendPolicy(yaml('version: 1', 'default: allow', 'servers:', '  rec:', '    tools:', '      add: { action: ask }'));
      await waitFor(() => setup.editor.of('tools').some((m) => m.tools.find((t) => t.name === 'add')?.decision === 'ask'), 2000, 'the new report');
      const after = new Map((await setup.proxy.client.listTools()).tools.map((t) => [t.name, t.annotations]));
      assert.deepEqual(after.get('add'), { readOnlyHint: true });
      assert.deepEqual(after.get('write_note'), { readOnlyHint: false, destructiveHint: false });
    } finally {
      await setup.close();
    }
  });
});
