// Lists the tools of a stdio MCP server by starting it, asking, and stopping it: the way to fill the
// catalogue before the server has ever run behind Warden's proxy. Node only; the MCP SDK is a file of its
// own (mcp-client.ts), required when a discovery runs, so it costs the extension's activation nothing.
import type { ServerLaunch } from '../../language/catalogue';
import type { ToolInfo } from '../../policy/model';

export interface DiscoveryOptions {
  /** What `${workspaceFolder}` stands for in the command, arguments and environment. */
  workspaceFolder?: string;
  timeoutMs?: number;
}

/** Replaces `${workspaceFolder}`, `${userHome}` and `${env:NAME}`; a `${input:...}` cannot be answered here. */
export function resolveVariables(text: string, options: DiscoveryOptions): string {
  return text.replace(/\$\{([^}]+)\}/g, (whole, name: string) => {
    if (name === 'workspaceFolder' && options.workspaceFolder) return options.workspaceFolder;
    if (name === 'userHome') return process.env.HOME ?? process.env.USERPROFILE ?? whole;
    if (name.startsWith('env:')) return process.env[name.slice(4)] ?? '';
    throw new Error(`the server's entry uses ${whole}, which only VS Code can ask for; start the server from VS Code instead`);
  });
}

export async function listToolsOverStdio(launch: ServerLaunch, options: DiscoveryOptions = {}): Promise<ToolInfo[]> {
  if (!launch.command) throw new Error('the server has no command to start it with');
  const { Client, StdioClientTransport, getDefaultEnvironment } = require('./mcp-client') as typeof import('./mcp-client');
  const resolve = (text: string) => resolveVariables(text, options);
  const env = { ...getDefaultEnvironment(), ...Object.fromEntries(Object.entries(launch.env ?? {}).map(([k, v]) => [k, resolve(v)])) };
  const transport = new StdioClientTransport({
    command: resolve(launch.command),
    args: (launch.args ?? []).map(resolve),
    env,
    cwd: launch.cwd ? resolve(launch.cwd) : options.workspaceFolder,
    stderr: 'ignore',
  });
  const client = new Client({ name: 'mcp-warden-discovery', version: '1' });
  const timeout = options.timeoutMs ?? 30_000;
  try {
    await client.connect(transport, { timeout });
    const tools: ToolInfo[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : {}, { timeout });
      for (const tool of page.tools) {
        // The title and output schema too: Create Policy pins the whole definition as listed.
        const listed: ToolInfo = { name: tool.name, description: tool.description, annotations: tool.annotations, inputSchema: tool.inputSchema as Record<string, unknown> };
        if (tool.title !== undefined) listed.title = tool.title;
        if (tool.outputSchema !== undefined) listed.outputSchema = tool.outputSchema as Record<string, unknown>;
        tools.push(listed);
      }
      cursor = page.nextCursor;
    } while (cursor);
    return tools;
  } finally {
    await client.close().catch(() => undefined);
  }
}
