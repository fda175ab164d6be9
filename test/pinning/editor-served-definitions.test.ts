// The proxy's tools report carries the server's instructions and name/version from its initialize answer,
// so Pin Tools in the editor pins them with the tools (a server pinned without them would have its
// instructions held back as changed). Real proxy (dist/cli.js), the shifting fixture server, a fake editor.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { FakeEditor } from '../proxy/fake-editor';
import { connectStdio, tempDir, writePolicy, yaml } from '../proxy/helpers';

const SHIFTING = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'shifting-server.js');

test("a tools report names the server's instructions and serverInfo as the lockfile pins them", async () => {
  const tmp = tempDir();
  const editor = new FakeEditor(tmp.dir);
  await editor.listen();
  const policy = writePolicy(tmp.dir, yaml('version: 1', 'default: allow'));
  const proxy = await connectStdio({ policy, server: 'shifter', upstream: [process.execPath, SHIFTING], env: editor.env() });
  try {
    await proxy.client.listTools();
    const report = await editor.waitFor('tools', (message) => message.tools.some((tool) => tool.name === 'echo'));
    assert.equal(report.instructions, 'Tools to echo and add.');
    assert.deepEqual(report.serverInfo, { name: 'shifting-server', version: '1.0.0' });
  } finally {
    await proxy.close();
    await editor.close();
    tmp.cleanup();
  }
});
