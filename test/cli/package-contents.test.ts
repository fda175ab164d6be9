// What `npm run package` puts into Warden's .vsix, as vsce itself lists it: the extension's run-time files
// only, never the Warden demo agent (an extension of its own that npm start installs beside Warden) nor
// the test-only scripted model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
const VSCE = join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');

function packaged(folder: string): string[] {
  return execFileSync(process.execPath, [VSCE, 'ls', '--no-dependencies'], { cwd: folder, encoding: 'utf8' }).split('\n').filter(Boolean);
}

test("Warden's package holds neither the demo agent nor the test model", { timeout: 120_000 }, () => {
  const files = packaged(ROOT);
  assert.ok(files.includes('dist/extension.js'), files.join('\n'));
  assert.deepEqual(files.filter((file) => /^(demo-agent|test|examples)\//.test(file)), []);
});

test('the demo agent packages only its own files', { timeout: 120_000 }, () => {
  assert.deepEqual(packaged(join(ROOT, 'demo-agent')).sort(), ['README.md', 'extension.js', 'package.json', 'prompts.js']);
});
