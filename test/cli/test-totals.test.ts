// `npm test` ends with the total of every runner, the line .ci/run printed: counted by one module
// (scripts/lib/test-totals.mjs), and no colour codes when the output is not a terminal.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(__dirname, '../../..');

interface Totals {
  passed: number;
  failed: number;
  add(line: string): void;
  line(): string | undefined;
}

async function totalsModule(): Promise<{ TestTotals: new () => Totals }> {
  return import(pathToFileURL(join(ROOT, 'scripts/lib/test-totals.mjs')).href) as Promise<{ TestTotals: new () => Totals }>;
}

test("every runner's closing count is added up: node's TAP and spec reporters, the extension suite's launcher", async () => {
  const { TestTotals } = await totalsModule();
  const totals = new TestTotals();
  for (const line of ['# pass 120', '# fail 1', 'ℹ pass 30', 'ℹ fail 0', '\x1b[32m12 passed, 2 failed, 1 skipped\x1b[0m', '# pass 1', 'ok 1 - # pass 99 in a title', '  # pass 7']) totals.add(line);
  assert.equal(totals.line(), 'total: 163 passed, 3 failed');
  assert.equal(new TestTotals().line(), undefined);
});

test('npm test: the steps in order, stopping at the first failure, then the total; no colour asked for through a pipe', () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-run-all-'));
  try {
    // A stand-in npm on the PATH: each step prints what its runner would, and test:vscode fails.
    const npm = join(dir, 'npm');
    writeFileSync(npm, `#!/bin/sh
echo "$2 NO_COLOR=$NO_COLOR FORCE_COLOR=$FORCE_COLOR" >> "${join(dir, 'steps')}"
case "$2" in
  test:unit) printf '# pass 40\\n# fail 0\\n' ;;
  test:vscode) echo '7 passed, 1 failed' >&2; exit 3 ;;
esac
`);
    chmodSync(npm, 0o755);
    const result = spawnSync(process.execPath, ['scripts/run-all-tests.mjs'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, FORCE_COLOR: '1' } });
    assert.equal(result.status, 3);
    assert.equal(result.stdout.trimEnd().split('\n').at(-1), 'total: 47 passed, 1 failed');
    assert.deepEqual(readFileSync(join(dir, 'steps'), 'utf8').trim().split('\n'), ['typecheck', 'build', 'compile-tests', 'test:unit', 'test:vscode'].map((step) => `${step} NO_COLOR=1 FORCE_COLOR=`));
    assert.match(result.stderr, /^7 passed, 1 failed$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('.ci/run and package.json use the shared count', () => {
  assert.match(readFileSync(join(ROOT, '.ci/run'), 'utf8'), /scripts\/lib\/test-totals\.mjs/);
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.equal(manifest.scripts.test, 'node scripts/run-all-tests.mjs');
});
