// Whether a changed policy loosens the one a person approved. What the editor's proxies enforce may
// only become looser by a person's act: a change that tightens (or changes nothing that is enforced)
// applies at once; each loosening it lists waits for a person. Both texts are read by the policy parser
// (aliases and merge keys resolved) and compared by what they mean, never by their text: for every
// server, every tool the catalogue knows, every exact rule key of either policy, and every pairing of the
// globs or defaults that decide the other tools under each policy (so globs and defaults count for tools
// nobody listed); plus the top-level default, audit settings, `pin` and `poisoning`, launch entries, and
// anything the comparison does not understand.
import { PolicyEngine } from './engine';
import { globLoosenings } from './glob-loosenings';
import { launchChanges, launchEntries } from './launch-compare';
import type { Policy } from './model';
import { parsePolicy, type ParseResult } from './parse';
import { approverLoosenings } from './approvers';
import { pinLoosenings } from './pin-compare';
import { loosenedTreatment, NOTHING_APPROVED, treatmentOf, type Treatment } from './tool-treatment';
import { unrecognisedChanges } from './unrecognised-settings';
import { resolveDocument } from './yaml-resolve';

/** One way a proposed policy is looser than the approved one, in words for a person. */
export interface Loosening {
  /** The server, or `*` for what concerns the whole policy (the top-level default, audit, the file). */
  server: string;
  /** The tool or rule key (a glob stays a glob); absent for what concerns the server, or any tool no rule names. */
  tool?: string;
  /** What loosens: `decision`, `default`, `hidden`, `callers` (who a rule is `only` for), `rate limit`, `argument check`, `risk override`, `launch`, `audit arguments`, `pin`, `poisoning`, `approvers`, `policy file`, `unrecognised setting …`, `rules`. */
  what: string;
  /** The approved value, short (`deny`, `hidden`, `10 per 1m`, `checked`, `execute, critical`, a command line, `none`, `nothing approved`). */
  before: string;
  /** The proposed value, short (`allow`, `none`, `changed`, `changed: env`, `deleted`). Values taken from the file are on one line, without control characters, at most 120 characters. */
  after: string;
}

export type PolicyComparison = { ok: true; loosened: Loosening[] } | { ok: false; reason: string };

/** One side of the comparison: a valid policy and its resolved value, or nothing approved. */
interface Side {
  policy?: Policy;
  engine?: PolicyEngine;
  value: unknown;
}

const NOTHING: Side = { value: undefined };

/**
 * Compares the proposed text of the policy file `file` with the approved one.
 * `approved` undefined (or no longer valid): nothing approved, which lets nothing through.
 * `proposed` undefined: the file is gone, a change that removes everything.
 * `knownTools`: the catalogue's tool names by server.
 * `ok: false` when the proposed text is not a valid policy: keep the approved one.
 */
export function comparePolicyTexts(
  approved: string | undefined,
  proposed: string | undefined,
  file: string,
  knownTools: ReadonlyMap<string, readonly string[]>,
): PolicyComparison {
  const loosened: Loosening[] = [];
  let after: Side;
  if (proposed === undefined) {
    if (approved === undefined) return { ok: true, loosened: [] };
    after = sideOf(parsePolicy('version: 1\n', file))!;
    loosened.push({ server: '*', what: 'policy file', before: 'present', after: 'deleted' });
  } else {
    const parsed = parsePolicy(proposed, file);
    const side = sideOf(parsed);
    if (!side) return { ok: false, reason: invalidReason(parsed, file) };
    after = side;
  }
  const before = approved === undefined ? NOTHING : (sideOf(parsePolicy(approved, file)) ?? NOTHING);
  // Key order kept: the order of globs breaks their ties.
  if (before.policy && JSON.stringify(before.value) === JSON.stringify(after.value)) return { ok: true, loosened };

  loosened.push(...policyWide(before, after));
  loosened.push(...pinLoosenings(before.policy, after.policy!));
  loosened.push(...approverLoosenings(before.policy, after.policy!));
  for (const change of launchChanges(launchEntries(before.value), launchEntries(after.value))) {
    loosened.push({ server: change.server, what: 'launch', before: change.before, after: change.after });
  }
  for (const server of serverNames(before, after, knownTools)) loosened.push(...serverLoosenings(server, before, after, knownTools.get(server) ?? []));
  for (const change of unrecognisedChanges(before.value, after.value)) {
    const [top, server, section, tool] = change.path;
    const inServer = top === 'servers' && change.path.length > 2;
    const inRule = inServer && section === 'tools' && change.path.length > 4;
    const key = change.path.slice(inRule ? 4 : inServer ? 2 : 0).join('.');
    loosened.push({ server: inServer ? server : '*', ...(inRule ? { tool } : {}), what: `unrecognised setting ${key}`, before: change.before, after: change.after });
  }
  return { ok: true, loosened: unique(loosened) };
}

