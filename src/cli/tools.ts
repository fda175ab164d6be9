// `mcp-warden tools (-- CMD [ARGS...] | --url URL [--header "K: V"]...) [--policy P --server S] [--json]`:
// a server's live tools with their risk (category, level, where the label came from) and, given a
// policy, what it decides for each.
import { parseArgs } from 'node:util';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { ToolInfo } from '../policy/model';
import { classifyTool } from '../policy/risk';
import type { ToolReport } from '../proxy/control-protocol';
import { toolReports } from '../proxy/interception';
import { describeStatus, PolicySource } from '../proxy/policy-source';
import { parseProxyTarget, type ProxyTarget } from '../proxy/proxy-main';
import { UsageError } from './usage';

const USAGE = 'usage: mcp-warden tools (-- CMD [ARGS...] | --url URL [--header "K: V"]...) [--policy P --server S] [--json]';

type Row = Omit<ToolReport, 'decision' | 'hidden' | 'rule' | 'line'> & Partial<Pick<ToolReport, 'decision' | 'hidden' | 'rule' | 'line'>>;

export async function runTools(argv: string[]): Promise<number> {
  const dashes = argv.indexOf('--');
  const own = dashes === -1 ? argv : argv.slice(0, dashes);
  const command = dashes === -1 ? [] : argv.slice(dashes + 1);
  let values;
  try {
    ({ values } = parseArgs({
      args: own,
      options: {
        url: { type: 'string' },
        header: { type: 'string', multiple: true },
        policy: { type: 'string' },
        server: { type: 'string' },
        json: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
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
  return 0;
}

async function listTools(target: ProxyTarget): Promise<ToolInfo[]> {
  // The SDK client is loaded only here: the proxy itself never needs it.
  const client = await connect(target);
  try {
    const tools: ToolInfo[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : {});
      tools.push(...(page.tools as ToolInfo[]));
      cursor = page.nextCursor;
    } while (cursor);
    return tools;
  } finally {
    await client.close();
  }
}

async function connect(target: ProxyTarget): Promise<Client> {
  const { Client } = require('@modelcontextprotocol/sdk/client/index.js') as typeof import('@modelcontextprotocol/sdk/client/index.js');
  const client = new Client({ name: 'mcp-warden-tools', version: '1' });
  if (target.kind === 'stdio') {
    const { StdioClientTransport } = require('@modelcontextprotocol/sdk/client/stdio.js') as typeof import('@modelcontextprotocol/sdk/client/stdio.js');
    await client.connect(new StdioClientTransport({ command: target.command, args: target.args, stderr: 'inherit' }));
    return client;
  }
  const { StreamableHTTPClientTransport } = require('@modelcontextprotocol/sdk/client/streamableHttp.js') as typeof import('@modelcontextprotocol/sdk/client/streamableHttp.js');
  const { SSEClientTransport } = require('@modelcontextprotocol/sdk/client/sse.js') as typeof import('@modelcontextprotocol/sdk/client/sse.js');
  const requestInit = { headers: target.headers };
  try {
    await client.connect(new StreamableHTTPClientTransport(target.url, { requestInit }));
    return client;
  } catch {
    // A server that only speaks the legacy HTTP+SSE transport.
    const sseClient = new Client({ name: 'mcp-warden-tools', version: '1' });
    await sseClient.connect(new SSEClientTransport(target.url, { requestInit }));
    return sseClient;
  }
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
