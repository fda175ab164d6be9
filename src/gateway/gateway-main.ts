// Puts the gateway together: one policy (the file, watched; or, launched by the editor, the approved
// text it sends) with one engine state, so `scope: server` and `scope: global` limits count every
// session; one audit log; one control channel; one listener with its guard, session cap and byte
// budget; and an MCP endpoint per served server, whose sessions are the proxy's own (relay.ts), each
// with its own upstream session. The served set comes from the policy's `launch` entries, read once at
// start (run from the command line), or from the editor's `servers` messages (launched by the editor).
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { version } from '../../package.json';
import { DEFAULT_APPROVAL_TIMEOUT_MS } from '../proxy/approval';
import { ApprovedPolicySource } from '../proxy/approved-policy-source';
import { AuditLog } from '../proxy/audit-log';
import { ControlChannel } from '../proxy/control-channel';
import { CONTROL_SOCKET_ENV, CONTROL_TICKET_ENV, TICKET_LIFETIME_MS, type ServedServer } from '../proxy/control-protocol';
import { DEFAULT_MAX_FRAME_BYTES } from '../proxy/framing';
import { listenHttp } from '../proxy/http-listener';
import { generateToken } from '../proxy/listener-token';
import { listenerLimits, McpEndpoint } from '../proxy/mcp-endpoint';
import { describeStatus, PolicySource, type EnforcedPolicy, type PolicyStatus } from '../proxy/policy-source';
import { createUpstream, formatHost, listenerToken, log, policyMessage, type ListenConfig } from '../proxy/proxy-main';
import { readRegularFileSync } from '../proxy/regular-file';
import { MAX_POLICY_BYTES } from '../proxy/policy-source';
import { ProxySession } from '../proxy/relay';
import { ApprovalsPage, APPROVALS_PUBLIC_PATHS } from './approvals-page';
import { whenEditorGone } from './editor-lifeline';
import { gatewayRouter } from './gateway-router';
import { launchEntriesOf, policyLaunches } from './policy-launches';
import { launchKey, targetOf } from './served-launch';
import { ServedSet, type ServerEntry } from './served-set';
import { ticketFromStdin } from './stdin-ticket';
import { loadIdentities, type IdentityConfig } from '../team/identity-config';
import type { Identities } from '../team/identity';
import { openTeamState } from '../team/open-state';
import type { TeamState } from '../team/state';

export interface GatewayConfig {
  policyFile: string;
  auditFile?: string;
  listen: ListenConfig;
  approvalTimeoutMs?: number;
  maxFrameBytes?: number;
  trustAnnotations?: boolean;
  /** `${workspaceFolder}` and relative paths of the launch entries (command line only); the working folder by default. */
  workspaceFolder?: string;
  /** A team's identities (`--tokens`, OIDC): every request needs one instead of the one listener token. */
  identities?: IdentityConfig;
  /** `--redis URL`: rate limits and the audit copy in Redis, shared by every instance that names it. */
  redisUrl?: string;
  /** `--public-host NAME`: host names clients use (a TLS terminator in front), accepted in Host and Origin. */
  publicHosts?: string[];
  /** How long a Redis answer may take before the decision that needs it is refused (250 ms by default). */
  redisTimeoutMs?: number;
}

