// Reads the servers of an editor MCP configuration (`.vscode/mcp.json`, the user's `mcp.json`): JSON with
// comments and trailing commas, so jsonc-parser, which also gives each key's offset for go to definition.
import { getNodeValue, parseTree, type Node, type ParseError } from 'jsonc-parser';
import type { Range } from '../policy/model';
import type { ServerInfo, ServerLaunch, ServerOrigin, ServerTransport } from './catalogue';

export interface McpConfig {
  servers: ServerInfo[];
  /** Syntax errors, as offsets; servers before an error are still read. */
  errors: number;
}

const TRANSPORTS: readonly ServerTransport[] = ['stdio', 'http', 'sse'];

/** The servers declared in an mcp.json text. `uri` names the file in each server's source. */
export function readMcpConfig(text: string, uri: string, origin: ServerOrigin): McpConfig {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  const servers: ServerInfo[] = [];
  // VS Code's key is `servers`; other clients (and older files) use `mcpServers`.
  const map = property(root, 'servers') ?? property(root, 'mcpServers');
  if (map?.type === 'object') {
    const lines = lineStarts(text);
    for (const entry of map.children ?? []) {
      const [keyNode, valueNode] = entry.children ?? [];
      if (!keyNode || typeof keyNode.value !== 'string' || valueNode?.type !== 'object') continue;
      const value = getNodeValue(valueNode) as Record<string, unknown>;
      const server: ServerInfo = {
        name: keyNode.value,
        source: { origin, uri, range: rangeOf(lines, keyNode.offset, keyNode.offset + keyNode.length) },
      };
      const transport = transportOf(value);
      if (transport) server.transport = transport;
      const launch = launchOf(value);
      if (launch) server.launch = launch;
      servers.push(server);
    }
  }
  return { servers, errors: errors.length };
}

function property(node: Node | undefined, name: string): Node | undefined {
  if (node?.type !== 'object') return undefined;
  const pair = node.children?.find((child) => child.children?.[0]?.value === name);
  return pair?.children?.[1];
}

function transportOf(entry: Record<string, unknown>): ServerTransport | undefined {
  const type = entry.type;
  if (typeof type === 'string' && TRANSPORTS.includes(type as ServerTransport)) return type as ServerTransport;
  if (typeof entry.command === 'string') return 'stdio';
  if (typeof entry.url === 'string') return 'http';
  return undefined;
}

function launchOf(entry: Record<string, unknown>): ServerLaunch | undefined {
  const launch: ServerLaunch = {};
  if (typeof entry.command === 'string') launch.command = entry.command;
  if (Array.isArray(entry.args)) launch.args = entry.args.map(String);
  if (typeof entry.cwd === 'string') launch.cwd = entry.cwd;
  if (typeof entry.url === 'string') launch.url = entry.url;
  if (entry.env && typeof entry.env === 'object' && !Array.isArray(entry.env)) {
    launch.env = Object.fromEntries(Object.entries(entry.env as Record<string, unknown>).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => [k, String(v)]));
  }
  return Object.keys(launch).length > 0 ? launch : undefined;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function positionOf(starts: number[], offset: number) {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid] <= offset) low = mid;
    else high = mid - 1;
  }
  return { line: low, character: offset - starts[low] };
}

function rangeOf(starts: number[], start: number, end: number): Range {
  return { start: positionOf(starts, start), end: positionOf(starts, end) };
}
