// npm start leaves nothing in the system's temporary folder: the folder its server's processes use as
// TMPDIR is removed when the launcher ends, normally or on Ctrl+C.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';

const ROOT = resolve(__dirname, '../../..');

// Makes the folder, has a child process (as the extension host would) make a folder and a socket-like file in it.
const SCRIPT = `
import { spawnSync } from 'node:child_process';
import { cleanUp } from './scripts/host/cleanup.mjs';
import { makeTempFolder, tempFolderEnv } from './scripts/host/temp-dirs.mjs';
const folder = makeTempFolder('vscode-start-test-');
spawnSync(process.execPath, ['-e', "const fs = require('fs'), os = require('os'), p = require('path'); const d = fs.mkdtempSync(p.join(os.tmpdir(), 'mcp-warden-')); fs.writeFileSync(p.join(d, 'control.sock'), '')"], { env: { ...process.env, ...tempFolderEnv(folder) } });
console.log(folder);
if (process.argv[1] === 'wait') setInterval(() => {}, 1000); else await cleanUp();
`;

test("the run's temporary folder and what its processes made in it are gone when the launcher ends", () => {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  const folder = result.stdout.trim();
  assert.match(folder, /vscode-start-test-/);
  assert.equal(existsSync(folder), false);
});

test('…and on Ctrl+C', async () => {
  const child = spawn(process.execPath, ['--input-type=module', '-e', SCRIPT, 'wait'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8');
  const folder = await new Promise<string>((done) => child.stdout.on('data', (chunk: string) => {
    output += chunk;
    if (output.includes('\n')) done(output.trim());
  }));
  assert.equal(existsSync(folder), true);
  child.kill('SIGINT');
  const code = await new Promise((done) => child.on('exit', done));
  assert.equal(code, 130);
  assert.equal(existsSync(folder), false);
  assert.ok(readFileSync(resolve(ROOT, 'scripts/host/start-command.mjs'), 'utf8').includes('tempFolderEnv(makeTempFolder('), 'npm start gives its server such a folder');
});
