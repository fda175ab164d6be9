// `mcp-warden tools (-- CMD [ARGS...] | --url URL [--header "K: V"]...) [--policy P --server S] [--json]`:
// a server's live tools with their risk (category, level, where the label came from) and, given a
// policy, what it decides for each.
import { version } from '../../package.json';
import type { ToolInfo } from '../policy/model';
import { classifyTool } from '../policy/risk';
import type { ToolReport } from '../proxy/control-protocol';
import { toolReports } from '../proxy/interception';
import { describeStatus, PolicySource } from '../proxy/policy-source';
import { DEFAULT_MAX_FRAME_BYTES } from '../proxy/framing';
import { createUpstream, parseProxyTarget, type ProxyTarget } from '../proxy/proxy-main';
import { listServerTools } from '../proxy/tool-lister';
import { parseCommandLine, UsageError } from './usage';

export const USAGE = 'usage: mcp-warden tools (-- CMD [ARGS...] | --url URL [--header "K: V"]...) [--policy P --server S] [--json]';

type Row = Omit<ToolReport, 'decision' | 'hidden' | 'rule' | 'line'> & Partial<Pick<ToolReport, 'decision' | 'hidden' | 'rule' | 'line'>>;

export async function runTools(argv: string[]): Promise<number> {
  const { values, command } = parseCommandLine(
    argv,
    {
      url: { type: 'string' },
      header: { type: 'string', multiple: true },
      policy: { type: 'string' },
      server: { type: 'string' },
      json: { type: 'boolean' },
    },
    USAGE,
  );
  if ((values.policy === undefined) !== (values.server === undefined)) throw new UsageError(`--policy and --server go together\n${USAGE}`);
  const target = parseProxyTarget(command, values.url, values.header ?? [], (message) => new UsageError(`${message}\n${USAGE}`));

  let policy: PolicySource | undefined;
  if (values.policy) {
    policy = new PolicySource(values.policy);
    const status = policy.load();
    if (status.status !== 'loaded') process.stderr.write(`mcp-warden: ${describeStatus(status)}\n`);
  }

  const tools = await listTools(target);
  const rows: Row[] = policy
    ? toolReports(policy.current, values.server!, tools)
    : tools.map((tool) => {
        const risk = classifyTool(tool);
        return { name: tool.name, ...(tool.description !== undefined ? { description: tool.description } : {}), risk };
      });
  process.stdout.write(values.json ? JSON.stringify(rows) + '\n' : formatRows(rows));
  // As `explain`: the decisions shown are the refusal a broken policy gets, and the exit says so.
  return policy && policy.current.engine === undefined ? 1 : 0;
}

async function listTools(target: ProxyTarget): Promise<ToolInfo[]> {
  return listServerTools(createUpstream(target, DEFAULT_MAX_FRAME_BYTES, (message) => process.stderr.write(`mcp-warden: ${message}\n`)), version);
}

function formatRows(rows: Row[]): string {
  const header = ['tool', 'risk', 'from', 'decision', 'rule'];
  const table = rows.map((r) => [
    r.name,
    `${r.risk.category}/${r.risk.level}`,
    r.risk.source,
    r.decision === undefined ? '-' : r.hidden ? 'deny (hidden)' : r.decision,
    r.rule === undefined ? '-' : r.rule === null ? (r.line === null ? 'default' : `default (line ${r.line})`) : `${r.rule} (line ${r.line})`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  const out = [line(header), ...table.map(line)];
  for (const r of rows) for (const warning of r.risk.warnings) out.push(`warning: ${r.name}: ${warning}`);
  return out.join('\n') + '\n';
}
