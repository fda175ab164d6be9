// The server behind the proxy never sees the proxy's control-channel secrets.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { upstreamEnvironment } from '../../src/proxy/upstream-env';
import { FakeEditor } from './fake-editor';
import { connectStdio, EVERYTHING, tempDir, textOf, writePolicy, yaml } from './helpers';

describe('upstream environment', () => {
  it('drops the control socket, its ticket and ELECTRON_RUN_AS_NODE, and keeps the rest', () => {
    const env = upstreamEnvironment({ PATH: '/bin', MCP_WARDEN_CONTROL_SOCKET: '/s', MCP_WARDEN_CONTROL_TICKET: 't', ELECTRON_RUN_AS_NODE: '1', API_KEY: 'k' });
    assert.deepEqual(env, { PATH: '/bin', API_KEY: 'k' });
  });

  describe('through the proxy, asking server-everything for its environment', () => {
    let temp: ReturnType<typeof tempDir>;
    before(() => (temp = tempDir()));
    after(() => temp.cleanup());

    it('the server sees its own variables but not the control ticket', async () => {
      const policy = writePolicy(temp.dir, yaml('version: 1', 'servers:', '  everything:', '    tools:', '      get-env: { action: allow }'));
      // An editor that admits the proxy, so the call is decided by the policy it sends.
      const editor = new FakeEditor(temp.dir, 'ticket-the-server-must-not-see');
      await editor.listen();
      const connected = await connectStdio({
        policy,
        server: 'everything',
        upstream: [process.execPath, EVERYTHING, 'stdio'],
        env: { ...editor.env(), WARDEN_TEST_MARKER: 'kept' },
      });
      try {
        const text = textOf(await connected.client.callTool({ name: 'get-env', arguments: {} }));
        assert.match(text, /WARDEN_TEST_MARKER/);
        assert.doesNotMatch(text, /ticket-the-server-must-not-see/);
        assert.doesNotMatch(text, /MCP_WARDEN_CONTROL/);
      } finally {
        await connected.close();
        await editor.close();
      }
    });
  });
});
