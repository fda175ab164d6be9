// What the proxy changes, and only this: a blocked `tools/call` is answered with a tool error that
// says why, and a `tools/list` result loses its hidden tools, and its annotations are written by
// Warden: known hints, booleans only, `readOnlyHint: true` on a tool the policy decides `ask` or `deny`
// (Warden asks for the one and blocks the other, so VS Code need not ask first: one prompt, Warden's),
// and otherwise only on a tool Warden classifies as read (VS Code auto-approves read-only tools; a server
// that lies about that would skip the user's only gate). Descriptions are never changed.
import type { SharedLimiter } from '../policy/engine';
import type { Action, Decision, Principal, RiskAssessment, ToolInfo } from '../policy/model';
import { classifyTool } from '../policy/risk';
import type { ToolReport } from './control-protocol';
import type { Enforcer } from './policy-source';

/** The text of a refusal: the reason and where in the policy it comes from. */
export function blockedText(reason: string | null, file: string, line: number | null): string {
  const where = line === null ? file : `${file}:${line}`;
  return `Blocked by policy: ${reason ?? 'denied'} (${where})`;
}

/** A `CallToolResult` for a call the proxy refused; the call never reached the server. */
export function blockedResult(reason: string | null, file: string, line: number | null): Record<string, unknown> {
  return { isError: true, content: [{ type: 'text', text: blockedText(reason, file, line) }] };
}

/** The decision for one call: the engine's, or the refusal when there is no usable policy. */
export function decideCall(enforcer: Enforcer, server: string, tool: string, args: unknown, session: string, principal?: Principal): Decision {
  if (!enforcer.engine) return enforcer.refusal;
  try {
    return enforcer.engine.decide({ server, tool, args, session, ...(principal ? { principal } : {}) });
  } catch (error) {
    return undecided(error);
  }
}

/** The same decision with the counts in a shared state; a state that cannot count refuses the call. */
export async function decideCallShared(
  enforcer: Enforcer,
  state: SharedLimiter,
  server: string,
  tool: string,
  args: unknown,
  session: string,
  principal?: Principal,
): Promise<Decision> {
  if (!enforcer.engine) return enforcer.refusal;
  try {
    return await enforcer.engine.decideShared({ server, tool, args, session, ...(principal ? { principal } : {}) }, state);
  } catch (error) {
    return undecided(error);
  }
}

/** Never let a failure to decide become a pass. */
function undecided(error: unknown): Decision {
  return { decision: 'deny', reason: `the policy could not decide this call: ${(error as Error)?.message ?? String(error)}`, rule: null, line: null, rateLimit: null, hidden: false };
}

export function riskOf(enforcer: Enforcer, server: string, tool: ToolInfo): RiskAssessment {
  return classifyTool(tool, enforcer.engine?.ruleFor(server, tool.name)?.risk);
}

/** The hints of the MCP spec's ToolAnnotations; each is forwarded only as a boolean. */
const HINTS = ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const;

/**
 * What the policy decides for a tool before its arguments are seen (a dry run: no rate limit counted); a
 * rule with an `args` check decides by its action. With no usable policy: deny.
 */
export function toolAction(enforcer: Enforcer, server: string, tool: string): Action {
  if (!enforcer.engine) return enforcer.refusal.decision;
  return enforcer.engine.decide({ server, tool }, { dryRun: true, beforeArgs: true }).decision;
}

/**
 * How a tool's `readOnlyHint` is forwarded: `true` for a tool the policy decides `ask` or `deny` (Warden
 * asks, or blocks: VS Code's own confirmation would be a second prompt, or a pointless one); for any other
 * tool the server's `true` only when Warden classifies the tool as read or the user trusts the server's
 * annotations; else it is dropped.
 */
function readOnlyRule(enforcer: Enforcer, server: string, tool: ToolInfo, trustAnnotations: boolean): 'set' | 'as-claimed' | 'drop' {
  if (toolAction(enforcer, server, tool.name) !== 'allow') return 'set';
  return trustAnnotations || riskOf(enforcer, server, tool).category === 'read' ? 'as-claimed' : 'drop';
}

