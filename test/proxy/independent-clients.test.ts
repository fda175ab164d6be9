// Clients and servers Warden did not write: the MCP Inspector's command line as the client (over
// stdio and over Streamable HTTP), and server-filesystem as the server.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { connectStdio, EVERYTHING, FILESYSTEM, proxyArgs, ROOT, startHttpProxy, tempDir, textOf, writePolicy, yaml } from './helpers';
import { authenticatingForwarder } from './http-forwarder';

const run = promisify(execFile);
const INSPECTOR = join(ROOT, 'node_modules/@modelcontextprotocol/inspector/cli/build/cli.js');

const POLICY = yaml(
  'version: 1',
  'servers:',
  '  everything:',
  '    tools:',
  '      get-env: { action: deny, reason: It prints the environment }',
  '      get-tiny-image: { hide: true }',
  '  files:',
  '    tools:',
  '      write_file: { action: deny, reason: Read-only workspace }',
  '      move_file: { hide: true }',
);

async function inspector(...args: string[]): Promise<unknown> {
  const { stdout } = await run(process.execPath, [INSPECTOR, '--cli', ...args], { cwd: ROOT, timeout: 60_000 });
  return JSON.parse(stdout);
}

describe('the MCP Inspector CLI as the client', () => {
  it('calls through the proxy over stdio: allowed, denied and hidden', async () => {
    const tmp = tempDir();
    try {
      const policy = writePolicy(tmp.dir, POLICY);
      // The inspector takes a command and its arguments; a script keeps the proxy's own `--` out of its way.
      const script = join(tmp.dir, 'warden.sh');
      const command = [process.execPath, ...proxyArgs({ policy, server: 'everything', upstream: [process.execPath, EVERYTHING, 'stdio'] })];
      writeFileSync(script, `#!/bin/sh\nexec ${command.map((a) => `'${a}'`).join(' ')}\n`);
      chmodSync(script, 0o755);

      const echo = await inspector(script, '--method', 'tools/call', '--tool-name', 'echo', '--tool-arg', 'message=inspected');
      assert.equal(textOf(echo), 'Echo: inspected');
      const denied = (await inspector(script, '--method', 'tools/call', '--tool-name', 'get-env')) as { isError?: boolean };
      assert.equal(denied.isError, true);
      assert.match(textOf(denied), /^Blocked by policy: It prints the environment/);
      const listed = (await inspector(script, '--method', 'tools/list')) as { tools: { name: string }[] };
      assert.ok(listed.tools.some((t) => t.name === 'echo'));
      assert.ok(!listed.tools.some((t) => t.name === 'get-tiny-image'));
    } finally {
      tmp.cleanup();
    }
  });

  it('calls through the proxy over Streamable HTTP', async () => {
    const tmp = tempDir();
    const policy = writePolicy(tmp.dir, POLICY);
    const proxy = await startHttpProxy({ policy, server: 'everything', upstream: [process.execPath, EVERYTHING, 'stdio'] });
    // This version of the Inspector's command line cannot send headers: the forwarder adds the proxy's token.
    const forwarder = await authenticatingForwarder(proxy);
    try {
      const url = forwarder.url.href;
      const echo = await inspector(url, '--transport', 'http', '--method', 'tools/call', '--tool-name', 'echo', '--tool-arg', 'message=over-http');
      assert.equal(textOf(echo), 'Echo: over-http');
      const denied = await inspector(url, '--transport', 'http', '--method', 'tools/call', '--tool-name', 'get-env');
      assert.match(textOf(denied), /^Blocked by policy: It prints the environment/);
    } finally {
      await forwarder.close();
      await proxy.close();
      tmp.cleanup();
    }
  });
});

describe('server-filesystem behind the proxy', () => {
  it('reads, refuses writes (the file is never created) and hides moves', async () => {
    const tmp = tempDir();
    const root = join(tmp.dir, 'files');
    mkdirSync(root);
    writeFileSync(join(root, 'hello.txt'), 'hello from disk');
    const policy = writePolicy(tmp.dir, POLICY);
    const proxy = await connectStdio({ policy, server: 'files', upstream: [process.execPath, FILESYSTEM, root] });
    try {
      const read = await proxy.client.callTool({ name: 'read_text_file', arguments: { path: join(root, 'hello.txt') } });
      assert.equal(textOf(read), 'hello from disk');
      const write = await proxy.client.callTool({ name: 'write_file', arguments: { path: join(root, 'new.txt'), content: 'x' } });
      assert.equal(write.isError, true);
      assert.match(textOf(write), /^Blocked by policy: Read-only workspace/);
      assert.equal(existsSync(join(root, 'new.txt')), false);
      const { tools } = await proxy.client.listTools();
      const byName = new Map(tools.map((t) => [t.name, t]));
      assert.ok(!byName.has('move_file'));
      assert.equal(byName.get('read_text_file')?.annotations?.readOnlyHint, true);
      // Denied: marked read-only, since Warden blocks it (the client need not ask first).
      assert.equal(byName.get('write_file')?.annotations?.readOnlyHint, true);
      // Allowed and not a read tool: never marked read-only.
      assert.notEqual(byName.get('edit_file')?.annotations?.readOnlyHint, true);
    } finally {
      await proxy.close();
      tmp.cleanup();
    }
  });
});
