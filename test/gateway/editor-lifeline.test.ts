// A gateway the editor launched ends with the editor: the editor holds the write end of the gateway's
// stdin, a pipe that closes however the editor's process ends (a crash or SIGKILL included). Without
// this, a gateway and every server it started ran on after the editor was gone, with nobody left to
// answer its approvals or stop it. A gateway whose stdin is no pipe (run by a person, or with stdin from
// /dev/null) does not watch it.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CONTROL_TICKET_ENV, type GatewayHelloMessage, type ServedServer } from '../../src/proxy/control-protocol';
import { FakeEditor } from '../proxy/fake-editor';
import { CLI, isAlive, RECORDING, requireBundle, stopChild, tempDir, textOf, waitFor, writePolicy, yaml } from '../proxy/helpers';
import { connectServer } from './helpers';

/** The gateway as the editor starts it: its stdin a pipe this test holds (or /dev/null), stderr read. */
function launch(env: Record<string, string>, policyFile: string, stdin: 'pipe' | 'ignore'): { child: ChildProcess; stderr: () => string } {
  requireBundle();
  const child = spawn(process.execPath, [CLI, 'gateway', '--policy', policyFile, '--listen', '127.0.0.1:0'], { stdio: [stdin, 'ignore', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { child, stderr: () => stderr };
}

/** The pids of a process's children (Linux). */
function childrenOf(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('a gateway launched by the editor ends with the editor', { skip: process.platform !== 'linux' && 'reads /proc' }, () => {
  const tmp = tempDir();
  let policyFile: string;
  const recording = (name: string): ServedServer => ({ name, launch: { command: process.execPath, args: [RECORDING], env: { RECORD_FILE: join(tmp.dir, `${name}.jsonl`) } } });

  before(() => {
    policyFile = writePolicy(tmp.dir, yaml('version: 1', 'default: allow'));
  });
  after(() => tmp.cleanup());

  /** A gateway welcomed by a fake editor, serving one server with a live session (so it has a child). */
  async function running(stdin: 'pipe' | 'ignore', name: string, ticketOnStdin = false) {
    const dir = join(tmp.dir, name);
    mkdirSync(dir);
    const editor = new FakeEditor(dir);
    editor.approved = () => yaml('version: 1', 'default: allow');
    editor.servers = [recording(name)];
    await editor.listen();
    const { [CONTROL_TICKET_ENV]: ticket, ...socketOnly } = editor.env();
    const gateway = launch(ticketOnStdin ? socketOnly : editor.env(), policyFile, stdin);
    if (ticketOnStdin) gateway.child.stdin!.write(`${ticket}\n`);
    const hello = (await editor.waitFor('hello')) as unknown as GatewayHelloMessage;
    await editor.waitFor('policy', (p) => p.server === name);
    const client = await connectServer({ url: hello.gateway.url }, name, hello.gateway.token);
    assert.equal(textOf(await client.callTool({ name: 'echo', arguments: { message: 'hi' } })), 'Echo: hi');
    const servers = childrenOf(gateway.child.pid!);
    assert.equal(servers.length, 1, 'one server started for the session');
    return { editor, gateway, client, server: servers[0] };
  }

  for (const ticketOnStdin of [false, true]) {
    it(`ends, with its servers, when the pipe the editor held closes (its ticket ${ticketOnStdin ? 'on that pipe' : 'in its environment'})`, async () => {
      const { editor, gateway, client, server } = await running('pipe', ticketOnStdin ? 'gamma' : 'alpha', ticketOnStdin);
      try {
        // The editor's process is gone: the write end of the pipe closes with it.
        gateway.child.stdin!.destroy();
        const code = await Promise.race([exited(gateway.child), new Promise<'running'>((r) => setTimeout(() => r('running'), 10_000))]);
        assert.notEqual(code, 'running', `the gateway still runs after its editor is gone:\n${gateway.stderr()}`);
        await waitFor(() => !isAlive(server), 5000, 'its server to end');
        assert.match(gateway.stderr(), /the editor that launched the gateway is gone/);
      } finally {
        await client.close().catch(() => undefined);
        await stopChild(gateway.child);
        await editor.close();
      }
    });
  }

  it('ends when the editor is gone before it sent the ticket (nothing could ever admit it)', async () => {
    const dir = join(tmp.dir, 'early');
    mkdirSync(dir);
    const editor = new FakeEditor(dir);
    await editor.listen();
    const { [CONTROL_TICKET_ENV]: _ticket, ...socketOnly } = editor.env();
    const gateway = launch(socketOnly, policyFile, 'pipe');
    try {
      gateway.child.stdin!.destroy();
      const code = await Promise.race([exited(gateway.child), new Promise<'running'>((r) => setTimeout(() => r('running'), 10_000))]);
      assert.notEqual(code, 'running', `the gateway still runs:\n${gateway.stderr()}`);
      assert.match(gateway.stderr(), /stdin closed before a ticket came/);
      assert.deepEqual(editor.of('hello'), [], 'it never spoke to the editor');
    } finally {
      await stopChild(gateway.child);
      await editor.close();
    }
  });

  it('keeps running when its stdin is no pipe (nothing to watch)', async () => {
    const { editor, gateway, client } = await running('ignore', 'beta');
    try {
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(gateway.child.exitCode, null, gateway.stderr());
      assert.equal(textOf(await client.callTool({ name: 'echo', arguments: { message: 'still' } })), 'Echo: still');
    } finally {
      await client.close().catch(() => undefined);
      await stopChild(gateway.child);
      await editor.close();
    }
  });
});
