// `mcp-warden audit FILE [--json]`: calls per server, tool and decision in an audit log.
// `mcp-warden audit verify FILE --args JSON [--line N] [--key FILE]`: which lines were written for
// calls with exactly these arguments (their keyed digest, checked with the audit key).
import { readFileSync } from 'node:fs';
import { defaultAuditKeyFile, loadAuditKey } from '../proxy/audit-key';
import { formatAuditSummary, summariseAudit } from '../proxy/audit-summary';
import { matchingLines } from '../proxy/audit-verify';
import { parseCommandLine, UsageError } from './usage';

export const USAGE = `usage: mcp-warden audit FILE [--json]
       mcp-warden audit verify FILE --args JSON [--line N] [--key FILE]`;

export function runAudit(argv: string[]): number {
  if (argv[0] === 'verify') return runVerify(argv.slice(1));
  const parsed = parseCommandLine(argv, { json: { type: 'boolean' } }, USAGE, true);
  if (parsed.positionals.length !== 1 || parsed.command.length > 0) throw new UsageError(USAGE);
  const summary = summariseAudit(readLog(parsed.positionals[0]));
  process.stdout.write(parsed.values.json ? JSON.stringify(summary) + '\n' : formatAuditSummary(summary));
  return 0;
}

/** Exit 0 when a keyed line (or line N) matches the arguments, 1 when none does. */
function runVerify(argv: string[]): number {
  const parsed = parseCommandLine(argv, { args: { type: 'string' }, line: { type: 'string' }, key: { type: 'string' } }, USAGE, true);
  const { values } = parsed;
  if (parsed.positionals.length !== 1 || parsed.command.length > 0 || values.args === undefined) throw new UsageError(USAGE);
  const file = parsed.positionals[0];
  let args: unknown;
  try {
    args = JSON.parse(values.args);
  } catch (error) {
    throw new UsageError(`--args is not JSON: ${(error as Error).message}\n${USAGE}`);
  }
  let only: number | undefined;
  if (values.line !== undefined) {
    only = Number(values.line);
    if (!Number.isInteger(only) || only < 1) throw new UsageError(`--line takes a line number (1 or more), got "${values.line}"\n${USAGE}`);
  }
  const keyFile = values.key ?? defaultAuditKeyFile();
  let key: string;
  try {
    key = loadAuditKey(keyFile, false);
  } catch (error) {
    throw new UsageError(`cannot read the audit key ${keyFile}: ${(error as Error).message}`);
  }
  const result = matchingLines(readLog(file), key, args, only);
  if (only !== undefined && result.checked === 0) throw new UsageError(`${file} has no audit entry on line ${only}`);
  for (const match of result.matches) {
    const keyed = match.keyed ? '' : ' (unkeyed SHA-256, written by an older version)';
    process.stdout.write(`line ${match.line}: ${match.server}/${match.tool}, ${match.decision}, ${match.time}: these arguments${keyed}\n`);
  }
  // An unkeyed digest proves nothing: anyone who can write the log can write one.
  if (result.matches.some((match) => match.keyed)) return 0;
  const where = only !== undefined ? `line ${only} of ${file} was not written` : `no line of ${file} (${result.checked} checked) was written`;
  process.stdout.write(`${where} for these arguments with the key ${keyFile}\n`);
  return 1;
}

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `audit log not found: ${file}` : `cannot read ${file}: ${(error as Error).message}`);
  }
}
