// `mcp-warden scan [--policy P] [--server S] [(-- CMD [ARGS...] | --url URL [--header "K: V"]...)]
// [--format text|json|sarif]`: each server's description findings and, given a policy whose lockfile pins
// it, its drift from the pins. Exit 1 when anything is an error (an error finding, a changed or new tool,
// a server that could not be listed), 0 otherwise, 2 for unusable arguments.
import { version } from '../../package.json';
import { serverDrift, type Drift } from '../pinning/drift';
import { findingsFor, lockfileContext, type Finding } from '../pinning/findings';
import { lockfilePathFor, MAX_LOCKFILE_BYTES, parseLockfile, type Lockfile } from '../pinning/lockfile';
import { DRIFT_RULE_IDS, DRIFT_RULES } from '../pinning/rules';
import { toSarif, type DriftResult } from '../pinning/sarif';
import { readRegularFileSync } from '../proxy/regular-file';
import { listServer, serversToList } from './server-listing';
import { parseCommandLine, UsageError } from './usage';

export const USAGE = `usage: mcp-warden scan [--policy P] [--server S] [--format text|json|sarif] [--workspace-folder DIR]
                   [(-- CMD [ARGS...] | --url URL [--header "K: V"]...)]`;

const FORMATS = ['text', 'json', 'sarif'] as const;
type Format = (typeof FORMATS)[number];

interface ServerScan {
  server: string;
  /** What the results are about: the lockfile when the server is pinned, else the policy (or the server). */
  artifact: string;
  findings: Finding[];
  drift: Drift[];
  /** Why the server could not be listed. */
  problem?: string;
}

export async function runScan(argv: string[]): Promise<number> {
  const { values, command } = parseCommandLine(
    argv,
    {
      policy: { type: 'string' },
      server: { type: 'string' },
      format: { type: 'string' },
      url: { type: 'string' },
      header: { type: 'string', multiple: true },
      'workspace-folder': { type: 'string' },
    },
    USAGE,
  );
  const format = (values.format ?? 'text') as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be text, json or sarif, got "${values.format}"\n${USAGE}`);
  const servers = serversToList({ policy: values.policy, server: values.server, url: values.url, header: values.header, command, workspaceFolder: values['workspace-folder'], usage: USAGE });
  const lockFile = values.policy === undefined ? undefined : lockfilePathFor(values.policy);
  const lockfile = lockFile === undefined ? undefined : readLockfile(lockFile);

  const scans: ServerScan[] = [];
  for (const server of servers) {
    const pins = lockfile?.servers.get(server.name);
    const artifact = pins ? lockFile! : (values.policy ?? server.name);
    const listed = await listServer(server);
    if (!listed.listing) {
      scans.push({ server: server.name, artifact, findings: [], drift: [], problem: listed.problem });
      continue;
    }
    const { tools, instructions } = listed.listing;
    const findings = findingsFor({ name: server.name, tools, ...(typeof instructions === 'string' ? { instructions } : {}) }, lockfileContext(lockfile, server.name));
    const drift = pins ? serverDrift(pins, listed.listing, lockFile!) : [];
    scans.push({ server: server.name, artifact, findings, drift });
  }

  if (format === 'json') process.stdout.write(JSON.stringify(scans, null, 2) + '\n');
  else if (format === 'sarif') process.stdout.write(JSON.stringify(toSarif(scans.map(sarifResults), version), null, 2) + '\n');
  else process.stdout.write(textReport(scans));
  for (const scan of scans) if (scan.problem !== undefined && format !== 'text') process.stderr.write(`mcp-warden: ${scan.server}: not scanned: ${scan.problem}\n`);
  return scans.some(isError) ? 1 : 0;
}

/** The lockfile beside the policy; none when there is no file. One that cannot be used stops the command. */
function readLockfile(file: string): Lockfile | undefined {
  const read = readRegularFileSync(file, MAX_LOCKFILE_BYTES);
  if (!read.ok) {
    if (read.missing) return undefined;
    throw new Error(`the lockfile ${read.problem}`);
  }
  const parsed = parseLockfile(read.text);
  if (!parsed.lockfile) throw new Error(`the lockfile ${file} is invalid:\n  ${parsed.errors.join('\n  ')}`);
  return parsed.lockfile;
}

function driftLevel(drift: Drift): 'error' | 'warning' | 'info' {
  return drift.kind === 'serverInfo' ? 'info' : DRIFT_RULES[DRIFT_RULE_IDS[drift.kind]].level;
}

function isError(scan: ServerScan): boolean {
  return scan.problem !== undefined || scan.findings.some((f) => f.severity === 'error') || scan.drift.some((d) => driftLevel(d) === 'error');
}

function sarifResults(scan: ServerScan): { server: string; artifact: string; findings: Finding[]; drift: DriftResult[] } {
  const drift: DriftResult[] = [];
  for (const d of scan.drift) {
    if (d.kind === 'serverInfo') continue;
    drift.push({ tool: d.tool ?? '', kind: d.kind, ...(d.fields ? { fields: d.fields } : {}), message: d.message });
  }
  return { server: scan.server, artifact: scan.artifact, findings: scan.findings, drift };
}

function textReport(scans: ServerScan[]): string {
  const lines: string[] = [];
  for (const scan of scans) {
    if (scan.problem !== undefined) {
      lines.push(`${scan.server}: error: not scanned: ${scan.problem}`);
      continue;
    }
    for (const d of scan.drift) lines.push(`${scan.server}: ${driftLevel(d)}: ${d.message} [${d.kind === 'serverInfo' ? 'server-info-changed' : DRIFT_RULE_IDS[d.kind]}]`);
    for (const f of scan.findings) lines.push(`${scan.server}: ${f.severity}: ${f.message} (${f.tool === undefined ? '' : `${JSON.stringify(f.tool)} `}${f.field} ${f.start}-${f.end}: ${f.excerpt}) [${f.code}]`);
    if (scan.drift.length === 0 && scan.findings.length === 0) lines.push(`${scan.server}: no findings${scan.artifact.endsWith('.lock') ? ', matches its pins' : ''}`);
  }
  return lines.join('\n') + '\n';
}
