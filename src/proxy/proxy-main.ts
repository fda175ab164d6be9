// Puts the proxy together: the policy (the file, watched; or, launched by the editor, the approved text
// the editor sends), the audit log, the control channel, the upstream factory and the downstream
// transport; and takes it down cleanly on a signal.
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { version } from '../../package.json';
import { DEFAULT_APPROVAL_TIMEOUT_MS } from './approval';
import { ApprovedPolicySource } from './approved-policy-source';
import { AuditLog } from './audit-log';
import { ControlChannel } from './control-channel';
import { CONTROL_SOCKET_ENV, CONTROL_TICKET_ENV, type PolicyMessage } from './control-protocol';
import { serveStdio } from './downstream-stdio';
import { DEFAULT_MAX_FRAME_BYTES } from './framing';
import type { LockReport } from './lock-source';
import { describeStatus, PolicySource, type EnforcedPolicy, type PolicyStatus } from './policy-source';
import { ProxySession, type Downstream } from './relay';
import { takeServerEnvironment } from './server-env';
import type { Upstream, UpstreamFactory } from './upstream';
import { StdioUpstream } from './upstream-stdio';

/** The server to protect. A stdio server's `env` replaces the proxy's own environment (less the channel's variables). */
export type ProxyTarget = { kind: 'stdio'; command: string; args: string[]; env?: NodeJS.ProcessEnv; cwd?: string } | { kind: 'http'; url: URL; headers: Record<string, string> };

export interface ProxyConfig {
  policyFile: string;
  server: string;
  auditFile?: string;
  listen?: ListenConfig;
  target: ProxyTarget;
  approvalTimeoutMs?: number;
  maxFrameBytes?: number;
  trustAnnotations?: boolean;
}

/** `--listen` and the options that bound the HTTP listener. */
export interface ListenConfig {
  host: string;
  port: number;
  /** The bearer token's file; without it a token is generated and printed on stderr. */
  tokenFile?: string;
  maxSessions?: number;
  sessionIdleMs?: number;
  maxInflightBytes?: number;
  bodyTimeoutMs?: number;
}

export function log(message: string): void {
  process.stderr.write(`mcp-warden: ${message}\n`);
}

