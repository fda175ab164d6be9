// The gateway launched by the editor: the approved policy and the servers to serve come over the control
// channel only (the policy file and its launch entries on disk change nothing); the gateway makes its
// own token and reports it with its address in its hello, never on its command line or in its
// environment; the latest `servers` message is the served set. A fake editor plays the control server.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { GatewayHelloMessage, ServedServer } from '../../src/proxy/control-protocol';
import { FakeEditor } from '../proxy/fake-editor';
import { RECORDING, recordedCalls, tempDir, textOf, waitFor, writePolicy, yaml } from '../proxy/helpers';
import { connectServer, fetchRaw, initializeRaw, startGateway, type Gateway } from './helpers';

describe('gateway launched by the editor', () => {
  const tmp = tempDir();
  const editor = new FakeEditor(tmp.dir);
  let gateway: Gateway;
  let policyFile: string;
  const recording = (name: string): ServedServer => ({ name, launch: { command: process.execPath, args: [RECORDING], env: { RECORD_FILE: join(tmp.dir, `${name}.jsonl`) } } });
  const approved = yaml('version: 1', 'default: allow', 'servers:', '  alpha:', '    tools:', '      delete_everything: { action: deny, reason: approved rule }');

  before(async () => {
    // On disk: a policy that denies everything and names a server of its own; the editor approved another text.
    policyFile = writePolicy(tmp.dir, yaml('version: 1', 'default: deny', 'servers:', '  ondisk:', '    launch:', '      command: node', `      args: [${JSON.stringify(RECORDING)}]`, `      env: { RECORD_FILE: ${JSON.stringify(join(tmp.dir, 'ondisk.jsonl'))} }`));
    editor.approved = () => approved;
    editor.servers = [recording('alpha')];
    await editor.listen();
    gateway = await startGateway(['--policy', policyFile, '--listen', '127.0.0.1:0'], editor.env());
  });
  after(async () => {
    await gateway.close();
    await editor.close();
    tmp.cleanup();
  });

  const hello = (): GatewayHelloMessage => editor.of('hello')[0] as unknown as GatewayHelloMessage;

  it('reports its address and a token of its own in its hello, and keeps the token out of its command line and environment', async () => {
    await editor.waitFor('hello');
    const { gateway: identity } = hello();
    assert.equal(identity.url, gateway.url);
    assert.equal(identity.pid, gateway.child.pid);
    assert.equal(identity.policy, policyFile);
    assert.match(identity.token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(gateway.token, '', 'a gateway the editor launched prints no token');
    assert.ok(!gateway.stderr().includes(identity.token), 'the token is not on stderr');
    if (process.platform === 'linux') {
      for (const part of ['cmdline', 'environ']) assert.ok(!readFileSync(`/proc/${gateway.child.pid}/${part}`, 'latin1').includes(identity.token), part);
    }
    assert.equal((await fetchRaw(`${gateway.url}/servers`)).status, 401);
    assert.equal((await fetchRaw(`${gateway.url}/healthz`, { headers: { authorization: `Bearer ${identity.token}` } })).status, 200);
  });

  it('enforces the approved policy and serves the editor’s servers, never the file’s', async () => {
    await editor.waitFor('hello');
    const token = hello().gateway.token;
    const missing = await initializeRaw(gateway, 'ondisk', token);
    assert.equal(missing.status, 404, 'the launch entry on disk is not served');

    const alpha = await connectServer(gateway, 'alpha', token);
    try {
      await alpha.listTools();
      assert.equal(textOf(await alpha.callTool({ name: 'echo', arguments: { message: 'hi' } })), 'Echo: hi', 'the approved text, not the file (default deny), decides');
      assert.match(textOf(await alpha.callTool({ name: 'delete_everything', arguments: {} })), /Blocked by policy: approved rule/);
      // The file changes on disk: nothing the gateway enforces or serves changes.
      writeFileSync(policyFile, yaml('version: 1', 'default: allow', 'servers:', '  alpha:', '    tools:', '      echo: { action: deny }'));
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(textOf(await alpha.callTool({ name: 'echo', arguments: { message: 'again' } })), 'Echo: again');
      assert.deepEqual(recordedCalls(join(tmp.dir, 'alpha.jsonl')), ['echo', 'echo']);

      // What it reports names the server.
      const decision = await editor.waitFor('decision', (d) => d.tool === 'delete_everything');
      assert.equal(decision.server, 'alpha');
      assert.equal(decision.decision, 'deny');
      assert.equal((await editor.waitFor('tools')).server, 'alpha');
      assert.equal((await editor.waitFor('policy', (p) => p.status === 'loaded')).server, 'alpha');

      // A new approved policy applies to the next call.
      editor.sendPolicy(yaml('version: 1', 'default: allow', 'servers:', '  alpha:', '    tools:', '      echo: { action: deny, reason: approved later }'));
      await waitFor(() => gateway.stderr().split('policy loaded').length > 2, 5000, 'the approved policy');
      assert.match(textOf(await alpha.callTool({ name: 'echo', arguments: { message: 'no' } })), /approved later/);
    } finally {
      await alpha.close().catch(() => undefined);
    }
  });

  it('asks the editor for an ask call of a server, and forwards only what it approves', async () => {
    await editor.waitFor('hello');
    const token = hello().gateway.token;
    editor.sendPolicy(yaml('version: 1', 'default: allow', 'servers:', '  alpha:', '    tools:', '      write_note: { action: ask }'));
    await waitFor(() => gateway.stderr().split('policy loaded').length > 3, 5000, 'the ask policy');
    editor.answer = (request) => (request.arguments as { path?: string }).path === 'ok.txt' ? { approved: true } : { approved: false, reason: 'not that one' };
    const alpha = await connectServer(gateway, 'alpha', token);
    try {
      assert.match(textOf(await alpha.callTool({ name: 'write_note', arguments: { path: 'ok.txt', text: 'a' } })), /wrote 1 characters to ok.txt/);
      assert.match(textOf(await alpha.callTool({ name: 'write_note', arguments: { path: 'no.txt', text: 'b' } })), /Blocked by policy: not that one/);
      const asked = editor.of('approval-request').filter((r) => r.tool === 'write_note');
      assert.deepEqual(asked.map((r) => r.server), ['alpha', 'alpha']);
      assert.deepEqual(recordedCalls(join(tmp.dir, 'alpha.jsonl')).filter((c) => c === 'write_note'), ['write_note']);
    } finally {
      await alpha.close();
    }
  });

  it('serves exactly the latest servers message: a server left out gets 404 and its open sessions end', async () => {
    await editor.waitFor('hello');
    const token = hello().gateway.token;
    const alpha = await connectServer(gateway, 'alpha', token);
    await alpha.listTools();
    editor.sendServers([recording('beta')]);
    await waitFor(() => /\[alpha\] no longer served/.test(gateway.stderr()), 5000, 'alpha to be dropped');
    await assert.rejects(alpha.callTool({ name: 'echo', arguments: { message: 'gone' } }));
    const gone = await initializeRaw(gateway, 'alpha', token);
    assert.equal(gone.status, 404);
    assert.deepEqual((JSON.parse(gone.body) as { error: { data: { servers: string[] } } }).error.data.servers, ['beta']);

    const beta = await connectServer(gateway, 'beta', token);
    try {
      assert.equal(textOf(await beta.callTool({ name: 'echo', arguments: { message: 'b' } })), 'Echo: b');
    } finally {
      await beta.close();
      await alpha.close().catch(() => undefined);
    }
    // An entry the gateway cannot use is not served, and it says why; the rest are.
    editor.sendServers([recording('beta'), { name: 'nothing', launch: {} as ServedServer['launch'] }]);
    await editor.waitFor('log', (m) => m.server === 'nothing' && /neither a command nor a url/.test(m.message));
    assert.equal((await initializeRaw(gateway, 'nothing', token)).status, 404);
  });
});
