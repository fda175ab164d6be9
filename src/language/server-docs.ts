// How a server is described in completion and hover: how it runs, where it is declared, its riskiest tools.
import type { ServerInfo, ToolCatalogue } from './catalogue';
import { riskBadge } from './tool-docs';

const ORIGIN_TEXT: Record<ServerInfo['source']['origin'], string> = {
  workspace: "the workspace's mcp.json",
  user: "the user's mcp.json",
  seen: 'seen by Warden (not in an mcp.json)',
};

export function transportText(server: ServerInfo): string {
  return server.transport ?? 'transport unknown';
}

export function serverMarkdown(server: ServerInfo, catalogue: ToolCatalogue, limit = 8): string {
  const parts = [`**${server.name}** — ${transportText(server)}, declared in ${ORIGIN_TEXT[server.source.origin]}`];
  const launch = server.launch;
  if (launch?.command) parts.push(`\`${[launch.command, ...(launch.args ?? [])].join(' ')}\``);
  else if (launch?.url) parts.push(`\`${launch.url}\``);
  const listed = catalogue.tools(server.name);
  if (!listed) {
    parts.push('*Tools not listed yet:* run "MCP Warden: Discover Tools", or start the server through Warden.');
  } else {
    const ranked = catalogue.rankedTools(server.name);
    const lines = ranked.slice(0, limit).map((tool) => `- \`${tool.info.name}\` ${riskBadge(tool.risk)}`);
    if (ranked.length > limit) lines.push(`- … and ${ranked.length - limit} more`);
    parts.push(`*${ranked.length} tools* (listed by ${listed.origin}), riskiest first:\n${lines.join('\n')}`);
  }
  return parts.join('\n\n');
}
