// The server's tools as the client sees them: each tools/list result filtered by the policy and held to
// the lockfile's pins (tool-pins.ts), and the client told to list again when a reload of either changes
// what it sees.
import type { Drift } from '../pinning/drift';
import type { Finding } from '../pinning/findings';
import type { ToolInfo } from '../policy/model';
import { serverInfoOf } from '../pinning/lockfile';
import type { ToolReport, ToolsMessage } from './control-protocol';
import { filterTools, isTool, toolReports, visibleSignature } from './interception';
import { frameOf, reserialised, type Frame } from './jsonrpc';
import { ownId } from './own-requests';
import type { Downstream, SessionOptions } from './relay';
import { SessionPins, type PinVerdict } from './tool-pins';

/** Pages of its own tools/list the proxy reads after a list_changed (a server that pages forever is cut off). */
const MAX_OWN_PAGES = 100;
const OWN_LIST_PATIENCE_MS = 10_000;

export class ToolCatalogue {
  private readonly catalogue = new Map<string, ToolInfo>();
  private catalogueSignature = '';
  /** The server's instructions and name/version from its initialize answer, for the editor's reports (what Pin Tools pins). */
  private served: Pick<ToolsMessage, 'instructions' | 'serverInfo'> = {};
  readonly pins: SessionPins;
  /** The proxy's own tools/list in flight (after the server's list_changed), and whether to list once more. */
  private relisting: { id: string; page: number; sentAt: number } | undefined;
  private relistAgain = false;

  constructor(
    private readonly options: SessionOptions,
    private readonly downstream: Downstream,
  ) {
    this.pins = new SessionPins(options.server, options.policy.lock, () => options.policy.current.engine?.policy, {
      drift: (drift, held) => this.reportDrift(drift, held),
      finding: (finding, held) => this.reportFinding(finding, held),
      more: (count) => this.options.log(`pinned tools of ${JSON.stringify(options.server)}: ${count} more reports of this listing left out of the log (the tools stay held back as their pins say)`),
    });
  }

  get(tool: string): ToolInfo | undefined {
    return this.catalogue.get(tool);
  }

  /** A tools/list result; `firstPage`: its request had no cursor. */
  filterToolsList(frame: Frame, firstPage = true): Frame {
    const result = frame.msg.result as { tools?: unknown; nextCursor?: unknown } | undefined;
    // Not a list to filter: still written anew, so no duplicate key hides another list in its bytes.
    if (!result || typeof result !== 'object' || !Array.isArray(result.tools)) return reserialised(frame);
    const { server } = this.options;
    const enforcer = this.options.policy.current;
    for (const tool of result.tools) if (isTool(tool)) this.catalogue.set(tool.name, tool);
    const held = this.pins.page(result.tools, firstPage, typeof result.nextCursor !== 'string' || result.nextCursor === '');
    const verdicts = this.pins.verdicts();
    this.catalogueSignature = this.signature(verdicts);
    this.sendReports(verdicts);
    const listed = this.pins.shown(held.size === 0 ? result.tools : result.tools.filter((tool) => !(isTool(tool) && held.has(tool.name))));
    // Always written anew: the tools and annotations the client reads are the ones decided here.
    const tools = filterTools(enforcer, server, listed, this.options.trustAnnotations);
    return frameOf({ jsonrpc: '2.0', id: frame.msg.id, result: { ...result, tools } });
  }

  /** The server's initialize answer: its instructions checked against their pin (left out when held back). */
  initialized(frame: Frame): Frame {
    const result = frame.msg.result as { instructions?: unknown; serverInfo?: unknown } | undefined;
    if (!result || typeof result !== 'object') return frame;
    this.served = servedDefinitions(result.instructions, result.serverInfo);
    // Written anew either way: the instructions the client reads are the ones checked here (no duplicate key).
    if (!this.pins.initialized(result.instructions, result.serverInfo)) return reserialised(frame);
    const { instructions: _held, ...rest } = result;
    return frameOf({ jsonrpc: '2.0', id: frame.msg.id, result: rest });
  }

  /**
   * The server says its tools changed: the proxy lists them itself, so the change is checked (held back,
   * reported) whether or not the client lists again. One listing at a time; a change during it lists again.
   */
  serverListChanged(send: (frame: Frame) => void): void {
    if (this.catalogue.size === 0) return; // nothing listed in this session yet: the client's first list is checked
    // One in flight; one whose answer never came (the server restarted meanwhile) is given up after a while.
    if (this.relisting && Date.now() - this.relisting.sentAt < OWN_LIST_PATIENCE_MS) {
      this.relistAgain = true;
      return;
    }
    this.relist(send, undefined, 0);
  }

