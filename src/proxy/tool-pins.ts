// One session's tools held to their pins: each tools/list page is checked against the lockfile (and, under
// `poisoning: deny`, against the description findings), and what is held back is left out of the list and
// refused when called. Verdicts are computed from the latest listing whenever asked, so a lockfile or
// policy change (a person pinned the change) applies to the next call without listing again. A call for a
// tool the latest listing did not show is refused on a server pinned with `enforce`: its definition was
// never checked (a call made before any list, or for a tool the server stopped listing).
import { createHash } from 'node:crypto';
import { BoundedCache, stringBytes } from '../pinning/bounded-cache';
import { findingsFor, lockfileContext, type Finding, type FindingContext } from '../pinning/findings';
import { DefinitionHashes, quoted, removedDrift, serverInfoDrift, toolDrift, toolName, type Drift } from '../pinning/drift';
import { toolDefinition, type PinnedServer, type PinnedTool } from '../pinning/lockfile';
import type { PinMode, Policy, PoisoningMode } from '../policy/model';
import type { EnforcedLock } from './lock-source';

/** How the lockfile and the policy pin one server right now. */
export type ServerPinning =
  | { kind: 'unpinned' }
  /** The lockfile cannot be used and the server is not `pin: off`: its calls are refused. */
  | { kind: 'refused'; problem: string }
  | { kind: 'pinned'; mode: Exclude<PinMode, 'off'>; pins: PinnedServer };

/** `pin` of the server, else of the policy; absent: enforce, for a server the lockfile knows. */
export function serverPinning(policy: Policy | undefined, server: string, lock: EnforcedLock | undefined): ServerPinning {
  const written = policy?.servers.get(server)?.pin ?? policy?.pin;
  const state = lock?.current;
  if (written === 'off' || !state || state.status === 'none') return { kind: 'unpinned' };
  if (state.status === 'refused') return { kind: 'refused', problem: state.problem };
  const pins = state.lock.servers.get(server);
  return pins ? { kind: 'pinned', mode: written ?? 'enforce', pins } : { kind: 'unpinned' };
}

export function poisoningMode(policy: Policy | undefined, server: string): PoisoningMode {
  return policy?.servers.get(server)?.poisoning ?? policy?.poisoning ?? 'warn';
}

/** Where a session's pin reports go: each drift and finding once per session, and the verdicts after a listing. */
export interface PinSink {
  drift(drift: Drift, held: boolean): void;
  finding(finding: Finding, held: boolean): void;
  /** Reports of one listing past MAX_REPORTS_PER_LISTING, left out (a server can list any number of tools). */
  more(count: number): void;
}

/** Reports written per listing: enough for any honest change; a flood from a hostile list is summed up. */
export const MAX_REPORTS_PER_LISTING = 50;

/** A tool's standing, as the editor is told (additive to its tool report). */
export interface PinVerdict {
  state: 'pinned' | 'unpinned' | 'changed' | 'new';
  fields?: string[];
  /** Error-level description findings (any poisoning mode). */
  flagged: boolean;
  /** Left out of tools/list and refused when called. */
  held: boolean;
  reason?: string;
}

interface Now {
  pinning: ServerPinning;
  deny: boolean;
}

/** A server's own tool names, and a short key for them in the findings cache. */
interface OwnTools {
  names: readonly string[];
  key: string;
}

interface Listed {
  tool: unknown;
  pin: PinnedTool;
  findings: Finding[];
}

/** Findings and reports kept per distinct definition (a hostile server can list any number). */
const MAX_CACHED = 4096;
/** And the bytes they may hold (a name, and so a message, can be long): for the process's drifts, for each session's reports. */
const MAX_DRIFT_BYTES = 8 * 1024 * 1024;
const MAX_REPORTED_BYTES = 1024 * 1024;
/** Findings kept per definition for different servers and lockfiles. */
const MAX_CONTEXTS = 16;

/**
 * Shared by every session of the process (a listener or gateway serves many): each distinct definition is
 * hashed, and its description checked, once.
 */
const HASHES = new DefinitionHashes();
/**
 * Findings by the hashed tool (HASHES keeps one object per whole definition as listed, not only its pinned
 * fields: the detectors read every field, `_meta` and `icons` included), then by server and context.
 */
