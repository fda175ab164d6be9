// What the Servers tree shows, computed from the catalogue (servers and their listed tools), the policy
// (protected servers and the decision for each tool) and what the proxies report (running or not).
// Plain data: the tree view only turns rows into TreeItems.
import type { CataloguedTool, ServerInfo, ServerTransport, ToolsOrigin } from '../language/catalogue';
import { riskBadge, riskLabel, riskSourceText } from '../language/tool-docs';
import { formatSeconds } from '../policy/duration';
import { PolicyEngine } from '../policy/engine';
import type { Action, Decision, Policy, Range, RiskAssessment, RiskCategory, RiskLevel, ToolInfo } from '../policy/model';
import { classifyTool, compareRisk, RISK_BADGE_LETTER } from '../policy/risk';
import { serverContextValue, toolContextValue, type ServerState } from './context-value';
import { transportOf, type ProtectedServer } from './launch-entry';

export interface ServerRuntime {
  state: ServerState;
  detail?: string;
}

/** The policy as the editor last read it; `lastGood` is what the proxies keep enforcing while it is invalid. */
export type PolicyView =
  | { state: 'none' }
  | { state: 'valid'; policy: Policy }
  | { state: 'invalid'; problem: string; lastGood?: Policy };

export interface TreeSource {
  servers: readonly ServerInfo[];
  protectedServers: readonly ProtectedServer[];
  listed(server: string): { tools: readonly CataloguedTool[]; origin: ToolsOrigin; updated: number } | undefined;
  policy: PolicyView;
  runtime(server: string): ServerRuntime | undefined;
  /** Why a protected server is not started (its launch entry not approved, the workspace not trusted). */
  held?(server: string): string | undefined;
  /** False in an untrusted workspace, where no protected server is offered or started. */
  trusted?: boolean;
  now: number;
  /** A change of the policy file that loosens it and waits for a person: how many loosenings it has. */
  waitingChange?: { loosened: number };
  /** A change of the lockfile that would let tools through and waits for a person: how many items. */
  waitingLockChange?: { loosened: number };
}

export interface Icon {
  /** A codicon id. */
  id: string;
  /** A colour id from package.json's `contributes.colors` (or a theme colour), when the icon is tinted. */
  color?: string;
}

export interface ToolRow {
  kind: 'tool';
  server: string;
  name: string;
  info: ToolInfo;
  risk: RiskAssessment;
  badge: 'R' | 'W' | 'X' | 'D';
  decision: Decision;
  /** The action a click on Deny/Allow/Ask compares with: `deny` for hidden tools. */
  action: Action;
  /** The deciding rule checks each call's arguments (a call that fails the check is denied). */
  argsChecked: boolean;
  /** False when Warden does not stand between the agent and this server. */
  enforced: boolean;
  description: string;
  tooltip: string;
  contextValue: string;
  icon: Icon;
}

export interface ServerRow {
  kind: 'server';
  name: string;
  transport?: ServerTransport;
  isProtected: boolean;
  /** Protected and still declared in an mcp.json: VS Code offers its tools twice, once unguarded. */
  duplicated: boolean;
  state: ServerState;
  toolCount?: number;
  denied: number;
  /** The mcp.json that declares it (URI string), for unprotected servers. */
  configUri?: string;
  /** Where its key is in that file. */
  configRange?: Range;
  /** The line of its `launch` entry in the policy, for protected servers. */
  launchLine?: number;
  /** Why it is not started, when Warden holds it back. */
  held?: string;
  description: string;
  tooltip: string;
  contextValue: string;
  icon: Icon;
  tools: ToolRow[];
}

export interface Notice {
  kind: 'notice';
  message: string;
  severity: 'info' | 'warning' | 'error';
  /** The command a click runs (opening the policy when absent). */
  command?: string;
}

/** The command that asks again about a waiting policy change. */
export const REVIEW_POLICY_CHANGE_COMMAND = 'mcpWarden.reviewPolicyChange';
/** The command that asks again about a waiting lockfile change. */
export const REVIEW_LOCK_CHANGE_COMMAND = 'mcpWarden.reviewLockChange';

export interface TreeModel {
  notices: Notice[];
  servers: ServerRow[];
}

const CATEGORY_ICON: Record<RiskCategory, string> = { read: 'eye', write: 'edit', execute: 'run', destructive: 'trash' };
export const RISK_COLOR: Record<RiskLevel, string> = {
  low: 'mcpWarden.risk.low',
  medium: 'mcpWarden.risk.medium',
  high: 'mcpWarden.risk.high',
  critical: 'mcpWarden.risk.critical',
};
const DECISION_WORD: Record<Action, string> = { allow: 'allowed', ask: 'ask', deny: 'denied' };

