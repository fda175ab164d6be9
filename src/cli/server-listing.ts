// The servers `pin` and `scan` look at: one named on the command line (`-- CMD ARGS...` or `--url`), or
// the policy's `launch` entries (every one, or the one `--server` names). A launch entry runs the command
// the policy names: a person running the command line chose that policy. Each server is listed once
// through the proxy's own client (initialize, then every page of tools/list).
import { version } from '../../package.json';
import { policyLaunches } from '../gateway/policy-launches';
import { targetOf } from '../gateway/served-launch';
import { DEFAULT_MAX_FRAME_BYTES } from '../proxy/framing';
import { createUpstream, parseProxyTarget, type ProxyTarget } from '../proxy/proxy-main';
import { readRegularFileSync } from '../proxy/regular-file';
import { MAX_POLICY_BYTES } from '../proxy/policy-source';
import { listServerDefinitions, type ServerListing } from '../proxy/tool-lister';
import { UsageError } from './usage';

export interface ServerToList {
  name: string;
  target?: ProxyTarget;
  /** Why the server cannot be started from its launch entry. */
  problem?: string;
}

export interface TargetOptions {
  policy?: string;
  server?: string;
  url?: string;
  header?: string[];
  command: string[];
  workspaceFolder?: string;
  usage: string;
}

/** The servers the command line names; a usage error when it names none it can start. */
export function serversToList(options: TargetOptions): ServerToList[] {
  const usage = (message: string): UsageError => new UsageError(`${message}\n${options.usage}`);
  if (options.command.length > 0 || options.url !== undefined) {
    return [{ name: options.server ?? 'server', target: parseProxyTarget(options.command, options.url, options.header ?? [], usage) }];
  }
  if ((options.header ?? []).length > 0) throw usage('--header applies to --url only');
  if (options.policy === undefined) throw usage('name the server: a command after --, --url, or --policy with launch entries');
  const read = readRegularFileSync(options.policy, MAX_POLICY_BYTES);
  if (!read.ok) throw usage(`the policy ${read.problem}`);
  const launches = policyLaunches(read.text, options.policy, options.workspaceFolder ?? process.cwd(), process.env);
  if (!launches.ok) throw new UsageError(`the policy has errors, so its launch entries are not run:\n${launches.errors.join('\n')}`);
  const servers = launches.servers.filter((s) => options.server === undefined || s.name === options.server);
  if (servers.length === 0) {
    throw usage(options.server === undefined ? `the policy ${options.policy} has no launch entries: name the server with -- CMD or --url` : `the policy has no launch entry for "${options.server}": name it with -- CMD or --url`);
  }
  return servers.map((s) => {
    if (s.problem !== undefined) return { name: s.name, problem: s.problem };
    const target = targetOf(s.launch, process.env);
    return target.target ? { name: s.name, target: target.target } : { name: s.name, problem: target.problem };
  });
}

/** Lists one server's definitions; the reason when it cannot. */
export async function listServer(server: ServerToList): Promise<{ listing: ServerListing; problem?: undefined } | { listing?: undefined; problem: string }> {
  if (!server.target) return { problem: server.problem ?? 'it cannot be started' };
  try {
    const upstream = createUpstream(server.target, DEFAULT_MAX_FRAME_BYTES, (message) => process.stderr.write(`mcp-warden: ${server.name}: ${message}\n`));
    return { listing: await listServerDefinitions(upstream, version) };
  } catch (error) {
    return { problem: (error as Error).message };
  }
}