/**
 * The tools to show the client: hidden tools and entries that are not tools removed, and each tool's
 * annotations written by Warden: the known hints as booleans only (VS Code takes any truthy value as
 * true), and `readOnlyHint` as `readOnlyRule` says.
 */
export function filterTools(enforcer: Enforcer, server: string, tools: unknown[], trustAnnotations = false): unknown[] {
  const out: unknown[] = [];
  for (const item of tools) {
    if (!isTool(item) || enforcer.engine?.isHidden(server, item.name)) continue;
    const { annotations: claimed, ...rest } = item as ToolInfo & Record<string, unknown>;
    const annotations = writtenAnnotations(claimed, readOnlyRule(enforcer, server, item, trustAnnotations));
    out.push(annotations ? { ...rest, annotations } : rest);
  }
  return out;
}

function writtenAnnotations(claimed: unknown, readOnly: 'set' | 'as-claimed' | 'drop'): Record<string, unknown> | undefined {
  const given = claimed && typeof claimed === 'object' && !Array.isArray(claimed) ? (claimed as Record<string, unknown>) : undefined;
  if (!given && readOnly !== 'set') return undefined;
  const written: Record<string, unknown> = {};
  if (typeof given?.title === 'string') written.title = given.title;
  for (const hint of HINTS) {
    const value = given?.[hint];
    if (typeof value !== 'boolean' || (hint === 'readOnlyHint' && value && readOnly === 'drop')) continue;
    written[hint] = value;
  }
  if (readOnly === 'set') written.readOnlyHint = true;
  return written;
}

/** What the editor is told about each tool: risk, where the label came from, and the policy's word. */
export function toolReports(enforcer: Enforcer, server: string, tools: Iterable<ToolInfo>): ToolReport[] {
  const reports: ToolReport[] = [];
  for (const tool of tools) {
    const decision = enforcer.engine ? enforcer.engine.decide({ server, tool: tool.name }, { dryRun: true, beforeArgs: true }) : enforcer.refusal;
    const risk = riskOf(enforcer, server, tool);
    reports.push({
      name: tool.name,
      ...(tool.description !== undefined ? { description: tool.description } : {}),
      ...(tool.annotations ? { annotations: tool.annotations as Record<string, unknown> } : {}),
      ...definitionParts(tool),
      risk: { category: risk.category, level: risk.level, source: risk.source, warnings: risk.warnings },
      decision: decision.decision,
      hidden: decision.hidden,
      rule: decision.rule,
      line: decision.line,
    });
  }
  return reports;
}

/** The title and schemas of a listed tool, as the server sent them (objects only for the schemas). */
function definitionParts(tool: ToolInfo): Pick<ToolReport, 'title' | 'inputSchema' | 'outputSchema'> {
  const { title, inputSchema, outputSchema } = tool as { title?: unknown; inputSchema?: unknown; outputSchema?: unknown };
  const object = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);
  return {
    ...(typeof title === 'string' ? { title } : {}),
    ...(object(inputSchema) ? { inputSchema: inputSchema as Record<string, unknown> } : {}),
    ...(object(outputSchema) ? { outputSchema: outputSchema as Record<string, unknown> } : {}),
  };
}

/** A signature of what the client sees of `tools`; a change after a policy reload means list_changed. */
export function visibleSignature(enforcer: Enforcer, server: string, tools: Iterable<ToolInfo>, trustAnnotations = false): string {
  const parts: string[] = [];
  for (const tool of tools) {
    const hidden = enforcer.engine?.isHidden(server, tool.name) === true;
    const rule = hidden ? 'drop' : readOnlyRule(enforcer, server, tool, trustAnnotations);
    const readOnly = rule === 'set' || (rule === 'as-claimed' && tool.annotations?.readOnlyHint === true);
    parts.push(`${tool.name}:${hidden ? 'h' : readOnly ? 'r' : '-'}`);
  }
  return parts.join('\n');
}

export function isTool(value: unknown): value is ToolInfo {
  return !!value && typeof value === 'object' && typeof (value as { name?: unknown }).name === 'string';
}