export function buildTreeModel(source: TreeSource): TreeModel {
  const policy = source.policy.state === 'valid' ? source.policy.policy : source.policy.state === 'invalid' ? source.policy.lastGood : undefined;
  const engine = policy ? new PolicyEngine(policy) : undefined;
  const failClosed = source.policy.state === 'invalid' && !source.policy.lastGood;
  const notices: Notice[] = [];
  if (source.policy.state === 'invalid') {
    notices.push({
      kind: 'notice',
      severity: source.policy.lastGood ? 'warning' : 'error',
      message: source.policy.lastGood
        ? `The policy has errors; protected servers keep the last good version. ${source.policy.problem}`
        : `The policy has errors; protected servers refuse every call until it is fixed. ${source.policy.problem}`,
    });
  }

  if (source.trusted === false && source.protectedServers.length > 0) {
    notices.push({ kind: 'notice', severity: 'warning', message: 'This workspace is not trusted: protected servers are not offered to VS Code and no launch entry runs. Trust the workspace to start them.' });
  }

  if (source.waitingChange) {
    const count = source.waitingChange.loosened;
    notices.push({
      kind: 'notice',
      severity: 'warning',
      command: REVIEW_POLICY_CHANGE_COMMAND,
      message: `A change to the policy is waiting for your review: it loosens what is enforced (${count} ${count === 1 ? 'item' : 'items'}), so protected servers keep the approved policy. Click to review it.`,
    });
  }

  if (source.waitingLockChange) {
    const count = source.waitingLockChange.loosened;
    notices.push({
      kind: 'notice',
      severity: 'warning',
      command: REVIEW_LOCK_CHANGE_COMMAND,
      message: `A change to the lockfile is waiting for your review: it lets tools through that the approved pins hold back (${count} ${count === 1 ? 'item' : 'items'}), so protected servers keep the approved pins. Click to review it.`,
    });
  }

  const protectedByName = new Map(source.protectedServers.map((server) => [server.name, server]));
  const declared = new Map(source.servers.map((server) => [server.name, server]));
  const names = [...new Set([...declared.keys(), ...protectedByName.keys()])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

  const servers = names.map((name): ServerRow => {
    const guarded = protectedByName.get(name);
    const info = declared.get(name);
    const inMcpJson = info?.source.origin === 'workspace' || info?.source.origin === 'user';
    const transport = guarded ? transportOf(guarded.entry) : info?.transport;
    const held = guarded ? source.held?.(name) : undefined;
    const reported = guarded ? source.runtime(name) : undefined;
    const runtime: ServerRuntime = !guarded
      ? { state: 'unknown' }
      : held !== undefined && reported?.state !== 'running' ? { state: 'held', detail: `not started: ${held}` } : (reported ?? { state: 'stopped' });
    const listed = source.listed(name);
    const enforced = guarded !== undefined;
    const tools = (listed?.tools ?? [])
      .map((tool) => toolRow(name, tool, engine, enforced, failClosed ? source.policy : undefined))
      .sort((a, b) => compareRisk(a.risk, b.risk) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const denied = tools.filter((tool) => tool.action === 'deny').length;
    const row: ServerRow = {
      kind: 'server',
      name,
      isProtected: enforced,
      duplicated: enforced && inMcpJson,
      state: runtime.state,
      denied,
      description: '',
      tooltip: '',
      contextValue: serverContextValue(enforced, runtime.state, transport),
      icon: serverIcon(enforced, runtime.state, enforced && inMcpJson),
      tools,
    };
    if (transport) row.transport = transport;
    if (listed) row.toolCount = listed.tools.length;
    if (info?.source.uri && inMcpJson) row.configUri = info.source.uri;
    if (info?.source.range && inMcpJson) row.configRange = info.source.range;
    if (guarded) row.launchLine = guarded.line;
    if (held !== undefined) row.held = held;
    row.description = serverDescription(row);
    row.tooltip = serverTooltip(row, runtime, listed, info, source.now);
    return row;
  });
  return { notices, servers };
}

function toolRow(server: string, tool: CataloguedTool, engine: PolicyEngine | undefined, enforced: boolean, failClosed: PolicyView | undefined): ToolRow {
  const rule = engine?.ruleFor(server, tool.info.name);
  const risk = rule?.risk ? classifyTool(tool.info, rule.risk) : tool.risk;
  const decision: Decision = failClosed && enforced
    ? { decision: 'deny', reason: 'The policy has errors and there is no earlier good version: every call is refused', rule: null, line: null, rateLimit: null, hidden: false }
    : (engine?.decide({ server, tool: tool.info.name }, { dryRun: true, beforeArgs: true }) ?? { decision: 'allow', reason: null, rule: null, line: null, rateLimit: null, hidden: false });
  const action: Action = decision.hidden ? 'deny' : decision.decision;
  // A rule's `args` check is a condition on each call; a denied or hidden tool never reaches it.
  const argsChecked = rule?.args !== undefined && action !== 'deny' && !(failClosed && enforced);
  const row: ToolRow = {
    kind: 'tool',
    server,
    name: tool.info.name,
    info: tool.info,
    risk,
    badge: RISK_BADGE_LETTER[risk.category],
    decision,
    action,
    argsChecked,
    enforced,
    description: toolDescription(risk, decision, enforced, argsChecked),
    tooltip: '',
    contextValue: toolContextValue(action, risk.level, decision.rule !== null, enforced),
    icon: { id: decision.hidden ? 'eye-closed' : CATEGORY_ICON[risk.category], color: RISK_COLOR[risk.level] },
  };
  row.tooltip = toolTooltip(row);
  return row;
}

/** `execute · high · denied`, then an args check and a rate limit, then whether Warden enforces it. */
export function toolDescription(risk: RiskAssessment, decision: Decision, enforced: boolean, argsChecked = false): string {
  const parts = [riskLabel(risk), decision.hidden ? 'hidden' : DECISION_WORD[decision.decision]];
  if (argsChecked) parts.push('args checked');
  if (decision.rateLimit) parts.push(`≤ ${decision.rateLimit.max} per ${formatSeconds(decision.rateLimit.windowSeconds)}`);
  return parts.join(' · ') + (enforced ? '' : ' (not enforced)');
}

function toolTooltip(row: ToolRow): string {
  const parts = [`**${row.name}** — ${riskBadge(row.risk)} *(from ${riskSourceText(row.risk.source)})*`];
  for (const warning of row.risk.warnings) parts.push(`⚠ ${warning}`);
  if (row.info.description) parts.push(row.info.description);
  const { decision } = row;
  const where = decision.line ? ` (line ${decision.line})` : '';
  const by = decision.rule !== null ? `rule \`${decision.rule}\`${where}` : decision.line ? `the default${where}` : 'no rule and no default';
  let text = `**Decision: ${decision.hidden ? 'hidden' : DECISION_WORD[decision.decision]}** — ${by}`;
  if (row.argsChecked) text += "; each call's arguments are checked (a call that fails the check is denied)";
  if (decision.rateLimit) text += `; at most ${decision.rateLimit.max} calls per ${formatSeconds(decision.rateLimit.windowSeconds)}`;
  parts.push(text);
  if (decision.reason) parts.push(`> ${decision.reason}`);
  if (!row.enforced) parts.push('*Not enforced: this server is not protected by Warden, so its calls do not pass the policy.*');
  return parts.join('\n\n');
}

function serverDescription(row: ServerRow): string {
  const parts: string[] = [];
  if (row.transport) parts.push(row.transport);
  parts.push(row.isProtected ? 'protected' : 'not protected');
  if (row.held !== undefined && row.state === 'held') parts.push(row.held);
  else if (row.state !== 'unknown') parts.push(row.state);
  parts.push(row.toolCount === undefined ? 'tools not listed' : `${row.toolCount} ${row.toolCount === 1 ? 'tool' : 'tools'}`);
  if (row.denied > 0) parts.push(`${row.denied} denied`);
  if (row.duplicated) parts.push('also in mcp.json');
  return parts.join(' · ');
}

function serverTooltip(row: ServerRow, runtime: ServerRuntime, listed: ReturnType<TreeSource['listed']>, info: ServerInfo | undefined, now: number): string {
  const parts = [`**${row.name}** — ${row.transport ?? 'transport unknown'}`];
  if (row.isProtected) {
    parts.push(`$(shield) Protected: VS Code starts it through Warden's proxy, which decides every call. Its entry is the policy's \`launch\`${row.launchLine ? ` (line ${row.launchLine})` : ''}.`);
  } else {
    const where = info?.source.origin === 'user' ? "the user's mcp.json" : info?.source.origin === 'workspace' ? "the workspace's mcp.json" : 'no mcp.json';
    parts.push(`Not protected: declared in ${where}; VS Code calls it directly and the policy is not enforced. Protect it to put it behind Warden.`);
  }
  if (row.duplicated) parts.push("⚠ Also declared in an mcp.json: VS Code offers that entry's tools too, without Warden. Remove it there.");
  if (row.isProtected) parts.push(`State: ${runtime.state}${runtime.detail ? ` — ${runtime.detail}` : ''}`);
  if (listed) parts.push(`${listed.tools.length} tools, listed by ${listed.origin === 'proxy' ? "Warden's proxy" : listed.origin === 'discovery' ? 'a discovery run' : listed.origin === 'cache' ? 'an earlier session (cached)' : 'an extension'} ${ago(now - listed.updated)}.`);
  else parts.push('Tools not listed yet: run Discover tools, or start the server.');
  return parts.join('\n\n');
}

function serverIcon(isProtected: boolean, state: ServerState, duplicated: boolean): Icon {
  if (!isProtected) return { id: 'circle-large-outline', color: 'mcpWarden.unprotected' };
  if (state === 'error' || duplicated) return { id: 'shield', color: 'mcpWarden.risk.critical' };
  if (state === 'held') return { id: 'shield', color: 'mcpWarden.risk.medium' };
  return state === 'running' ? { id: 'shield', color: 'mcpWarden.protected' } : { id: 'shield' };
}

function ago(milliseconds: number): string {
  const seconds = Math.max(0, Math.round(milliseconds / 1000));
  if (seconds < 60) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}
