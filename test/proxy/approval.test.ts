// Approval of `ask` calls: through the editor's control channel when one is connected, else (the
// standalone CLI only) through MCP elicitation to the agent's client, else denied. An approval lets that
// one call through. A proxy the editor launched never elicits.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ElicitRequestSchema, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { FakeEditor } from './fake-editor';
import { auditLines, connectStdio, RECORDING, recorded, tempDir, textOf, waitFor, writePolicy, yaml, type Connected } from './helpers';

const POLICY = yaml(
  'version: 1',
  'servers:',
  '  rec:',
  '    tools:',
  '      write_note:',
  '        action: ask',
  '        reason: Notes are written to disk',
);

async function withProxy(
  options: { elicitation: boolean; env?: Record<string, string>; extraArgs?: string[] },
  body: (proxy: Connected, record: string, audit: string) => Promise<void>,
): Promise<void> {
  const tmp = tempDir();
  const record = join(tmp.dir, 'record.jsonl');
  const audit = join(tmp.dir, 'audit.jsonl');
  const policy = writePolicy(tmp.dir, POLICY);
  const proxy = await connectStdio(
    { policy, server: 'rec', audit, upstream: [process.execPath, RECORDING], env: { RECORD_FILE: record, ...options.env }, extraArgs: options.extraArgs },
    options.elicitation ? { elicitation: {} } : {},
  );
  try {
    await body(proxy, record, audit);
  } finally {
    await proxy.close();
    tmp.cleanup();
  }
}

const notesWritten = (record: string): unknown[] => recorded(record).filter((m) => m.params?.name === 'write_note').map((m) => m.params!.arguments);

describe('approval through elicitation', () => {
  it('forwards the call when the user accepts, showing server, tool, risk and arguments', async () => {
    await withProxy({ elicitation: true }, async (proxy, record, audit) => {
      const prompts: string[] = [];
      proxy.client.setRequestHandler(ElicitRequestSchema, async (request) => {
        prompts.push(request.params.message);
        return { action: 'accept', content: {} } satisfies ElicitResult;
      });
      await proxy.client.listTools(); // as clients do: the proxy learns the tools' annotations from it
      const result = await proxy.client.callTool({ name: 'write_note', arguments: { path: 'notes/a', text: 'hi' } });
      assert.equal(textOf(result), 'wrote 2 characters to notes/a');
      assert.deepEqual(notesWritten(record), [{ path: 'notes/a', text: 'hi' }]);
      assert.equal(prompts.length, 1);
      assert.match(prompts[0], /tool `write_note` of server `rec`/);
      assert.match(prompts[0], /Risk: write, high risk \(from annotations\)/);
      assert.match(prompts[0], /Notes are written to disk/);
      assert.match(prompts[0], /"path": "notes\/a"/);
      // Each call is asked for: an approval does not carry over to the next call.
      await proxy.client.callTool({ name: 'write_note', arguments: { path: 'notes/b', text: 'again' } });
      assert.equal(prompts.length, 2);
      await waitFor(() => auditLines(audit).length === 2, 2000, 'two audit lines');
      assert.deepEqual(auditLines(audit)[0].approval, { by: 'elicitation', answer: 'accept' });
      assert.equal(auditLines(audit)[0].policy, 'ask');
      assert.equal(auditLines(audit)[0].decision, 'allow');
    });
  });

  it('denies the call when the user declines or cancels', async () => {
    await withProxy({ elicitation: true }, async (proxy, record) => {
      const answers: ElicitResult['action'][] = ['decline', 'cancel'];
      proxy.client.setRequestHandler(ElicitRequestSchema, async () => ({ action: answers.shift()! }));
      const declined = await proxy.client.callTool({ name: 'write_note', arguments: { path: 'notes/a' } });
      assert.equal(declined.isError, true);
      assert.match(textOf(declined), /^Blocked by policy: the user declined the call \(.*policy\.yaml:5\)$/);
      const cancelled = await proxy.client.callTool({ name: 'write_note', arguments: { path: 'notes/a' } });
      assert.match(textOf(cancelled), /^Blocked by policy: the user cancelled the approval/);
      assert.deepEqual(notesWritten(record), []);
    });
  });

  it('denies the call when nobody answers in time', async () => {
    await withProxy({ elicitation: true, extraArgs: ['--approval-timeout', '0.3'] }, async (proxy, record, audit) => {
      proxy.client.setRequestHandler(ElicitRequestSchema, () => new Promise<ElicitResult>(() => undefined));
      const started = Date.now();
      const result = await proxy.client.callTool({ name: 'write_note', arguments: { path: 'notes/a' } });
      assert.ok(Date.now() - started >= 290);
      assert.match(textOf(result), /^Blocked by policy: approval timed out after 0\.3 s/);
      assert.deepEqual(notesWritten(record), []);
      await waitFor(() => auditLines(audit).length === 1, 2000, 'the audit line');
      assert.deepEqual(auditLines(audit)[0].approval, { by: 'elicitation', answer: 'timeout' });
    });
  });
});