const FINDINGS = new WeakMap<PinnedTool, Map<string, Finding[]>>();
const DRIFTS = new BoundedCache<string, Drift>(MAX_CACHED, MAX_DRIFT_BYTES);
/** The finding context of each server of each lockfile (weakly: a replaced lockfile's entries go with it). */
const CONTEXTS = new WeakMap<object, Map<string, { context: FindingContext; key: string }>>();

/** The bytes the process-wide pin caches are counted as holding. */
export function pinCacheBytes(): { hashes: number; drifts: number } {
  return { hashes: HASHES.bytes, drifts: DRIFTS.bytes };
}

/** Whether two JSON values are the same value (keys in any order), without allocating; false past MAX_DEPTH. */
export function sameJson(a: unknown, b: unknown, depth = 0): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || depth > MAX_DEPTH) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i], depth + 1)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  let count = 0;
  for (const key in ra) {
    if (!Object.prototype.hasOwnProperty.call(ra, key)) continue;
    if (!Object.prototype.hasOwnProperty.call(rb, key) || !sameJson(ra[key], rb[key], depth + 1)) return false;
    count++;
  }
  for (const key in rb) if (Object.prototype.hasOwnProperty.call(rb, key)) count--;
  return count === 0;
}

const MAX_DEPTH = 64;

export class SessionPins {
  /** The latest listing (pages added as they come; a first page starts a new one). */
  private listed = new Map<string, Listed>();
  /** The names held back on any page of the latest listing: a name listed again on a later page stays held. */
  private heldInListing = new Set<string>();
  private readonly reported = new BoundedCache<string, true>(MAX_CACHED, MAX_REPORTED_BYTES);
  private everListed = false;
  private reportsLeft = MAX_REPORTS_PER_LISTING;
  private reportsLeftOut = 0;

  constructor(
    private readonly server: string,
    private readonly lock: EnforcedLock | undefined,
    private readonly policy: () => Policy | undefined,
    private readonly sink: PinSink,
  ) {}

  pinning(): ServerPinning {
    return serverPinning(this.policy(), this.server, this.lock);
  }

  /**
   * A tools/list page: its tools are remembered and checked; returns the names to leave out. `first`: the
   * request had no cursor (a new listing); `last`: the page has no next cursor (pinned tools not listed are
   * reported as removed).
   */
  page(tools: readonly unknown[], first: boolean, last: boolean): Set<string> {
    const before = this.listed;
    if (first) {
      this.listed = new Map();
      this.heldInListing = new Set();
      this.startReports();
    }
    this.everListed = true;
    const held = new Set<string>();
    const now = this.now();
    const own = this.ownTools(tools, before);
    for (const tool of tools) {
      const name = toolName(tool);
      if (name === undefined) continue;
      // A name listed twice (on this page or an earlier one): a held definition is never replaced by the
      // other (the list drops the name).
      if (this.heldInListing.has(name)) {
        held.add(name);
        continue;
      }
      // Listed as before (the common case): its hash and findings are the ones already known.
      const known = before.get(name);
      let listed: Listed;
      if (known && sameJson(known.tool, tool)) {
        listed = known;
      } else {
        const pin = HASHES.of(tool);
        listed = { tool, pin, findings: this.findingsOf(tool, pin, own) };
      }
      this.listed.set(name, listed);
      const verdict = this.check(name, listed, now, true);
      if (verdict.held) {
        held.add(name);
        this.heldInListing.add(name);
      }
    }
    const pinning = now.pinning;
    if (last && pinning.kind === 'pinned' && this.lock) {
      for (const name of pinning.pins.tools.keys()) if (!this.listed.has(name)) this.once(removedDrift(name, this.lock.name), false);
    }
    if (last) this.endReports();
    return held;
  }

