// `mcp-warden audit FILE [--json]`: calls per server, tool and decision in an audit log.
import { readFileSync } from 'node:fs';
import { formatAuditSummary, summariseAudit } from '../proxy/audit-summary';
import { parseCommandLine, UsageError } from './usage';

const USAGE = 'usage: mcp-warden audit FILE [--json]';

export function runAudit(argv: string[]): number {
  const parsed = parseCommandLine(argv, { json: { type: 'boolean' } }, USAGE, true);
  if (parsed.positionals.length !== 1 || parsed.command.length > 0) throw new UsageError(USAGE);
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