  /** The id of the proxy's own tools/list in flight, whose answer the relay must read. */
  ownsAnswer(id: unknown): boolean {
    return this.relisting !== undefined && id === this.relisting.id;
  }

  /** The answer to the proxy's own tools/list: checked and reported, never forwarded. */
  ownAnswer(frame: Frame, send: (frame: Frame) => void): void {
    const listing = this.relisting!;
    this.relisting = undefined;
    const result = frame.msg.result as { tools?: unknown; nextCursor?: unknown } | undefined;
    if (!frame.msg.error && result && typeof result === 'object' && Array.isArray(result.tools)) {
      for (const tool of result.tools) if (isTool(tool)) this.catalogue.set(tool.name, tool);
      const next = typeof result.nextCursor === 'string' && result.nextCursor !== '' ? result.nextCursor : undefined;
      this.pins.page(result.tools, listing.page === 0, next === undefined);
      this.sendReports();
      if (next !== undefined && listing.page + 1 < MAX_OWN_PAGES) return this.relist(send, next, listing.page + 1);
    }
    if (this.relistAgain) {
      this.relistAgain = false;
      this.relist(send, undefined, 0);
    }
  }

  private relist(send: (frame: Frame) => void, cursor: string | undefined, page: number): void {
    const id = ownId();
    this.relisting = { id, page, sentAt: Date.now() };
    send(frameOf({ jsonrpc: '2.0', id, method: 'tools/list', params: cursor === undefined ? {} : { cursor } }));
  }

  /** Why the pins refuse a call of `tool`, or undefined. */
  pinRefusal(tool: string): string | undefined {
    return this.pins.refusal(tool);
  }

  /** After a reload of the policy or the lockfile: tell the client to list again when what it sees changed. */
  policyChanged(): void {
    if (this.catalogue.size === 0) return;
    const verdicts = this.pins.verdicts();
    const signature = this.signature(verdicts);
    this.sendReports(verdicts);
    if (signature === this.catalogueSignature) return;
    this.catalogueSignature = signature;
    this.downstream.send(frameOf({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' }));
  }

  /** `verdicts`: the pins' verdicts of the moment, worked out once for the signature and the reports. */
  private signature(verdicts: Map<string, PinVerdict>): string {
    const enforcer = this.options.policy.current;
    return `${visibleSignature(enforcer, this.options.server, this.catalogue.values(), this.options.trustAnnotations)}\n#held\n${this.pins.heldSignature(verdicts)}`;
  }

  /** The editor's tool reports, each with its standing against the pins. */
  private sendReports(verdicts = this.pins.verdicts()): void {
    const { control, server, sessionId } = this.options;
    if (!control) return;
    const tools: ToolReport[] = toolReports(this.options.policy.current, server, this.catalogue.values()).map((report) => {
      const pin = verdicts.get(report.name);
      return pin ? { ...report, pin } : report;
    });
    control.send({ type: 'tools', server, session: sessionId, tools, ...this.served });
  }

  private reportDrift(drift: Drift, held: boolean): void {
    const what = held ? 'held back' : 'reported (not held back)';
    this.report(`pinned tools of ${JSON.stringify(this.options.server)}: ${drift.message}; ${what}`, {
      event: 'pin',
      kind: drift.kind,
      ...(drift.tool !== undefined ? { tool: drift.tool } : {}),
      ...(drift.fields ? { fields: drift.fields } : {}),
      held,
      message: drift.message,
    });
  }

  private reportFinding(finding: Finding, held: boolean): void {
    if (finding.severity !== 'error') return;
    const what = held ? 'held back (poisoning: deny)' : 'reported (poisoning: warn)';
    this.report(`description finding on ${JSON.stringify(this.options.server)}: ${finding.message} [${finding.code}]; ${what}`, {
      event: 'finding',
      code: finding.code,
      severity: finding.severity,
      ...(finding.tool !== undefined ? { tool: finding.tool } : {}),
      field: finding.field,
      held,
      message: finding.message,
    });
  }

  /** To stderr and the editor's log (the session's log), and as an audit line. */
  private report(message: string, event: { event: string } & Record<string, unknown>): void {
    this.options.log(message);
    this.options.audit?.note({ ...event, server: this.options.server, session: this.options.sessionId });
  }
}

/** The instructions (a string) and name/version as the lockfile pins them, from an initialize answer. */
function servedDefinitions(instructions: unknown, serverInfo: unknown): Pick<ToolsMessage, 'instructions' | 'serverInfo'> {
  const info = serverInfoOf(serverInfo);
  return { ...(typeof instructions === 'string' ? { instructions } : {}), ...(info ? { serverInfo: info } : {}) };
}