function sideOf(parsed: ParseResult): Side | undefined {
  if (!parsed.policy) return undefined;
  const value = resolveDocument(parsed.document, parsed.lineCounter).value;
  return { policy: parsed.policy, engine: new PolicyEngine(parsed.policy), value };
}

function invalidReason(parsed: ParseResult, file: string): string {
  const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
  const first = errors[0];
  if (!first) return `${file}: not a valid policy`;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more ${errors.length === 2 ? 'error' : 'errors'})` : '';
  return `${file}:${first.range.start.line + 1}:${first.range.start.character + 1}: ${first.message}${more}`;
}

/** The top-level default and the audit settings. */
function policyWide(before: Side, after: Side): Loosening[] {
  const loosened: Loosening[] = [];
  const fallback = (side: Side): Treatment => (side.policy ? { source: 'default', action: side.policy.default, hidden: false } : NOTHING_APPROVED);
  for (const change of loosenedTreatment(fallback(before), fallback(after), 'default')) loosened.push({ server: '*', ...change });
  if (after.policy?.audit.args && !before.policy?.audit.args) loosened.push({ server: '*', what: 'audit arguments', before: 'off', after: 'on' });
  return loosened;
}

function serverNames(before: Side, after: Side, knownTools: ReadonlyMap<string, readonly string[]>): Set<string> {
  return new Set([...(before.policy?.servers.keys() ?? []), ...(after.policy?.servers.keys() ?? []), ...knownTools.keys()]);
}

function serverLoosenings(server: string, before: Side, after: Side, catalogue: readonly string[]): Loosening[] {
  const exact = new Set([...(before.policy?.servers.get(server)?.tools ?? []), ...(after.policy?.servers.get(server)?.tools ?? [])].filter((rule) => !rule.isGlob).map((rule) => rule.pattern));
  const globs = globLoosenings(server, before, after, exact);
  if (!globs) return wholeServer(server, before, after);

  const loosened: Loosening[] = [];
  // Tools a person knows by name, each as the engine decides it: the catalogue's and the exact rule keys.
  for (const name of new Set([...catalogue, ...exact])) {
    for (const change of loosenedTreatment(treatment(before, server, name), treatment(after, server, name))) loosened.push({ server, tool: name, ...change });
  }
  for (const change of globs) loosened.push({ server, ...change });
  return loosened;
}

function treatment(side: Side, server: string, tool: string): Treatment {
  return side.engine ? treatmentOf(side.engine, server, tool) : NOTHING_APPROVED;
}

/** A server with too many rules to compare tool by tool: any change to its rules is one loosening. */
function wholeServer(server: string, before: Side, after: Side): Loosening[] {
  const rulesOf = (side: Side) => {
    const servers = (side.value as { servers?: Record<string, { default?: unknown; tools?: unknown }> } | undefined)?.servers;
    const body = servers && Object.hasOwn(servers, server) ? servers[server] : undefined;
    return JSON.stringify([body?.default ?? null, body?.tools ?? null, side.policy?.default ?? null]);
  };
  if (before.policy && rulesOf(before) === rulesOf(after)) return [];
  return [{ server, what: 'rules', before: before.policy ? 'approved' : 'nothing approved', after: 'changed, too many to compare one by one' }];
}

function unique(loosened: Loosening[]): Loosening[] {
  const seen = new Set<string>();
  return loosened.filter((l) => {
    const key = JSON.stringify([l.server, l.tool ?? null, l.what, l.before, l.after]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
