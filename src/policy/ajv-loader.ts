// Loads ajv's compiler on first use: policies without `args` never pay for it (about 25 ms and 8 MB
// at start-up, which matters for a proxy that starts with every MCP server).
import type Ajv from 'ajv';
import type { Options } from 'ajv';

export function loadAjv(options: Options, extras: { formats?: boolean } = {}): Ajv {
  const AjvClass = (require('ajv') as typeof import('ajv')).default;
  const ajv = new AjvClass(options);
  if (extras.formats) (require('ajv-formats') as typeof import('ajv-formats')).default(ajv);
  return ajv;
}
