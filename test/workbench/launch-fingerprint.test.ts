import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson } from '../../src/policy/canonical-json';
import { launchFingerprint, summarizeLaunch } from '../../src/workbench/launch-fingerprint';

const ENTRY = { type: 'stdio', command: 'node', args: ['server.js', '--port', '1'], env: { TOKEN: '${input:t}', LEVEL: 'debug' }, cwd: '${workspaceFolder}' };

test('key order does not change the fingerprint; nested keys are sorted too', () => {
  const reordered = { cwd: '${workspaceFolder}', env: { LEVEL: 'debug', TOKEN: '${input:t}' }, args: ['server.js', '--port', '1'], command: 'node', type: 'stdio' };
  assert.equal(launchFingerprint(reordered), launchFingerprint(ENTRY));
  assert.equal(canonicalJson({ b: { d: 1, c: [2, { f: 1, e: 0 }] }, a: null }), '{"a":null,"b":{"c":[2,{"e":0,"f":1}],"d":1}}');
  assert.match(launchFingerprint(ENTRY), /^[0-9a-f]{64}$/);
});

test('every change of the entry changes the fingerprint', () => {
  const base = launchFingerprint(ENTRY);
  const changes: Array<Record<string, unknown>> = [
    { ...ENTRY, command: 'sh' },
    { ...ENTRY, args: ['server.js', '--port', '2'] },
    { ...ENTRY, args: ['--port', 'server.js', '1'] },
    { ...ENTRY, args: ['server.js', '--port', 1] },
    { ...ENTRY, env: { ...ENTRY.env, NODE_OPTIONS: '--require evil.js' } },
    { ...ENTRY, env: { TOKEN: '${input:t}', LEVEL: 'trace' } },
    { ...ENTRY, envFile: '.env' },
    { ...ENTRY, cwd: '/tmp' },
    { ...ENTRY, type: 'http', url: 'http://127.0.0.1:1' },
    { ...ENTRY, headers: { Authorization: 'x' } },
    { ...ENTRY, somethingNew: true },
    { ...ENTRY, args: ['server.js', '--port', '1', ''] },
  ];
  const fingerprints = changes.map(launchFingerprint);
  for (const [index, fingerprint] of fingerprints.entries()) assert.notEqual(fingerprint, base, `change ${index}`);
  assert.equal(new Set(fingerprints).size, fingerprints.length);
});

test('strings that would collide if joined naively stay apart', () => {
  assert.notEqual(launchFingerprint({ command: 'a b', args: [] }), launchFingerprint({ command: 'a', args: ['b'] }));
  assert.notEqual(launchFingerprint({ args: ['a,b'] }), launchFingerprint({ args: ['a', 'b'] }));
  assert.notEqual(launchFingerprint({ env: { A: '1' } }), launchFingerprint({ env: { A: 1 } }));
});

test('the summary shows the whole command line and the names, never the values, of env and headers', () => {
  const summary = summarizeLaunch({ ...ENTRY, args: ['server.js', 'two words', ''], headers: { Authorization: 'Bearer s3cret' }, envFile: '.env', extra: 1 });
  assert.equal(summary.commandLine, 'node server.js "two words" ""');
  assert.deepEqual(summary.envNames, ['LEVEL', 'TOKEN']);
  assert.deepEqual(summary.headerNames, ['Authorization']);
  assert.equal(summary.envFile, '.env');
  assert.equal(summary.cwd, '${workspaceFolder}');
  assert.deepEqual(summary.otherKeys, ['extra']);
  assert.ok(!JSON.stringify(summary).includes('s3cret'));
  assert.equal(summarizeLaunch({ type: 'http', url: 'https://x.example/mcp' }).commandLine, 'http https://x.example/mcp');
});
