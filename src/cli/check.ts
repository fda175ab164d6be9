// `mcp-warden check <policy>`: one line per diagnostic; exit 1 when any is an error.
import { readFileSync } from 'node:fs';
import { formatLocation } from '../policy/fail-closed';
import { parsePolicy } from '../policy/parse';
import { UsageError } from './usage';

export function runCheck(argv: string[]): number {
  const [file, ...rest] = argv;
  if (!file || rest.length > 0) throw new UsageError('usage: mcp-warden check <policy>');
  const text = readPolicyText(file);
  const { diagnostics } = parsePolicy(text, file);
  for (const d of diagnostics) {
    process.stdout.write(`${formatLocation(file, d)}: ${d.severity}: ${d.message} [${d.code}]\n`);
  }
  return diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
}

export function readPolicyText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `policy file not found: ${file}` : `cannot read ${file}: ${(error as Error).message}`);
  }
}
