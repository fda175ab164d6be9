// The servers a gateway serves now, each with its own MCP endpoint (its sessions and their upstream
// sessions). Replacing the set ends the sessions of every server that left it or whose launch changed;
// servers whose launch is the same keep theirs. A server whose launch cannot be used is still served,
// so that its sessions fail with the reason instead of a 404 that would hide it.
import type { McpEndpoint } from '../proxy/mcp-endpoint';
import type { ProxyTarget } from '../proxy/proxy-main';
import type { Upstream } from '../proxy/upstream';
import type { LaunchTarget } from './served-launch';

export interface ServerEntry {
  name: string;
  /** Equal for the same launch: an unchanged server keeps its sessions. */
  key: string;
  launch: LaunchTarget;
}

/** What `GET /servers` says of one server. */
export interface ServerState {
  name: string;
  transport: 'stdio' | 'http' | 'none';
  /** `ready`: no upstream started yet or the last one started; `failing`: the last start failed; `unusable`: the launch cannot be used. */
  state: 'ready' | 'failing' | 'unusable';
  sessions: number;
  detail?: string;
}

interface Served {
  entry: ServerEntry;
  endpoint: McpEndpoint;
  lastFailure?: string;
}

export type EndpointFactory = (name: string, newUpstream: () => Upstream) => McpEndpoint;

export class ServedSet {
  private readonly served = new Map<string, Served>();

  constructor(
    private readonly makeEndpoint: EndpointFactory,
    private readonly createUpstream: (target: ProxyTarget) => Upstream,
  ) {}

  get(name: string): McpEndpoint | undefined {
    return this.served.get(name)?.endpoint;
  }

  names(): string[] {
    return [...this.served.keys()];
  }

  endpoints(): McpEndpoint[] {
    return [...this.served.values()].map((s) => s.endpoint);
  }

  /** Serves exactly `entries` from now on; returns the names added, changed and removed. */
  async replace(entries: ServerEntry[]): Promise<{ added: string[]; changed: string[]; removed: string[] }> {
    const wanted = new Map(entries.map((e) => [e.name, e]));
    const added: string[] = [];
    const changed: string[] = [];
    const removed: string[] = [];
    const ending: Promise<void>[] = [];
    for (const [name, served] of this.served) {
      const next = wanted.get(name);
      if (next && next.key === served.entry.key) continue;
      (next ? changed : removed).push(name);
      this.served.delete(name);
      ending.push(served.endpoint.close());
    }
    for (const entry of entries) {
      if (this.served.has(entry.name)) continue;
      if (!changed.includes(entry.name)) added.push(entry.name);
      this.served.set(entry.name, this.serve(entry));
    }
    await Promise.all(ending);
    return { added, changed, removed };
  }

  private serve(entry: ServerEntry): Served {
    const served = { entry } as Served;
    served.endpoint = this.makeEndpoint(entry.name, () => {
      if (!entry.launch.target) return new UnusableUpstream(entry.launch.problem);
      const upstream = this.createUpstream(entry.launch.target);
      const start = upstream.start.bind(upstream);
      upstream.start = () =>
        start().then(
          () => {
            served.lastFailure = undefined;
          },
          (error: Error) => {
            served.lastFailure = error.message;
            throw error;
          },
        );
      return upstream;
    });
    return served;
  }

  states(): ServerState[] {
    return [...this.served.values()].map(({ entry, endpoint, lastFailure }) => {
      const target = entry.launch.target;
      const state: ServerState = { name: entry.name, transport: target ? target.kind : 'none', state: 'ready', sessions: endpoint.size };
      if (!target) return { ...state, state: 'unusable', detail: entry.launch.problem };
      if (lastFailure !== undefined) return { ...state, state: 'failing', detail: lastFailure };
      return state;
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.endpoints().map((e) => e.close()));
  }
}

/** The upstream of a server whose launch cannot be used: every start fails with the reason. */
class UnusableUpstream implements Upstream {
  constructor(private readonly problem: string) {}
  start(): Promise<void> {
    return Promise.reject(new Error(this.problem));
  }
  send(): void {}
  async close(): Promise<void> {}
}
