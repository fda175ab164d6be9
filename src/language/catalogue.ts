// The tool catalogue: the MCP servers Warden knows of and the tools each one listed. It is the seam
// between the language service and everything that learns about servers: mcp.json files, the proxy's
// reports, a discovery run, a cache. Readers see one merged view; each writer owns its own origin.
import type { RiskAssessment, ToolInfo, Range } from '../policy/model';
import { classifyTool, compareRisk } from '../policy/risk';

export type ServerTransport = 'stdio' | 'http' | 'sse';

/** Where a server was declared, strongest first: when a name is declared twice the stronger entry wins. */
export type ServerOrigin = 'workspace' | 'user' | 'seen';
const ORIGIN_RANK: Record<ServerOrigin, number> = { workspace: 0, user: 1, seen: 2 };

/** How to start or reach a server, as its mcp.json entry says. */
export interface ServerLaunch {
  command?: string;
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
  url?: string;
}

export interface ServerSource {
  origin: ServerOrigin;
  /** The file that declares it (a URI string), for go to definition. */
  uri?: string;
  /** The range of the server's key in that file. */
  range?: Range;
}

export interface ServerInfo {
  name: string;
  transport?: ServerTransport;
  source: ServerSource;
  launch?: ServerLaunch;
}

/** Who listed a server's tools: Warden's proxy, a discovery run, the cache of an earlier run, or an API caller. */
export type ToolsOrigin = 'proxy' | 'discovery' | 'cache' | 'api';

export interface ServerTools {
  tools: readonly ToolInfo[];
  origin: ToolsOrigin;
  /** When they were listed, in milliseconds since the epoch. */
  updated: number;
}

/** A listed tool with its risk as the classifier sees it (no policy override applied). */
export interface CataloguedTool {
  info: ToolInfo;
  risk: RiskAssessment;
}

export interface Disposable {
  dispose(): void;
}

/** The read side, which the language service uses. */
export interface ToolCatalogue {
  /** Grows on every change, so derived results can be cached against it. */
  readonly revision: number;
  servers(): readonly ServerInfo[];
  server(name: string): ServerInfo | undefined;
  /** The tools last listed for a server; undefined when none were ever listed. */
  tools(server: string): ServerTools | undefined;
  /** The server's tools with their risk, riskiest first (then by name); empty when none were listed. */
  rankedTools(server: string): readonly CataloguedTool[];
  tool(server: string, name: string): CataloguedTool | undefined;
  onDidChange(listener: () => void): Disposable;
}

/** The catalogue held in memory, written by its feeders. */
export class MemoryCatalogue implements ToolCatalogue {
  private readonly declared = new Map<ServerOrigin, ServerInfo[]>();
  private readonly listed = new Map<string, ServerTools>();
  private readonly ranked = new Map<string, { all: CataloguedTool[]; byName: Map<string, CataloguedTool> }>();
  private readonly listeners = new Set<() => void>();
  private merged: Map<string, ServerInfo> | undefined;
  private changes = 0;

  get revision(): number {
    return this.changes;
  }

  /** Replaces every server of one origin (all servers of the workspace's mcp.json, say). */
  setServers(origin: ServerOrigin, servers: readonly ServerInfo[]): void {
    this.declared.set(origin, servers.map((server) => ({ ...server, source: { ...server.source, origin } })));
    this.changed();
  }

  /** Records the tools a server listed; a server nobody declared becomes known as `seen`. */
  setTools(server: string, tools: readonly ToolInfo[], origin: ToolsOrigin = 'api', updated = Date.now()): void {
    this.listed.set(server, { tools: tools.map(copyTool), origin, updated });
    this.ranked.delete(server);
    this.changed();
  }

  clearTools(server: string): void {
    if (this.listed.delete(server)) {
      this.ranked.delete(server);
      this.changed();
    }
  }

  servers(): readonly ServerInfo[] {
    return [...this.mergedServers().values()];
  }

  server(name: string): ServerInfo | undefined {
    return this.mergedServers().get(name);
  }

  tools(server: string): ServerTools | undefined {
    return this.listed.get(server);
  }

  rankedTools(server: string): readonly CataloguedTool[] {
    return this.rankedOf(server)?.all ?? [];
  }

  tool(server: string, name: string): CataloguedTool | undefined {
    return this.rankedOf(server)?.byName.get(name);
  }

  onDidChange(listener: () => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private rankedOf(server: string) {
    let ranked = this.ranked.get(server);
    if (!ranked) {
      const listed = this.listed.get(server);
      if (!listed) return undefined;
      const all = listed.tools
        .map((info) => ({ info, risk: classifyTool(info) }))
        .sort((a, b) => compareRisk(a.risk, b.risk) || (a.info.name < b.info.name ? -1 : a.info.name > b.info.name ? 1 : 0));
      ranked = { all, byName: new Map(all.map((tool) => [tool.info.name, tool])) };
      this.ranked.set(server, ranked);
    }
    return ranked;
  }

  private mergedServers(): Map<string, ServerInfo> {
    if (this.merged) return this.merged;
    const merged = new Map<string, ServerInfo>();
    const origins = [...this.declared.keys()].sort((a, b) => ORIGIN_RANK[a] - ORIGIN_RANK[b]);
    for (const origin of origins) {
      for (const server of this.declared.get(origin)!) if (!merged.has(server.name)) merged.set(server.name, server);
    }
    for (const name of this.listed.keys()) if (!merged.has(name)) merged.set(name, { name, source: { origin: 'seen' } });
    this.merged = merged;
    return merged;
  }

  private changed(): void {
    this.merged = undefined;
    this.changes++;
    for (const listener of [...this.listeners]) listener();
  }
}

/** A defensive copy of the parts Warden reads, so a caller's later mutation cannot change the catalogue. */
function copyTool(tool: ToolInfo): ToolInfo {
  const copy: ToolInfo = { name: String(tool.name) };
  if (typeof tool.description === 'string') copy.description = tool.description;
  if (tool.annotations && typeof tool.annotations === 'object') copy.annotations = { ...tool.annotations };
  if (tool.inputSchema && typeof tool.inputSchema === 'object') copy.inputSchema = tool.inputSchema;
  if (typeof tool.title === 'string') copy.title = tool.title;
  if (tool.outputSchema && typeof tool.outputSchema === 'object') copy.outputSchema = tool.outputSchema;
  return copy;
}