/** The upstream named on the command line: `-- CMD ARGS...` or `--url URL [--header "K: V"]...`. */
export function parseProxyTarget(command: string[], url: string | undefined, headers: string[], usage: (message: string) => Error): ProxyTarget {
  if (command.length > 0 && url !== undefined) throw usage('give either a command after -- or --url, not both');
  if (command.length === 0 && url === undefined) throw usage('name the server to protect: a command after --, or --url');
  if (url === undefined) {
    if (headers.length > 0) throw usage('--header applies to --url only');
    return { kind: 'stdio', command: command[0], args: command.slice(1) };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw usage(`--url is not a URL: ${url}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw usage(`--url must be http or https: ${url}`);
  const headerMap: Record<string, string> = {};
  for (const header of headers) {
    const colon = header.indexOf(':');
    if (colon <= 0) throw usage(`--header takes "Name: value", got "${header}"`);
    headerMap[header.slice(0, colon).trim()] = header.slice(colon + 1).trim();
  }
  return { kind: 'http', url: parsed, headers: headerMap };
}

export async function runProxy(config: ProxyConfig): Promise<number> {
  // The server's variables as the editor gives them (server-env.ts): set for the server, never for this process.
  let target = config.target;
  try {
    const serverEnv = takeServerEnvironment(process.env);
    if (serverEnv && target.kind === 'stdio') target = { ...target, env: serverEnv };
  } catch (error) {
    log(`the server's environment cannot be used: ${(error as Error).message}`);
    return 1;
  }
  const maxFrameBytes = config.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const approvalTimeoutMs = config.approvalTimeoutMs ?? DEFAULT_APPROVAL_TIMEOUT_MS;

  // Launched by the editor (either channel variable set): the policy comes from the editor only.
  const launchedByEditor = Boolean(process.env[CONTROL_SOCKET_ENV] || process.env[CONTROL_TICKET_ENV]);
  const policyFile = resolve(config.policyFile);
  const control = ControlChannel.fromEnv(process.env, { pid: process.pid, server: config.server, policy: policyFile, version }, log);
  // VS Code shows every stderr line of a stdio server as a warning ("[warning] [server stderr]"): with the
  // editor on the control channel, informational lines go to its log only, at their level.
  const say = (level: 'info' | 'warn' | 'error', message: string): void => {
    if (level !== 'info' || !control) log(message);
  };
  // Its failures and recoveries go to stderr and to the editor: while it cannot be written, calls are refused.
  const auditReport = (message: string, level: 'info' | 'warn' | 'error'): void => {
    say(level, message);
    control?.send({ type: 'log', server: config.server, level, message });
  };
  const audit = config.auditFile ? AuditLog.open(config.auditFile, { report: auditReport }) : undefined;

  const reportPolicy = (status: PolicyStatus, level: 'info' | 'warn' = status.status === 'loaded' ? 'info' : 'warn'): void => {
    say(level, describeStatus(status));
    control?.send(policyMessage(config.server, status));
  };
  let policy: EnforcedPolicy & { close?(): void };
  if (launchedByEditor) {
    const approved = new ApprovedPolicySource(policyFile);
    approved.onChange((status) => reportPolicy(status));
    policy = approved;
    if (control) {
      control.onPolicy = (text, lock) => (text === undefined ? approved.noneSent() : approved.receive(text, lock));
      control.onLost = (why) => approved.lost(why);
      // Waiting for the editor's policy is how every launch starts, not a problem.
      reportPolicy(approved.waiting(), 'info');
      control.start();
      // The server starts only once the launch's ticket is dead: it can read this process's initial
      // environment in /proc, and must find nothing there it could present to the editor.
      if (!(await control.admitted)) approved.unreachable(control.notAdmitted ?? 'it was not admitted');
    } else {
      approved.unreachable(`set both ${CONTROL_SOCKET_ENV} and ${CONTROL_TICKET_ENV}`);
    }
  } else {
    const file = new PolicySource(policyFile);
    file.onChange((status) => reportPolicy(status));
    reportPolicy(file.load());
    file.watch();
    policy = file;
  }

  // The lockfile's loads and problems, like the policy's (no lockfile at start is not worth a line).
  const reportLock = (report: LockReport): void => {
    say(report.level, report.message);
    control?.send({ type: 'log', server: config.server, level: report.level, message: report.message });
  };
  policy.lock?.onChange(reportLock);
  if (policy.lock?.lastReport && policy.lock.current.status !== 'none') reportLock(policy.lock.lastReport);

  // The sessions' own notes (dropped messages, restarts) go to stderr and to the editor's log channel.
  const sessionLog = (message: string): void => {
    log(message);
    control?.send({ type: 'log', server: config.server, level: 'warn', message });
  };
  const upstream = upstreamFactory(target, maxFrameBytes);
  const sessions = new Set<ProxySession>();
  const createSession = (downstream: Downstream, sessionId: string = randomUUID()): ProxySession => {
    const session = new ProxySession(
      {
        server: config.server,
        sessionId,
        policy,
        upstream,
        audit,
        control,
        editorApprovalsOnly: launchedByEditor,
        approvalTimeoutMs,
        trustAnnotations: config.trustAnnotations === true,
        log: sessionLog,
      },
      downstream,
    );
    sessions.add(session);
    return session;
  };

  let stopping = false;
  const shutdown = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await Promise.all([...sessions].map((s) => s.close()));
    policy.close?.();
    control?.close();
    audit?.close();
  };
  const onSignal = (): void => {
    void shutdown().then(() => process.exit(0));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  if (config.listen) {
    // Loaded only with --listen, so a stdio proxy starts without node:http.
    const { serveHttp } = require('./downstream-http') as typeof import('./downstream-http');
    const { host, port, tokenFile, maxSessions, sessionIdleMs, maxInflightBytes, bodyTimeoutMs } = config.listen;
    const token = listenerToken(tokenFile);
    const server = await serveHttp({
      host,
      port,
      token,
      maxSessions,
      sessionIdleMs,
      maxInflightBytes,
      bodyTimeoutMs,
      maxFrameBytes,
      createSession: (downstream, sessionId) => createSession(downstream, sessionId),
      endSession: (session) => {
        sessions.delete(session);
        return session.close();
      },
      log,
    });
    if (tokenFile === undefined) log(`bearer token for this listener (send "Authorization: Bearer TOKEN"; --token-file to choose it): ${token}`);
    log(`listening on http://${formatHost(host)}:${server.port}/mcp`);
    await server.closed;
  } else {
    await serveStdio((downstream) => createSession(downstream), { maxFrameBytes });
  }
  await shutdown();
  // Watchers, timers and sockets are all closed or unref'd; exit now rather than wait for stragglers.
  process.exit(0);
}

/** The listener's token: from --token-file, else made for this run. Exits with the reason when the file is unusable. */
export function listenerToken(tokenFile: string | undefined): string {
  const { generateToken, readTokenFile } = require('./listener-token') as typeof import('./listener-token');
  if (tokenFile === undefined) return generateToken();
  try {
    const { token, warning } = readTokenFile(tokenFile);
    if (warning) log(warning);
    return token;
  } catch (error) {
    log((error as Error).message);
    process.exit(2);
  }
}

function upstreamFactory(target: ProxyTarget, maxFrameBytes: number): UpstreamFactory {
  return () => createUpstream(target, maxFrameBytes, log);
}

/** A new upstream session for the target. */
export function createUpstream(target: ProxyTarget, maxFrameBytes: number, logTo: (message: string) => void): Upstream {
  if (target.kind === 'stdio') return new StdioUpstream({ command: target.command, args: target.args, env: target.env, cwd: target.cwd, maxFrameBytes, log: logTo });
  // Loaded only for URL upstreams.
  const { HttpUpstream } = require('./upstream-http') as typeof import('./upstream-http');
  return new HttpUpstream({ url: target.url, headers: target.headers, maxFrameBytes, log: logTo });
}

export function policyMessage(server: string, status: PolicyStatus): PolicyMessage {
  if (status.status === 'loaded') return { type: 'policy', server, status: 'loaded', file: status.file };
  if (status.status === 'missing') {
    const message: PolicyMessage = { type: 'policy', server, status: 'missing', file: status.file, keptLastGood: status.keptLastGood };
    if (status.detail !== undefined) message.diagnostics = [{ line: 1, column: 1, severity: 'error', code: 'no-approved-policy', message: status.detail }];
    return message;
  }
  return {
    type: 'policy',
    server,
    status: 'invalid',
    file: status.file,
    keptLastGood: status.keptLastGood,
    diagnostics: status.diagnostics.map((d) => ({
      line: d.range.start.line + 1,
      column: d.range.start.character + 1,
      severity: d.severity,
      code: d.code,
      message: d.message,
    })),
  };
}

export function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
