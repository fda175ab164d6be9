// `mcp-warden audit FILE [--json]`: calls per server, tool and decision in an audit log.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatAuditSummary, summariseAudit } from '../proxy/audit-summary';
import { UsageError } from './usage';

const USAGE = 'usage: mcp-warden audit FILE [--json]';

export function runAudit(argv: string[]): number {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' } } });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
  if (parsed.positionals.length !== 1) throw new UsageError(USAGE);
  const file = parsed.positionals[0];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `audit log not found: ${file}` : `cannot read ${file}: ${(error as Error).message}`);
  }
  const summary = summariseAudit(text);
  process.stdout.write(parsed.values.json ? JSON.stringify(summary) + '\n' : formatAuditSummary(summary));
  return 0;
}
