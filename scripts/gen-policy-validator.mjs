// Writes src/policy/generated/policy-validator.ts: the policy schema's validator, compiled by ajv ahead
// of time, so reading a policy neither loads ajv's compiler nor compiles the schema (tens of ms and
// several MB at every proxy start). `--check` exits 1 when the file is out of date (a test runs it).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { writeOrCheck } from './lib/write-or-check.mjs';

const require = createRequire(import.meta.url);
const Ajv = require('ajv').default;
const standaloneCode = require('ajv/dist/standalone').default;

const SCHEMA = 'schemas/policy.schema.json';
const TARGET = 'src/policy/generated/policy-validator.ts';

export function generate() {
  const schema = JSON.parse(readFileSync(SCHEMA, 'utf8'));
  // The same options parse.ts needs: every error, with the schema that failed (for "did you mean").
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: false, code: { source: true, esm: true } });
  const code = standaloneCode(ajv, ajv.compile(schema));
  return [
    '// @ts-nocheck',
    `// Generated from ${SCHEMA} by \`node scripts/gen-policy-validator.mjs\`; do not edit.`,
    code.replace(/^"use strict";/, ''),
    '',
  ].join('\n');
}

const expected = generate();
writeOrCheck(TARGET, expected, 'node scripts/gen-policy-validator.mjs');
