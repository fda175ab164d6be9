// Create Policy pins the servers it writes rules for: each whose whole definitions Warden has (reported by
// its proxy, or listed by Discover Tools in this window) and that the lockfile beside the new policy does
// not pin yet. The lockfile is written like any other change, not as a person's act: Create Policy can be
// run by anyone, and a new server entry only holds tools back (it applies at once), while nothing already
// pinned is changed.
import * as vscode from 'vscode';
import type { MemoryCatalogue } from '../../language/catalogue';
import { emptyLockfile, formatLockfile, lockfilePathFor, parseLockfile, pinServer, type Lockfile } from '../../pinning/lockfile';
import { liveDefinition } from '../../pinning/tool-marks';
import type { ProxyStatus } from '../../workbench/proxy-status';
import { readText, writeText } from '../wiring/text-files';

type CreatedPolicyPinner = (policy: vscode.Uri, servers: readonly string[]) => Promise<string[]>;

let pinner: CreatedPolicyPinner | undefined;

/** Set at activation by the pinning wiring; until then Create Policy pins nothing. */
export function setCreatedPolicyPinner(current: CreatedPolicyPinner | undefined): void {
  pinner = current;
}

/** Pins what it can of `servers` beside the new policy; returns the servers pinned. */
export function pinCreatedPolicy(policy: vscode.Uri, servers: readonly string[]): Promise<string[]> {
  return pinner ? pinner(policy, servers).catch(() => []) : Promise.resolve([]);
}

/** The pinner over the proxies' reports and the catalogue's discovered tools. */
export function createdPolicyPinner(proxies: ProxyStatus, catalogue: MemoryCatalogue, reload: () => Promise<void>): CreatedPolicyPinner {
  return async (policy, servers) => {
    const uri = policy.with({ path: lockfilePathFor(policy.path) });
    const text = await readText(uri);
    const parsed = text === undefined ? { lockfile: emptyLockfile() } : parseLockfile(text);
    if (!parsed.lockfile) return []; // Not a lockfile: it is not rewritten behind anyone's back.
    let lockfile: Lockfile = parsed.lockfile;
    const pinned: string[] = [];
    for (const server of servers) {
      if (lockfile.servers.has(server)) continue;
      const tools = definitionsOf(server, proxies, catalogue);
      if (!tools) continue;
      lockfile = pinServer(lockfile, server, { ...proxies.servedDefinitions(server), tools }).lockfile;
      pinned.push(server);
    }
    if (pinned.length === 0) return [];
    await writeText(uri, formatLockfile(lockfile));
    await reload();
    return pinned;
  };
}

/** The whole definitions of a server's tools as listed, when Warden has them. */
function definitionsOf(server: string, proxies: ProxyStatus, catalogue: MemoryCatalogue): unknown[] | undefined {
  const reports = proxies.reported(server);
  if (reports) return reports.map((report) => ({ name: report.name, ...liveDefinition(report) }));
  const listed = catalogue.tools(server);
  // Discovery keeps every pinned field; a cached or extension-given list may not, and would pin less than is listed.
  if (listed?.origin === 'discovery') return listed.tools.map((tool) => ({ ...tool }));
  return undefined;
}
