// Where the proxies' reports go: tools into the catalogue (origin `proxy`), decisions into the log,
// policy and upstream events into the status, approval requests to the broker and its answers back.
// A gateway's connection serves many servers: each of its messages names its server, which counts as
// running while it has a session there (from its upstream's start, or its tools report, until the session
// or the gateway's connection ends), as a proxy's server runs while its proxy is connected.
import type { MemoryCatalogue } from '../language/catalogue';
import type { ToolInfo } from '../policy/model';
import type { ToolReport } from '../proxy/control-protocol';
import type { ApprovalBroker } from './approval-broker';
import type { ControlConnection, ControlHandlers, ProxyIdentity } from './control-connection';
import { decisionLogLine, type DecisionLog } from './decision-log';
import type { ProxyStatus } from './proxy-status';

export type LogLevel = 'info' | 'warn' | 'error';

export interface HubSinks {
  catalogue: Pick<MemoryCatalogue, 'setTools' | 'tools'>;
  decisions: DecisionLog;
  status: ProxyStatus;
  approvals: ApprovalBroker;
  log(level: LogLevel, message: string): void;
  /** Tells the user that a process tried to speak for Warden with a credential it copied. */
  alarm?(message: string): void;
  /** The window's gateway: told when one is welcomed (to send it its servers) and when its connection closes. */
  gateway?: {
    welcomed(gateway: ProxyIdentity, connection: ControlConnection): void;
    closed(gateway: ProxyIdentity): void;
  };
}

export function controlHandlers(id: string, connection: ControlConnection, sinks: HubSinks): ControlHandlers {
  const connectionKey = `proxy-${id}`;
  /** A gateway's open sessions (`server`, `session`), each counted by the status as one connection of its server. */
  const gatewaySessions = new Map<string, { server: string; session: string }>();
  const sessionKey = (server: string, session: string) => `${connectionKey}/${JSON.stringify([server, session])}`;
  const opened = (proxy: ProxyIdentity, server: string, session: string) => {
    const key = sessionKey(server, session);
    if (!proxy.gateway || gatewaySessions.has(key)) return;
    gatewaySessions.set(key, { server, session });
    sinks.status.connected(key, server);
  };
  const ended = (proxy: ProxyIdentity, server: string, session: string) => {
    const key = sessionKey(server, session);
    if (!proxy.gateway || !gatewaySessions.delete(key)) return;
    sinks.status.disconnected(key, server);
  };
  return {
    welcomed: (proxy) => {
      if (proxy.gateway) {
        sinks.log('info', `gateway ${proxy.version} (pid ${proxy.pid}) connected, listening at ${proxy.gateway.url}; policy ${proxy.policy}`);
        sinks.gateway?.welcomed(proxy, connection);
        return;
      }
      sinks.status.connected(connectionKey, proxy.server);
      sinks.log('info', `[${proxy.server}] proxy ${proxy.version} (pid ${proxy.pid}) connected; policy ${proxy.policy}`);
    },
    tools: (message, proxy) => {
      opened(proxy, message.server, message.session);
      sinks.status.tools(connectionKey, message);
      const tools = mergeTools(message.tools, sinks.catalogue.tools(message.server)?.tools ?? []);
      const current = sinks.catalogue.tools(message.server);
      if (current?.origin === 'proxy' && JSON.stringify(current.tools) === JSON.stringify(tools)) return;
      sinks.catalogue.setTools(message.server, tools, 'proxy');
      sinks.log('info', `[${message.server}] lists ${tools.length} tools`);
    },
    decision: (message, proxy) => {
      const entry = sinks.decisions.add(message, proxy.policy);
      sinks.log(entry.decision === 'deny' ? 'warn' : 'info', `[${proxy.gateway ? message.server : proxy.server}] ${decisionLogLine(entry)}`);
    },
    policy: (message, proxy) => {
      sinks.status.policy(connectionKey, message);
      const server = proxy.gateway ? message.server : proxy.server;
      if (message.status === 'loaded') sinks.log('info', `[${server}] policy loaded: ${message.file}`);
      else {
        const problems = (message.diagnostics ?? []).map((d) => `${message.file}:${d.line}:${d.column} ${d.message}`).join('; ');
        const kept = message.keptLastGood ? 'the last good version is still enforced' : 'every call is refused until it is fixed';
        sinks.log('error', `[${server}] policy ${message.status}: ${kept}${problems ? ` — ${problems}` : ''}`);
      }
    },
    upstream: (message, proxy) => {
      if (message.event === 'started') opened(proxy, message.server, message.session);
      else ended(proxy, message.server, message.session);
      sinks.status.upstream(message);
      sinks.log(message.event === 'started' ? 'info' : 'error', `[${proxy.gateway ? message.server : proxy.server}] server ${message.event}${message.detail ? `: ${message.detail}` : ''}`);
    },
    log: (message, proxy) => sinks.log(message.level, `[${proxy.gateway ? message.server || 'gateway' : proxy.server}] ${message.message}`),
    approvalRequest: (message, proxy) => {
      const server = proxy.gateway ? message.server : proxy.server;
      sinks.log('info', `[${server}] asks to approve ${message.tool} (request ${message.id})`);
      void sinks.approvals.request(connectionKey, message, proxy.policy).then((answer) => {
        if (!answer) return;
        connection.respond(message.id, answer.approved, answer.reason);
        sinks.log('info', `[${server}] ${message.tool}: ${answer.approved ? 'approved' : 'not approved'} (${answer.by})${answer.reason ? ` — ${answer.reason}` : ''}`);
      });
    },
    approvalCancel: (message, proxy) => {
      sinks.approvals.withdraw(connectionKey, message.id, message.reason);
      sinks.log('info', `[${proxy.gateway ? 'gateway' : proxy.server}] withdrew approval request ${message.id}: ${message.reason}`);
    },
    rejected: (reason) => sinks.log('warn', `control channel: ${reason}`),
    alarm: (message) => {
      sinks.log('error', `control channel: refused an impostor: ${message}`);
      sinks.alarm?.(message);
    },
    closed: (proxy) => {
      if (proxy?.gateway) {
        for (const [key, { server }] of gatewaySessions) sinks.status.disconnected(key, server);
        gatewaySessions.clear();
        sinks.approvals.connectionClosed(connectionKey, sinks.status.disconnected(connectionKey, undefined));
        sinks.log('warn', `gateway (pid ${proxy.pid}) disconnected`);
        sinks.gateway?.closed(proxy);
        return;
      }
      const sessions = sinks.status.disconnected(connectionKey, proxy?.server);
      sinks.approvals.connectionClosed(connectionKey, sessions);
      if (proxy) sinks.log('info', `[${proxy.server}] proxy (pid ${proxy.pid}) disconnected`);
    },
  };
}

/** The reported tools as the catalogue keeps them; an input schema listed earlier (the report has none) is kept. */
function mergeTools(reported: readonly ToolReport[], earlier: readonly ToolInfo[]): ToolInfo[] {
  const schemas = new Map(earlier.map((tool) => [tool.name, tool.inputSchema]));
  return reported.map((report) => {
    const tool: ToolInfo = { name: report.name };
    if (typeof report.description === 'string') tool.description = report.description;
    if (report.annotations && typeof report.annotations === 'object') tool.annotations = report.annotations as ToolInfo['annotations'];
    const schema = schemas.get(report.name);
    if (schema) tool.inputSchema = schema;
    return tool;
  });
}
