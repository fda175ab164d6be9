// What the connected proxies say about their servers: whether each runs, why it stopped, and whether the
// policy they enforce loaded. Fed by the control connections; read by the tree and the status bar.
import type { PolicyMessage, ToolReport, ToolsMessage, UpstreamMessage } from '../proxy/control-protocol';
import type { ServerState } from './context-value';
import type { ServerRuntime } from './tree-model';

interface ServerStatus {
  connections: Set<string>;
  runtime: ServerRuntime;
}

export class ProxyStatus {
  private readonly servers = new Map<string, ServerStatus>();
  private readonly policies = new Map<string, PolicyMessage>();
  private readonly sessions = new Map<string, Set<string>>();
  private readonly reports = new Map<string, ToolReport[]>();
  private readonly served = new Map<string, Pick<ToolsMessage, 'instructions' | 'serverInfo'>>();
  private readonly listeners = new Set<() => void>();

  connected(connection: string, server: string): void {
    const status = this.statusOf(server);
    status.connections.add(connection);
    status.runtime = { state: 'running' };
    this.changed();
  }

  disconnected(connection: string, server: string | undefined): string[] {
    const sessions = [...(this.sessions.get(connection) ?? [])];
    this.sessions.delete(connection);
    this.policies.delete(connection);
    if (server !== undefined) {
      const status = this.statusOf(server);
      status.connections.delete(connection);
      if (status.connections.size === 0) status.runtime = { state: 'stopped', detail: 'the proxy ended' };
    }
    this.changed();
    return sessions;
  }

  session(connection: string, session: string): void {
    let set = this.sessions.get(connection);
    if (!set) this.sessions.set(connection, (set = new Set()));
    set.add(session);
  }

  /** A proxy's latest tools report: its tools with what the policy it enforces decides for each. */
  tools(connection: string, message: ToolsMessage): void {
    this.session(connection, message.session);
    this.reports.set(message.server, message.tools);
    this.served.set(message.server, { ...(typeof message.instructions === 'string' ? { instructions: message.instructions } : {}), ...(message.serverInfo ? { serverInfo: message.serverInfo } : {}) });
    this.changed();
  }

  /** What the server's proxy last said it decides for each tool (its view, after its last reload). */
  reported(server: string): readonly ToolReport[] | undefined {
    return this.reports.get(server);
  }

  /** The server's instructions and name/version, as its proxy last reported them (what Pin Tools pins with the tools). */
  servedDefinitions(server: string): Pick<ToolsMessage, 'instructions' | 'serverInfo'> | undefined {
    return this.served.get(server);
  }

  upstream(message: UpstreamMessage): void {
    const state: ServerState = message.event === 'started' ? 'running' : message.event === 'failed' ? 'error' : 'stopped';
    const detail = message.event === 'exited' ? `the server exited${message.detail ? ` (${message.detail})` : ''}; the next call restarts it` : message.event === 'failed' ? `the server could not start${message.detail ? `: ${message.detail}` : ''}` : undefined;
    this.statusOf(message.server).runtime = detail ? { state, detail } : { state };
    this.changed();
  }

  policy(connection: string, message: PolicyMessage): void {
    this.policies.set(connection, message);
    this.changed();
  }

  runtime(server: string): ServerRuntime | undefined {
    return this.servers.get(server)?.runtime;
  }

  /** Servers with a connected proxy. */
  running(): string[] {
    return [...this.servers].filter(([, status]) => status.connections.size > 0).map(([name]) => name);
  }

  /** The latest policy report of each connected proxy that could not load its policy. */
  policyProblems(): PolicyMessage[] {
    return [...this.policies.values()].filter((message) => message.status !== 'loaded');
  }

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private statusOf(server: string): ServerStatus {
    let status = this.servers.get(server);
    if (!status) this.servers.set(server, (status = { connections: new Set(), runtime: { state: 'stopped' } }));
    return status;
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