describe('approval with no approver', () => {
  it('denies: approval required but no approver is connected', async () => {
    await withProxy({ elicitation: false }, async (proxy, record) => {
      const result = await proxy.client.callTool({ name: 'write_note', arguments: { path: 'notes/a' } });
      assert.equal(result.isError, true);
      assert.match(textOf(result), /^Blocked by policy: approval required but no approver is connected \(.*policy\.yaml:5\)$/);
      assert.deepEqual(notesWritten(record), []);
    });
  });
});

describe('approval through the editor (control channel)', () => {
  it('asks the editor first, and forwards or blocks by its answer', async () => {
    const tmp = tempDir();
    const editor = new FakeEditor(tmp.dir);
    await editor.listen();
    try {
      await withProxy({ elicitation: true, env: editor.env() }, async (proxy, record) => {
        proxy.client.setRequestHandler(ElicitRequestSchema, async () => {
          throw new Error('elicitation must not be used while the editor is connected');
        });
        await editor.waitFor('policy');
        editor.answer = (request) => (request.arguments as { path: string }).path === 'notes/ok' ? { approved: true } : { approved: false, reason: 'Not that file' };
        const ok = await proxy.client.callTool({ name: 'write_note', arguments: { path: 'notes/ok' } });
        assert.equal(textOf(ok), 'wrote 0 characters to notes/ok');
        const no = await proxy.client.callTool({ name: 'write_note', arguments: { path: 'notes/no' } });
        assert.match(textOf(no), /^Blocked by policy: Not that file \(/);
        assert.deepEqual(notesWritten(record), [{ path: 'notes/ok' }]);
        const [request] = editor.of('approval-request');
        assert.equal(request.server, 'rec');
        assert.equal(request.tool, 'write_note');
        assert.equal(request.risk.category, 'write');
        assert.equal(request.reason, 'Notes are written to disk');
        assert.equal(request.line, 5);
        assert.equal(request.timeoutMs, 60_000);
      });
    } finally {
      await editor.close();
      tmp.cleanup();
    }
  });

  it('sends the proxy\u2019s own log lines to the editor as well', async () => {
    const tmp = tempDir();
    const editor = new FakeEditor(tmp.dir);
    await editor.listen();
    try {
      await withProxy({ elicitation: true, env: editor.env() }, async (proxy) => {
        await editor.waitFor('policy');
        await proxy.transport.send({ jsonrpc: '2.0', id: 'no-such-request', result: {} });
        await editor.waitFor('log');
        const [line] = editor.of('log');
        assert.equal(line.server, 'rec');
        assert.equal(line.level, 'warn');
        assert.match(line.message, /dropped a client response to an unknown request id "no-such-request"/);
      });
    } finally {
      await editor.close();
      tmp.cleanup();
    }
  });

  // Was: fell back to the policy file and elicitation. A proxy the editor launched enforces only what the editor sends.
  it('refuses every call, never eliciting nor reading the file, when the editor refuses the ticket', async () => {
    const tmp = tempDir();
    const editor = new FakeEditor(tmp.dir);
    await editor.listen();
    try {
      await withProxy({ elicitation: true, env: editor.env('wrong-ticket') }, async (proxy, record, audit) => {
        let elicited = 0;
        proxy.client.setRequestHandler(ElicitRequestSchema, async () => {
          elicited++;
          return { action: 'accept', content: {} };
        });
        await editor.waitFor('hello');
        await waitFor(() => /the editor refused this proxy: unknown ticket/.test(proxy.stderr()), 3000, 'the refusal');
        const result = await proxy.client.callTool({ name: 'write_note', arguments: { path: 'notes/x' } });
        assert.equal(result.isError, true);
        assert.match(textOf(result), /^Blocked by policy: No approved policy: the control channel to the editor that launched this proxy cannot be used \(the editor refused it: unknown ticket\)/);
        assert.equal(elicited, 0);
        assert.equal(editor.of('approval-request').length, 0);
        assert.equal(notesWritten(record).length, 0);
        await waitFor(() => auditLines(audit).length > 0, 2000, 'the audit line');
        assert.deepEqual(auditLines(audit).map((l) => [l.tool, l.decision]), [['write_note', 'deny']]);
      });
    } finally {
      await editor.close();
      tmp.cleanup();
    }
  });
});