export async function runGateway(config: GatewayConfig): Promise<number> {
  const maxFrameBytes = config.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const approvalTimeoutMs = config.approvalTimeoutMs ?? DEFAULT_APPROVAL_TIMEOUT_MS;
  const launchedByEditor = Boolean(process.env[CONTROL_SOCKET_ENV] || process.env[CONTROL_TICKET_ENV]);
  const policyFile = resolve(config.policyFile);

  // Run by a person: the launch entries of the policy as it is now, and only from a policy without errors.
  let startEntries: ServerEntry[] = [];
  let startLaunches: string | undefined;
  if (!launchedByEditor) {
    const read = readRegularFileSync(policyFile, MAX_POLICY_BYTES);
    if (!read.ok) {
      log(`the policy file ${read.problem}; the gateway serves the launch entries of a policy without errors`);
      return 1;
    }
    const launches = policyLaunches(read.text, policyFile, resolve(config.workspaceFolder ?? process.cwd()), process.env);
    if (!launches.ok) {
      log(`the policy has errors, so none of its launch entries is run:\n${launches.errors.map((e) => `  ${e}`).join('\n')}`);
      return 1;
    }
    if (launches.servers.length === 0) {
      log(`the policy ${policyFile} has no server with a launch entry (servers: NAME: launch: …): nothing to serve`);
      return 1;
    }
    startLaunches = launchEntriesOf(read.text, policyFile);
    startEntries = launches.servers.map((s) => (s.launch ? { name: s.name, key: launchKey(s.launch), launch: targetOf(s.launch, process.env) } : { name: s.name, key: s.problem, launch: { problem: s.problem } }));
    for (const entry of startEntries) if (entry.launch.problem) log(`server "${entry.name}" cannot be started: ${entry.launch.problem}; its sessions fail with this reason`);
  }

  // A team's gateway (run from the command line only): its identities, read once; a problem stops the start.
  let identities: Identities | undefined;
  if (config.identities && !launchedByEditor) {
    try {
      identities = loadIdentities(config.identities);
    } catch (error) {
      log(`the identities cannot be used: ${(error as Error).message}`);
      return 1;
    }
  }
  const state: TeamState | undefined = config.redisUrl !== undefined && !launchedByEditor ? openTeamState({ redis: { url: config.redisUrl, ...(config.redisTimeoutMs ? { timeoutMs: config.redisTimeoutMs } : {}) }, log }) : undefined;
  // With identities, calls that ask wait for the policy's approvers on the approvals page: in Redis when
  // given (any instance's page answers), else in this process.
  const teamApprovals: TeamState | undefined = identities ? (state ?? openTeamState()) : undefined;

  // The control channel exists once the listener's address is known; until then reports go to stderr only.
  let control: ControlChannel | undefined;
  const tell = (server: string, level: 'info' | 'warn' | 'error', message: string): void => {
    log(server ? `[${server}] ${message}` : message);
    control?.send({ type: 'log', server, level, message });
  };
  const copy = state ? (lines: string) => copyAuditLines(state, lines) : undefined;
  const audit = config.auditFile ? AuditLog.open(config.auditFile, { report: (message, level) => tell('', level, message), ...(copy ? { copy } : {}) }) : undefined;

  let served: ServedSet | undefined;
  let lastStatus: PolicyStatus | undefined;
  const reportPolicy = (status: PolicyStatus): void => {
    lastStatus = status;
    log(describeStatus(status));
    for (const name of served?.names() ?? []) control?.send(policyMessage(name, status));
  };

  let policy: EnforcedPolicy & { close?(): void };
  let approved: ApprovedPolicySource | undefined;
  if (launchedByEditor) {
    approved = new ApprovedPolicySource(policyFile);
    approved.onChange(reportPolicy);
    policy = approved;
  } else {
    const file = new PolicySource(policyFile);
    file.onChange((status) => {
      reportPolicy(status);
      if (status.status === 'loaded') noteLaunchChanges();
    });
    reportPolicy(file.load());
    file.watch();
    policy = file;
  }
  // The lockfile's loads and problems, as for a proxy (no lockfile at start is not worth a line).
  policy.lock?.onChange((report) => tell('', report.level, report.message));
  if (policy.lock?.lastReport && policy.lock.current.status !== 'none') tell('', policy.lock.lastReport.level, policy.lock.lastReport.message);
  // The served set is fixed at start on the command line: an edit of a launch entry (which anything that
  // can write the file could make) runs nothing until a person restarts the gateway.
  function noteLaunchChanges(): void {
    const read = readRegularFileSync(policyFile, MAX_POLICY_BYTES);
    const now = read.ok ? launchEntriesOf(read.text, policyFile) : undefined;
    if (now !== undefined && now !== startLaunches) {
      startLaunches = now;
      log('the launch entries in the policy changed; the gateway keeps starting servers as it did when it started: restart it to apply them');
    }
  }

  const sessions = new Set<ProxySession>();
  const limits = listenerLimits({ maxFrameBytes, ...config.listen });
  served = new ServedSet(
    (name, newUpstream) =>
      new McpEndpoint(
        limits,
        {
          createSession: (downstream, sessionId = randomUUID(), principal) => {
            const session = new ProxySession(
              {
                server: name,
                sessionId,
                policy,
                ...(principal ? { principal } : {}),
                ...(state ? { state } : {}),
                ...(teamApprovals ? { teamApprovals: teamApprovals.approvals, teamGrants: teamApprovals.grants } : {}),
                upstream: newUpstream,
                audit,
                control,
                editorApprovalsOnly: launchedByEditor,
                approvalTimeoutMs,
                trustAnnotations: config.trustAnnotations === true,
                log: (message) => tell(name, 'warn', message),
              },
              downstream,
            );
            sessions.add(session);
            return session;
          },
          endSession: (session) => {
            sessions.delete(session);
            // The editor counts a server as running while it has a session: tell it this one ended.
            control?.send({ type: 'upstream', server: name, session: session.sessionId, event: 'exited', detail: 'the session ended' });
            return session.close();
          },
        },
        (message) => tell(name, 'info', message),
        name,
      ),
    (target) => createUpstream(target, maxFrameBytes, log),
  );
  await served.replace(startEntries);

  const token = launchedByEditor ? generateToken() : listenerToken(config.listen.tokenFile);
  let admitted = !launchedByEditor;
  const health = (): string | undefined => {
    if (!admitted) return 'the editor that launched the gateway has not admitted it';
    const current = policy.current;
    return current.engine ? undefined : (current.refusal.reason ?? 'no policy is enforced');
  };
  const identify = identities ? (authorization: string | undefined) => identities.identify(authorization) : undefined;
  const server = await listenHttp(
    { host: config.listen.host, port: config.listen.port, token, sessionIdleMs: config.listen.sessionIdleMs, log, ...(identify ? { identify, publicPaths: APPROVALS_PUBLIC_PATHS } : {}), ...(config.publicHosts ? { publicHosts: config.publicHosts } : {}) },
    gatewayRouter(served, health, teamApprovals ? new ApprovalsPage(teamApprovals.approvals, () => policy.current.engine?.policy, log) : undefined),
  );
  const url = `http://${formatHost(config.listen.host)}:${server.port}`;

  if (launchedByEditor) {
    // The editor's window sends the ticket down the stdin pipe (stdin-ticket.ts); an environment ticket is still taken.
    let channelEnv = process.env;
    if (channelEnv[CONTROL_SOCKET_ENV] && channelEnv[CONTROL_TICKET_ENV] === undefined) {
      const read = await ticketFromStdin(TICKET_LIFETIME_MS);
      if ('ticket' in read) channelEnv = { ...channelEnv, [CONTROL_TICKET_ENV]: read.ticket };
      else log(`control channel: ${read.problem}`);
    }
    control = ControlChannel.fromEnv(channelEnv, { gateway: { pid: process.pid, policy: policyFile, version, url, token } }, log);
    if (control) {
      control.onPolicy = (text, lock) => (text === undefined ? approved!.noneSent() : approved!.receive(text, lock));
      control.onLost = (why) => approved!.lost(why);
      control.onServers = (list) => void serveFromEditor(list);
      reportPolicy(approved!.waiting());
      control.start();
      admitted = await control.admitted;
      if (!admitted) approved!.unreachable(control.notAdmitted ?? 'it was not admitted');
    } else {
      approved!.unreachable(`set both ${CONTROL_SOCKET_ENV} and ${CONTROL_TICKET_ENV}`);
    }
  }

  /** The editor's served set: each entry checked; an unusable one is logged and not served. */
  async function serveFromEditor(list: ServedServer[]): Promise<void> {
    const entries: ServerEntry[] = [];
    const seen = new Set<string>();
    for (const item of list as unknown[]) {
      const name = (item as { name?: unknown } | null)?.name;
      if (typeof name !== 'string' || name === '') {
        tell('', 'error', 'the editor sent a server without a name; not served');
        continue;
      }
      if (seen.has(name)) {
        tell(name, 'error', `the editor named the server "${name}" twice; served as first given`);
        continue;
      }
      seen.add(name);
      const launch = (item as { launch?: unknown }).launch;
      const target = targetOf(launch, process.env);
      if (target.problem !== undefined) {
        tell(name, 'error', `not served: ${target.problem}`);
        continue;
      }
      entries.push({ name, key: launchKey(launch), launch: target });
    }
    const change = await served!.replace(entries);
    for (const name of change.removed) control?.forgetServer(name);
    for (const name of change.changed) tell(name, 'info', 'its launch changed: its open sessions were ended; new sessions start the new launch');
    for (const name of change.removed) tell(name, 'info', 'no longer served: its open sessions were ended');
    if (lastStatus) for (const name of [...change.added, ...change.changed]) control?.send(policyMessage(name, lastStatus));
  }

  let stopping = false;
  const shutdown = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await server.close();
    await Promise.all([...sessions].map((s) => s.close()));
    policy.close?.();
    control?.close();
    audit?.close();
    await teamApprovals?.close();
  };
  const onSignal = (): void => {
    void shutdown().then(() => process.exit(0));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // Launched by the editor: it ends with the editor, whose pipe is its stdin.
  if (launchedByEditor) {
    whenEditorGone(() => {
      log('the editor that launched the gateway is gone (its stdin closed): stopping, with its servers');
      onSignal();
    });
  }

  if (state) log(`team state in ${state.where}`);
  if (identities) log(`every request needs a team identity (--tokens or OIDC); each session is its opener's; approvals at ${url}/approvals`);
  else if (!launchedByEditor && config.listen.tokenFile === undefined) {
    log(`bearer token for this gateway (send "Authorization: Bearer TOKEN"; --token-file to choose it): ${token}`);
  }
  for (const name of served.names()) log(`serving "${name}" at ${url}/servers/${encodeURIComponent(name)}/mcp`);
  log(`gateway listening on ${url}`);
  await server.closed;
  await shutdown();
  process.exit(0);
}

/** The audit lines also go to the team's Stream; a copy that fails is logged (the file holds them). */
function copyAuditLines(state: TeamState, lines: string): void {
  for (const line of lines.split('\n')) {
    if (line !== '') state.audit.append(line).catch((error: Error) => log(`an audit line was not copied to ${state.where}: ${error.message}`));
  }
}