  /**
   * The server's initialize answer: reports changed instructions; true when they are to be left out.
   * Instructions that are not a string are always left out: only a string is pinned and checked; so are
   * all instructions while the lockfile cannot be used (as every tool is).
   */
  initialized(instructions: unknown, serverInfo: unknown): boolean {
    const pinning = this.pinning();
    let hold = instructions !== undefined && typeof instructions !== 'string';
    // An unusable lockfile holds back every tool, unchecked; the instructions likewise.
    if (pinning.kind === 'refused' && instructions !== undefined) hold = true;
    this.startReports();
    if (pinning.kind === 'pinned' && this.lock) {
      for (const drift of serverInfoDrift(pinning.pins, instructions, serverInfo, this.lock.name)) {
        const held = drift.kind === 'instructions' && pinning.mode === 'enforce' && typeof instructions === 'string';
        hold ||= held;
        this.once(drift, held);
      }
    }
    if (typeof instructions === 'string') {
      const deny = poisoningMode(this.policy(), this.server) === 'deny';
      const own = this.ownTools([], this.listed);
      for (const finding of findingsFor({ name: this.server, instructions, tools: [] }, { ...this.context().context, ownTools: own.names })) {
        const held = deny && finding.severity === 'error';
        hold ||= held;
        this.reportFinding(finding, held);
      }
    }
    this.endReports();
    return hold;
  }

  /**
   * The tools as the client gets them: on a server pinned with `enforce`, each only as far as it is pinned
   * (its name and pinned fields): `_meta`, `icons`, `execution` and any other field are not in the lockfile,
   * so what a server sends there was never reviewed, and a change there could not be held back.
   */
  shown(tools: readonly unknown[]): unknown[] {
    const pinning = this.pinning();
    if (pinning.kind !== 'pinned' || pinning.mode !== 'enforce') return tools as unknown[];
    return tools.map((tool) => {
      const name = toolName(tool);
      return name === undefined ? tool : { name, ...toolDefinition(tool) };
    });
  }

  /** Why a call of `tool` is refused, or undefined when the pins let it through. */
  refusal(tool: string): string | undefined {
    const pinning = this.pinning();
    if (pinning.kind === 'refused') return `${pinning.problem} (every call to a pinned server is refused until it is fixed)`;
    const listed = this.listed.get(tool);
    if (!listed) {
      if (pinning.kind !== 'pinned' || pinning.mode !== 'enforce') return undefined;
      const why = this.everListed ? "is not in the server's latest tools/list" : 'has not been listed by the server in this session';
      return `${quoted(tool)} ${why}, so its definition cannot be checked against its pin (${this.lock!.name}); list the tools first`;
    }
    const verdict = this.check(tool, listed, { pinning, deny: poisoningMode(this.policy(), this.server) === 'deny' }, false);
    return verdict.held ? verdict.reason : undefined;
  }

  /** The verdict of each tool of the latest listing. */
  verdicts(): Map<string, PinVerdict> {
    const verdicts = new Map<string, PinVerdict>();
    const now = this.now();
    for (const [name, listed] of this.listed) verdicts.set(name, this.check(name, listed, now, false));
    return verdicts;
  }

  /** What the client sees of the pins: the held tools, for the catalogue's signature. */
  heldSignature(verdicts = this.verdicts()): string {
    const held: string[] = [];
    for (const [name, verdict] of verdicts) if (verdict.held) held.push(name);
    return held.join('\n');
  }

  /** The pinning and poisoning mode of the moment, looked up once per listing. */
  private now(): Now {
    return { pinning: this.pinning(), deny: poisoningMode(this.policy(), this.server) === 'deny' };
  }

  private check(name: string, listed: Listed, { pinning, deny }: Now, report: boolean): PinVerdict {
    const errors = listed.findings.length === 0 ? listed.findings : listed.findings.filter((f) => f.severity === 'error');
    const flagged = errors.length > 0;
    let verdict: PinVerdict;
    if (pinning.kind === 'refused') {
      verdict = { state: 'unpinned', flagged, held: true, reason: pinning.problem };
    } else if (pinning.kind === 'pinned') {
      const drift = this.driftOf(name, pinning.pins.tools.get(name), listed.pin);
      const held = drift !== undefined && pinning.mode === 'enforce';
      if (report && drift) this.once(drift, held);
      verdict = drift ? { state: drift.kind as 'changed' | 'new', ...(drift.fields ? { fields: drift.fields } : {}), flagged, held, reason: drift.message } : { state: 'pinned', flagged, held: false };
    } else {
      verdict = { state: 'unpinned', flagged, held: false };
    }
    if (report) for (const finding of listed.findings) this.reportFinding(finding, deny && finding.severity === 'error');
    if (!verdict.held && deny && flagged) {
      verdict = { ...verdict, held: true, reason: `${quoted(name)} is held back by "poisoning: deny": ${errors[0].message}` };
    }
    return verdict;
  }

