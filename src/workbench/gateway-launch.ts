// How the editor runs one gateway for a window instead of a proxy per protected server: the gateway's
// command line (no secret on it: the control ticket goes down its stdin pipe, the servers' resolved
// entries over the control channel), each server's `servers` entry, its URL at the gateway, which mode a
// window uses, and how long to wait before restarting a gateway that died.
import type { ServedLaunch, ServedServer } from '../proxy/control-protocol';
import type { LaunchEntry } from './launch-entry';
import { stringMap, transportOf } from './launch-entry';
import { LaunchError, type ProxyOptions } from './proxy-launch';

export type GatewayOptions = Omit<ProxyOptions, 'server'>;

export interface GatewayInvocation {
  /** Arguments for the editor's Node (process.execPath). */
  args: string[];
  /** Variables to set on top of the editor's environment (the control channel's are added at launch). */
  env: Record<string, string>;
}

/** The gateway's command line: loopback, a port the system picks; it reports both, with its token, in its hello. */
export function gatewayInvocation(options: GatewayOptions): GatewayInvocation {
  const args = [...(options.nodeOptions ?? []), options.cliPath, 'gateway', '--policy', options.policyFile, '--listen', '127.0.0.1:0'];
  if (options.auditFile) args.push('--audit', options.auditFile);
  if (options.approvalTimeoutSeconds !== undefined) args.push('--approval-timeout', String(options.approvalTimeoutSeconds));
  if (options.trustAnnotations) args.push('--trust-annotations');
  return { args, env: { ELECTRON_RUN_AS_NODE: '1' } };
}

/**
 * The `servers` entry for a resolved launch entry: what the gateway starts (or connects to) for `name`.
 * `fileEnv` holds the variables of the entry's `envFile`; the entry's own `env` wins over them, as in VS
 * Code. `defaultCwd` is where a stdio server runs when its entry names no folder (the workspace folder).
 */
export function servedServer(name: string, entry: LaunchEntry, fileEnv: Record<string, string> = {}, defaultCwd?: string): ServedServer {
  const transport = transportOf(entry);
  let launch: ServedLaunch;
  if (transport === 'stdio') {
    if (typeof entry.command !== 'string' || entry.command === '') throw new LaunchError(`"${name}" has no command to start it with.`);
    const env: Record<string, string | null> = { ...fileEnv };
    if (entry.env && typeof entry.env === 'object' && !Array.isArray(entry.env)) {
      for (const [key, value] of Object.entries(entry.env as Record<string, unknown>)) env[key] = value === null ? null : String(value);
    }
    const cwd = typeof entry.cwd === 'string' && entry.cwd !== '' ? entry.cwd : defaultCwd;
    launch = {
      command: entry.command,
      args: Array.isArray(entry.args) ? entry.args.map(String) : [],
      env,
      ...(cwd ? { cwd } : {}),
    };
  } else if (transport === 'http' || transport === 'sse') {
    if (typeof entry.url !== 'string' || entry.url === '') throw new LaunchError(`"${name}" has no url.`);
    launch = { url: entry.url, headers: { ...(stringMap(entry.headers) ?? {}) } };
  } else {
    throw new LaunchError(`"${name}" has neither a command nor a url.`);
  }
  return { name, launch };
}

/** Where VS Code reaches `server` at a gateway listening at `base` (e.g. `http://127.0.0.1:41234`). */
export function gatewayServerUrl(base: string, server: string): string {
  return `${base.replace(/\/+$/, '')}/servers/${encodeURIComponent(server)}/mcp`;
}

/** The `mcpWarden.proxyMode` setting. */
export type ProxyModeSetting = 'auto' | 'gateway' | 'perServer';
export type ProxyMode = 'gateway' | 'perServer';

export interface ModeFacts {
  setting: unknown;
  /** This VS Code offers HTTP server definitions to extensions (`vscode.McpHttpServerDefinition`). */
  httpDefinitions: boolean;
  /** Why a gateway of this window could not be used (not reachable, would not start), once that happened. */
  gatewayUnusable?: string;
}

/**
 * The mode a window uses. `auto` is the gateway wherever VS Code can be given an HTTP definition and the
 * gateway answered on loopback from this extension host (VS Code's MCP client opens an extension's HTTP
 * definitions from the extension host, also in a remote window); else one proxy per server. `gateway` is
 * kept even when the gateway is unusable: its servers then do not start (closed, never unprotected).
 */
export function chooseMode(facts: ModeFacts): { mode: ProxyMode; why: string } {
  const setting: ProxyModeSetting = facts.setting === 'gateway' || facts.setting === 'perServer' ? facts.setting : 'auto';
  if (setting === 'perServer') return { mode: 'perServer', why: 'mcpWarden.proxyMode is perServer' };
  if (setting === 'gateway') return { mode: 'gateway', why: 'mcpWarden.proxyMode is gateway' };
  if (!facts.httpDefinitions) return { mode: 'perServer', why: 'this VS Code cannot be given HTTP server definitions' };
  if (facts.gatewayUnusable) return { mode: 'perServer', why: `the gateway is not usable in this window (${facts.gatewayUnusable})` };
  return { mode: 'gateway', why: 'mcpWarden.proxyMode is auto' };
}

/** Delays before restarting a gateway that died: quick at first, then slower, reset once it stayed up. */
export const RESTART_DELAYS_MS = [250, 500, 1000, 2000, 5000, 10_000, 30_000];
/** A gateway that ran this long before dying starts the delays over. */
export const STABLE_AFTER_MS = 60_000;

export class RestartBackoff {
  private failures = 0;

  constructor(private readonly delays: readonly number[] = RESTART_DELAYS_MS, private readonly stableAfterMs = STABLE_AFTER_MS) {}

  /** The wait before the next start, for a gateway that ran `ranMs` before it died. */
  next(ranMs: number): number {
    if (ranMs >= this.stableAfterMs) this.failures = 0;
    const delay = this.delays[Math.min(this.failures, this.delays.length - 1)];
    this.failures++;
    return delay;
  }

  reset(): void {
    this.failures = 0;
  }
}
