// docs/policy.md is generated from the schema; this keeps the two in sync.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');

test('docs/policy.md matches schemas/policy.schema.json', () => {
  const result = spawnSync(process.execPath, ['scripts/gen-policy-docs.mjs', '--check'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
});
