// `mcp-warden pin --policy P [--server S [--tool T]...] [(-- CMD [ARGS...] | --url URL [--header "K: V"]...)]`:
// lists a server's tools and writes its entry in P's lockfile (every tool, or only those named), printing
// what was added, changed and removed; without a server named on the command line, every server with a
// `launch` entry in P (or the one --server names). An existing lockfile that is invalid is left as it is:
// nothing is lost to a rewrite.
import { renameSync, writeFileSync } from 'node:fs';
import { emptyLockfile, formatLockfile, lockfilePathFor, MAX_LOCKFILE_BYTES, parseLockfile, pinServer, type Lockfile, type PinChanges } from '../pinning/lockfile';
import { readRegularFileSync } from '../proxy/regular-file';
import { listServer, serversToList } from './server-listing';
import { parseCommandLine, UsageError } from './usage';

export const USAGE = `usage: mcp-warden pin --policy P [--server S [--tool T]...] [--workspace-folder DIR]
                  [(-- CMD [ARGS...] | --url URL [--header "K: V"]...)]`;

export async function runPin(argv: string[]): Promise<number> {
  const { values, command } = parseCommandLine(
    argv,
    {
      policy: { type: 'string' },
      server: { type: 'string' },
      tool: { type: 'string', multiple: true },
      url: { type: 'string' },
      header: { type: 'string', multiple: true },
      'workspace-folder': { type: 'string' },
    },
    USAGE,
  );
  if (values.policy === undefined) throw new UsageError(`--policy is required: the lockfile is written beside it\n${USAGE}`);
  const named = command.length > 0 || values.url !== undefined;
  if (named && values.server === undefined) throw new UsageError(`--server names the server the command or URL starts\n${USAGE}`);
  if (values.tool && values.server === undefined) throw new UsageError(`--tool needs --server\n${USAGE}`);
  const servers = serversToList({ policy: values.policy, server: values.server, url: values.url, header: values.header, command, workspaceFolder: values['workspace-folder'], usage: USAGE });

  const file = lockfilePathFor(values.policy);
  let lockfile = readLockfile(file);
  let failed = false;
  let pinned = 0;
  for (const server of servers) {
    const listed = await listServer(server);
    if (!listed.listing) {
      process.stderr.write(`mcp-warden: ${server.name}: not pinned: ${listed.problem}\n`);
      failed = true;
      continue;
    }
    const missing = (values.tool ?? []).filter((tool) => !listed.listing.tools.some((t) => t.name === tool) && !lockfile.servers.get(server.name)?.tools.has(tool));
    if (missing.length > 0) {
      process.stderr.write(`mcp-warden: ${server.name}: the server does not list ${missing.map((t) => JSON.stringify(t)).join(', ')}\n`);
      failed = true;
    }
    const result = pinServer(lockfile, server.name, listed.listing, values.tool);
    lockfile = result.lockfile;
    pinned++;
    process.stdout.write(describeChanges(server.name, result.changes, lockfile.servers.get(server.name)!.tools.size));
  }
  if (pinned > 0) writeAtomically(file, formatLockfile(lockfile));
  process.stdout.write(pinned > 0 ? `wrote ${file}\n` : `nothing pinned; ${file} left as it was\n`);
  return failed ? 1 : 0;
}

/** The lockfile as it is (none yet: empty). One that cannot be read or is invalid stops the command. */
function readLockfile(file: string): Lockfile {
  const read = readRegularFileSync(file, MAX_LOCKFILE_BYTES);
  if (!read.ok) {
    if (read.missing) return emptyLockfile();
    throw new Error(`the lockfile ${read.problem}`);
  }
  const parsed = parseLockfile(read.text);
  if (!parsed.lockfile) throw new Error(`the lockfile ${file} is invalid, so it is not rewritten (fix or remove it first):\n  ${parsed.errors.join('\n  ')}`);
  return parsed.lockfile;
}

function describeChanges(server: string, changes: PinChanges, total: number): string {
  const lines = [`${server}: ${total} ${total === 1 ? 'tool' : 'tools'} pinned`];
  const list = (names: string[]): string => names.map((n) => JSON.stringify(n)).join(', ');
  if (changes.added.length > 0) lines.push(`  added: ${list(changes.added)}`);
  if (changes.changed.length > 0) lines.push(`  changed: ${list(changes.changed)}`);
  if (changes.removed.length > 0) lines.push(`  removed: ${list(changes.removed)}`);
  if (changes.instructions) lines.push('  instructions changed');
  if (changes.serverInfo) lines.push('  name or version changed');
  if (lines.length === 1) lines.push('  no change');
  return lines.join('\n') + '\n';
}

/** Written beside and renamed into place: a reader (a running proxy) never sees half a lockfile. */
function writeAtomically(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode: 0o644 });
  renameSync(temporary, file);
}
