// A protected server's environment is partly outside any approval: its `envFile` is a workspace file the
// agent may rewrite without a prompt (a launch entry is approved as written, not the files it names). What
// that file sets is the server's business, but it must never reach Warden's own process: an envFile with
// NODE_OPTIONS=--require … (or LD_PRELOAD) would otherwise run the agent's code inside the proxy that decides
// the server's calls. The proxy is launched as the editor launches it in a window with one proxy per
// server (proxyInvocation, with the envFile's variables); the gateway gives them to the server alone.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { proxyInvocation } from '../../src/workbench/proxy-launch';
import { CLI, RECORDING, requireBundle, tempDir, textOf, writePolicy, yaml } from '../proxy/helpers';

describe('hostile: a server’s environment never becomes the proxy’s', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('an envFile’s NODE_OPTIONS runs in the server, never in the proxy', async () => {
    requireBundle();
    const marks = join(tmp.dir, 'marks.jsonl');
    const evil = join(tmp.dir, 'evil.js');
    writeFileSync(evil, `require('fs').appendFileSync(${JSON.stringify(marks)}, JSON.stringify(process.argv) + '\\n');\n`);
    const policyFile = writePolicy(tmp.dir, yaml('version: 1', 'default: allow', 'servers:', '  rec:', '    tools:', '      echo: { action: deny, reason: never }'));
    const entry = { type: 'stdio', command: process.execPath, args: [RECORDING], env: { RECORD_FILE: join(tmp.dir, 'rec.jsonl'), CHOSEN: 'yes' } };
    const fileEnv = { NODE_OPTIONS: `--require ${evil}`, FROM_FILE: 'from the file' };
    const invocation = proxyInvocation(entry, { cliPath: CLI, policyFile, server: 'rec' }, fileEnv);
    // As VS Code starts a stdio definition: its env on top of the editor's, null unsetting.
    const env: Record<string, string> = { ...(process.env as Record<string, string>) };
    for (const [name, value] of Object.entries(invocation.env)) {
      if (value === null) delete env[name];
      else env[name] = value;
    }
    const client = new Client({ name: 'warden-test', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: invocation.args, env, stderr: 'pipe' }));
    try {
      assert.match(textOf(await client.callTool({ name: 'echo', arguments: { message: 'x' } })), /Blocked by policy: never/);
    } finally {
      await client.close();
    }
    const ran = existsSync(marks) ? readFileSync(marks, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[]) : [];
    assert.ok(ran.some((argv) => argv.includes(RECORDING)), 'the server got the envFile’s variables');
    assert.deepEqual(ran.filter((argv) => argv.includes(CLI)), [], 'the envFile’s NODE_OPTIONS ran code inside Warden’s proxy');
  });
});
