// How VS Code starts a protected server: Warden's proxy (the bundled CLI run by the editor's own Node)
// with the server's resolved entry after `--` (stdio) or as `--url` (HTTP). The server's variables are
// given to the proxy in one variable (src/proxy/server-env.ts), which it sets for the server it starts only.
import { createHash } from 'node:crypto';
import { carriedServerEnv } from '../proxy/server-env';
import type { LaunchEntry } from './launch-entry';
import { stringMap, transportOf } from './launch-entry';

/**
 * Node options the proxy is started with when the editor's executable is Node itself (a remote or web
 * extension host): a 1 MB young generation and one V8 background thread instead of four keep its peak
 * resident memory under load about 3 MB lower (docs/benchmarks.md). Not passed to Electron, whose
 * acceptance of them in its Node mode is not checked here.
 */
export const PROXY_NODE_OPTIONS = ['--max-semi-space-size=1', '--v8-pool-size=1'];

export interface ProxyOptions {
  /** The bundled CLI (dist/cli.js). */
  cliPath: string;
  /** Options for the Node that runs the CLI, before its path. */
  nodeOptions?: string[];
  /** The policy file, absolute. */
  policyFile: string;
  server: string;
  auditFile?: string;
  approvalTimeoutSeconds?: number;
  /** Forward the server's `readOnlyHint` as it is (the `mcpWarden.rewriteAnnotations` setting off). */
  trustAnnotations?: boolean;
}

export interface ProxyInvocation {
  /** Arguments for the editor's Node (process.execPath). */
  args: string[];
  /** Variables to set (a string) or unset (null) on top of the editor's environment. */
  env: Record<string, string | null>;
  /** The server's working folder, when its entry names one. */
  cwd?: string;
}

export class LaunchError extends Error {
  override name = 'LaunchError';
}

/**
 * The proxy invocation for a resolved entry. `fileEnv` holds the variables read from the entry's `envFile`;
 * the entry's own `env` wins over them, as in VS Code.
 */
export function proxyInvocation(entry: LaunchEntry, options: ProxyOptions, fileEnv: Record<string, string> = {}): ProxyInvocation {
  const args = [...(options.nodeOptions ?? []), options.cliPath, 'proxy', '--policy', options.policyFile, '--server', options.server];
  if (options.auditFile) args.push('--audit', options.auditFile);
  if (options.approvalTimeoutSeconds !== undefined) args.push('--approval-timeout', String(options.approvalTimeoutSeconds));
  if (options.trustAnnotations) args.push('--trust-annotations');
  const transport = transportOf(entry);
  if (transport === 'stdio') {
    if (typeof entry.command !== 'string' || entry.command === '') throw new LaunchError(`"${options.server}" has no command to start it with.`);
    args.push('--', entry.command, ...(Array.isArray(entry.args) ? entry.args.map(String) : []));
  } else if (transport === 'http' || transport === 'sse') {
    if (typeof entry.url !== 'string' || entry.url === '') throw new LaunchError(`"${options.server}" has no url.`);
    args.push('--url', entry.url);
    for (const [name, value] of Object.entries(stringMap(entry.headers) ?? {})) args.push('--header', `${name}: ${value}`);
  } else {
    throw new LaunchError(`"${options.server}" has neither a command nor a url.`);
  }
  const serverEnv: Record<string, string | null> = { ...fileEnv };
  if (entry.env && typeof entry.env === 'object' && !Array.isArray(entry.env)) {
    for (const [name, value] of Object.entries(entry.env as Record<string, unknown>)) serverEnv[name] = value === null ? null : String(value);
  }
  // The editor's executable runs as plain Node; the server's variables ride in one variable, for the server alone.
  const invocation: ProxyInvocation = { args, env: { ...carriedServerEnv(serverEnv), ELECTRON_RUN_AS_NODE: '1' } };
  if (typeof entry.cwd === 'string' && entry.cwd !== '') invocation.cwd = entry.cwd;
  return invocation;
}

/** A short, stable version for a definition: it changes when any part changes. */
export function definitionVersion(...parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}
