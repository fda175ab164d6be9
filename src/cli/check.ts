// `mcp-warden check <policy>`: one line per diagnostic; exit 1 when any is an error.
import { formatLocation } from '../policy/fail-closed';
import { parsePolicy } from '../policy/parse';
import { MAX_POLICY_BYTES } from '../proxy/policy-source';
import { readRegularFileSync } from '../proxy/regular-file';
import { UsageError } from './usage';

export const USAGE = 'usage: mcp-warden check <policy>';

export function runCheck(argv: string[]): number {
  const [file, ...rest] = argv;
  if (!file || rest.length > 0) throw new UsageError(USAGE);
  const text = readPolicyText(file);
  const { diagnostics } = parsePolicy(text, file);
  for (const d of diagnostics) {
    process.stdout.write(`${formatLocation(file, d)}: ${d.severity}: ${d.message} [${d.code}]\n`);
  }
  return diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
}

/** The policy's text, read by the proxy's rules: links followed, only a regular file of at most 1 MiB. */
export function readPolicyText(file: string): string {
  const read = readRegularFileSync(file, MAX_POLICY_BYTES);
  if (read.ok) return read.text;
  throw new UsageError(read.missing ? `policy file not found: ${file}` : `policy file ${read.problem}`);
}
