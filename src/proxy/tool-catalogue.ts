// The server's tools as the client sees them: each tools/list result filtered by the policy, and the
// client told to list again when a reload changes what it sees.
import type { ToolInfo } from '../policy/model';
import { filterTools, isTool, toolReports, visibleSignature } from './interception';
import { frameOf, reserialised, type Frame } from './jsonrpc';
import type { Downstream, SessionOptions } from './relay';

export class ToolCatalogue {
  private readonly catalogue = new Map<string, ToolInfo>();
  private catalogueSignature = '';

  constructor(
    private readonly options: SessionOptions,
    private readonly downstream: Downstream,
  ) {}

  get(tool: string): ToolInfo | undefined {
    return this.catalogue.get(tool);
  }

  filterToolsList(frame: Frame): Frame {
    const result = frame.msg.result as { tools?: unknown } | undefined;
    // Not a list to filter: still written anew, so no duplicate key hides another list in its bytes.
    if (!result || typeof result !== 'object' || !Array.isArray(result.tools)) return reserialised(frame);
    const { server, sessionId } = this.options;
    const enforcer = this.options.policy.current;
    for (const tool of result.tools) if (isTool(tool)) this.catalogue.set(tool.name, tool);
    this.catalogueSignature = visibleSignature(enforcer, server, this.catalogue.values(), this.options.trustAnnotations);
    this.options.control?.send({ type: 'tools', server, session: sessionId, tools: toolReports(enforcer, server, this.catalogue.values()) });
    // Always written anew: the tools and annotations the client reads are the ones decided here.
    const tools = filterTools(enforcer, server, result.tools, this.options.trustAnnotations);
    return frameOf({ jsonrpc: '2.0', id: frame.msg.id, result: { ...result, tools } });
  }

  /** After a reload: tell the client to list again when what it sees of the tools changed. */
  policyChanged(): void {
    if (this.catalogue.size === 0) return;
    const { server, sessionId } = this.options;
    const enforcer = this.options.policy.current;
    const signature = visibleSignature(enforcer, server, this.catalogue.values(), this.options.trustAnnotations);
    this.options.control?.send({ type: 'tools', server, session: sessionId, tools: toolReports(enforcer, server, this.catalogue.values()) });
    if (signature === this.catalogueSignature) return;
    this.catalogueSignature = signature;
    this.downstream.send(frameOf({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' }));
  }
}
