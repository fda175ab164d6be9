// The ahead-of-time policy validator must be compiled from the schema as it is now.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');

test('src/policy/generated/policy-validator.ts matches schemas/policy.schema.json', () => {
  const result = spawnSync(process.execPath, ['scripts/gen-policy-validator.mjs', '--check'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
});
