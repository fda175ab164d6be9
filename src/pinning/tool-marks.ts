// What the editor marks on each tool a proxy reported: changed since it was pinned, new and not pinned,
// flagged by a description finding, and whether the proxy holds it back. Computed here from the report's
// definition, the approved lockfile and the approved policy (the same pure parts the proxy uses), so the
// marks need nothing more from the proxy than the definitions it listed. Pure.
import type { Policy } from '../policy/model';
import type { ToolReport } from '../proxy/control-protocol';
import { toolDrift } from './drift';
import { findingsFor, lockfileContext, type Finding, type FindingContext } from './findings';
import { definitionHash, toolDefinition, type Lockfile, type ToolDefinition } from './lockfile';

export interface ToolMark {
  /** `unpinned`: the server has no entry in the lockfile, or `pin: off`. */
  state: 'pinned' | 'unpinned' | 'changed' | 'new';
  /** For `changed`: the pinned fields that differ. */
  fields?: string[];
  /** The drift in words (as the proxy's refusal says it). */
  message?: string;
  /** Description findings of the live definition. */
  findings: Finding[];
  /** An error-level finding. */
  flagged: boolean;
  /** Left out of the list and refused: drift under `pin: enforce`, or a flag under `poisoning: deny`. */
  held: boolean;
}

/** The approved state marks are computed against. */
export interface MarkSource {
  lock: Lockfile | undefined;
  /** The lockfile as messages name it. */
  lockName: string;
  policy: Policy | undefined;
}

/** The marks of a server's reported tools, by name. */
export function toolMarks(server: string, reports: readonly ToolReport[], source: MarkSource): Map<string, ToolMark> {
  const marks = new Map<string, ToolMark>();
  const mode = source.policy?.servers.get(server)?.pin ?? source.policy?.pin ?? 'enforce';
  const poisoning = source.policy?.servers.get(server)?.poisoning ?? source.policy?.poisoning ?? 'warn';
  const pins = mode === 'off' ? undefined : source.lock?.servers.get(server);
  // Each tool is checked alone: its siblings are named as the server's own, so naming one is not shadowing.
  const context: FindingContext = { ...lockfileContext(source.lock, server), ownTools: reports.map((report) => report.name) };
  for (const report of reports) {
    const definition = liveDefinition(report);
    const findings = findingsFor({ name: server, tools: [{ name: report.name, ...definition }] }, context);
    const flagged = findings.some((finding) => finding.severity === 'error');
    const drift = pins ? toolDrift(report.name, pins.tools.get(report.name), { sha256: definitionHash(definition), definition }, source.lockName) : undefined;
    const state = !pins ? 'unpinned' : drift ? (drift.kind as 'changed' | 'new') : 'pinned';
    const mark: ToolMark = { state, findings, flagged, held: (drift !== undefined && mode === 'enforce') || (flagged && poisoning === 'deny') };
    if (drift?.fields) mark.fields = drift.fields;
    if (drift) mark.message = drift.message;
    marks.set(report.name, mark);
  }
  return marks;
}

/** The pinned parts of a reported tool: what the lockfile would hold for it. */
export function liveDefinition(report: ToolReport): ToolDefinition {
  return toolDefinition(report);
}
