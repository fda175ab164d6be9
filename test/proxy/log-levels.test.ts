// VS Code shows every line a stdio MCP server writes on stderr as a warning ("[warning] [server stderr]").
// A proxy the editor launched therefore sends its informational lines (the policy loaded, waiting for
// it) to the editor's log only, at their own level; stderr keeps what deserves a warning. Run by hand,
// the proxy says everything on stderr as before. Real proxy, recording server, fake editor.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { FakeEditor } from './fake-editor';
import { connectStdio, RECORDING, requireBundle, tempDir, textOf, writePolicy, yaml } from './helpers';

const POLICY = yaml('version: 1', 'servers:', '  rec:', '    tools:', '      echo: { action: allow }');
const INVALID = yaml('version: 1', 'servers:', '  rec:', '    tools:', '      echo: { action: perhaps }');

before(() => requireBundle());

describe("the proxy's own lines and their levels", () => {
  it('launched by the editor: "policy loaded" goes to the editor, not to stderr; a policy with errors still warns there', async () => {
    const tmp = tempDir();
    const editor = new FakeEditor(tmp.dir);
    let approved = POLICY;
    editor.approved = () => approved;
    await editor.listen();
    const policy = join(tmp.dir, 'policy.yaml');
    const proxy = await connectStdio({ policy, server: 'rec', upstream: [process.execPath, RECORDING], env: { RECORD_FILE: join(tmp.dir, 'record.jsonl'), ...editor.env() } });
    try {
      assert.equal(textOf(await proxy.client.callTool({ name: 'echo', arguments: { message: 'x' } })), 'Echo: x');
      await editor.waitFor('policy', (m) => m.status === 'loaded');
      assert.doesNotMatch(proxy.stderr(), /policy loaded|every tool call is refused until one arrives/);

      approved = INVALID;
      editor.sendPolicy(INVALID);
      await editor.waitFor('policy', (m) => m.status === 'invalid');
      const deadline = Date.now() + 3000;
      while (!/policy has errors/.test(proxy.stderr()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.match(proxy.stderr(), /mcp-warden: policy has errors/);
    } finally {
      await proxy.close();
      await editor.close();
      tmp.cleanup();
    }
  });

  it('run by hand (no editor): "policy loaded" is said on stderr', async () => {
    const tmp = tempDir();
    const proxy = await connectStdio({ policy: writePolicy(tmp.dir, POLICY), server: 'rec', upstream: [process.execPath, RECORDING], env: { RECORD_FILE: join(tmp.dir, 'record.jsonl') } });
    try {
      await proxy.client.listTools();
      assert.match(proxy.stderr(), /^mcp-warden: policy loaded: /m);
    } finally {
      await proxy.close();
      tmp.cleanup();
    }
  });
});