  /** A tool's drift from its pin, worked out once per pair of definitions in the process. */
  private driftOf(name: string, pinned: PinnedTool | undefined, live: PinnedTool): Drift | undefined {
    if (pinned?.sha256 === live.sha256) return undefined;
    const key = `${this.lock!.name}\u0000${name}\u0000${pinned?.sha256 ?? ''}\u0000${live.sha256}`;
    let drift = DRIFTS.get(key);
    if (!drift) {
      drift = toolDrift(name, pinned, live, this.lock!.name)!;
      DRIFTS.set(key, drift, stringBytes(key) + stringBytes(drift.message));
    }
    return drift;
  }

  private findingsOf(tool: unknown, pin: PinnedTool, own: OwnTools): Finding[] {
    const context = this.context();
    const key = `${this.server}\u0000${context.key}\u0000${own.key}`;
    let byContext = FINDINGS.get(pin);
    if (!byContext) FINDINGS.set(pin, (byContext = new Map()));
    let findings = byContext.get(key);
    if (!findings) {
      findings = findingsFor({ name: this.server, tools: [tool] }, { ...context.context, ownTools: own.names });
      if (byContext.size >= MAX_CONTEXTS) byContext.clear();
      byContext.set(key, findings);
    }
    return findings;
  }

  /**
   * The server's own tool names, which its texts may name: this page's, the last listing's and the ones
   * pinned for it. Each tool is checked alone (and cached so), so its siblings must be named to it.
   */
  private ownTools(tools: readonly unknown[], before: ReadonlyMap<string, Listed>): OwnTools {
    const names = new Set<string>(before.keys());
    for (const tool of tools) {
      const name = toolName(tool);
      if (name !== undefined) names.add(name);
    }
    const state = this.lock?.current;
    if (state?.status === 'loaded') for (const name of state.lock.servers.get(this.server)?.tools.keys() ?? []) names.add(name);
    const sorted = [...names].sort();
    return { names: sorted, key: createHash('sha256').update(sorted.join('\u0000')).digest('base64') };
  }

  /** The other servers the lockfile knows, with their tools: what a description here must not talk about. */
  private context(): { context: FindingContext; key: string } {
    const state = this.lock?.current;
    if (state?.status !== 'loaded') return { context: {}, key: '' };
    // Per server: a gateway's servers share one lockfile, and each is checked against the others.
    let byServer = CONTEXTS.get(state.lock);
    if (!byServer) CONTEXTS.set(state.lock, (byServer = new Map()));
    let cached = byServer.get(this.server);
    if (!cached) {
      const context = lockfileContext(state.lock, this.server);
      cached = { context, key: JSON.stringify(context.otherServers) };
      byServer.set(this.server, cached);
    }
    return cached;
  }

  private once(drift: Drift, held: boolean): void {
    const key = `${drift.kind}\u0000${drift.tool ?? ''}\u0000${drift.message}\u0000${held}`;
    if (this.firstTime(key) && this.withinBudget()) this.sink.drift(drift, held);
  }

  private reportFinding(finding: Finding, held: boolean): void {
    if (finding.severity !== 'error') return; // warnings are for scan and the editor, not every session's log
    const key = `finding\u0000${finding.tool ?? ''}\u0000${finding.code}\u0000${finding.field}\u0000${finding.start}\u0000${finding.message}\u0000${held}`;
    if (this.firstTime(key) && this.withinBudget()) this.sink.finding(finding, held);
  }

  private withinBudget(): boolean {
    if (this.reportsLeft > 0) {
      this.reportsLeft--;
      return true;
    }
    this.reportsLeftOut++;
    return false;
  }

  /** A listing (or an initialize answer) starts: its reports get a budget of their own. */
  private startReports(): void {
    this.reportsLeft = MAX_REPORTS_PER_LISTING;
    this.reportsLeftOut = 0;
  }

  private endReports(): void {
    if (this.reportsLeftOut > 0) this.sink.more(this.reportsLeftOut);
    this.reportsLeftOut = 0;
  }

  /** True the first time a report is seen in this session (the oldest forgotten past MAX_CACHED or MAX_REPORTED_BYTES). */
  private firstTime(key: string): boolean {
    if (this.reported.has(key)) return false;
    this.reported.set(key, true, stringBytes(key));
    return true;
  }
}
