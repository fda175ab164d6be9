// Loads ajv's compiler on first use: policies without `args` never pay for it (about 25 ms and 8 MB
// at start-up, which matters for a proxy that starts with every MCP server). In the bundles it is a
// file of its own (scripts/build.mjs), so it is not even compiled until then.
import type Ajv from 'ajv';
import type { Options } from 'ajv';

export type Compiler = typeof import('./ajv-compiler');

export function loadCompiler(): Compiler {
  return require('./ajv-compiler') as Compiler;
}

export function loadAjv(options: Options, extras: { formats?: boolean } = {}): Ajv {
  const compiler = loadCompiler();
  const ajv = new compiler.Ajv(options);
  if (extras.formats) compiler.addFormats(ajv);
  return ajv;
}
