// `mcp-warden token new`: the token it prints is admitted by a tokens file holding the entry it prints,
// as the given user and groups; the entry holds only the token's hash.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadIdentities } from '../../src/team/identity-config';
import { CLI, requireBundle, tempDir } from '../proxy/helpers';

requireBundle();
const { dir, cleanup } = tempDir();
after(cleanup);

test('the printed token is admitted by the printed entry, as that user', async () => {
  const result = spawnSync(process.execPath, [CLI, 'token', 'new', '--name', 'alice', '--groups', 'security, dev'], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  const token = /^token: (\S+)$/m.exec(result.stdout)![1];
  const entry = result.stdout.slice(result.stdout.indexOf('- sha256:'));
  assert.ok(!entry.includes(token), 'the entry holds the token itself');
  const file = join(dir, 'tokens.yaml');
  writeFileSync(file, `tokens:\n${entry}`);
  const identity = await loadIdentities({ tokensFile: file }).identify(`Bearer ${token}`);
  assert.deepEqual(identity, { ok: true, principal: { name: 'alice', groups: ['security', 'dev'] }, via: 'tokens file' });
});

test('without new and a name it is a usage error', () => {
  for (const args of [['token'], ['token', 'new'], ['token', 'old', '--name', 'a'], ['token', 'new', '--name', '']]) {
    assert.equal(spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' }).status, 2, args.join(' '));
  }
});
