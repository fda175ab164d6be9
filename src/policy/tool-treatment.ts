// How a policy treats one tool of one server (the deciding rule's decision, limit, argument check and
// risk override, or the default that decides), and what loosens from one treatment to another.
import { canonicalJson } from './canonical-json';
import { formatSeconds } from './duration';
import type { PolicyEngine } from './engine';
import { callersLabel, canonicalCallers } from './callers';
import type { Action, CallerList, Policy, RateLimit, RateLimitScope, RiskOverride, ToolRule } from './model';
import { RISK_CATEGORIES, RISK_LEVELS } from './model';

export interface Treatment {
  /** `nothing approved`: no policy to compare with, which lets nothing through. */
  source: 'rule' | 'server default' | 'default' | 'nothing approved';
  action: Action;
  hidden: boolean;
  /** The deciding rule's key, when a rule decides. */
  pattern?: string;
  isGlob?: boolean;
  rateLimit?: RateLimit;
  args?: Record<string, unknown>;
  risk?: RiskOverride;
  /** The callers the deciding rule is only for; absent: everyone. */
  only?: CallerList;
}

/** One loosening of a tool's treatment, before the server and tool are named. */
export interface Change {
  what: string;
  before: string;
  after: string;
}

export const NOTHING_APPROVED: Treatment = { source: 'nothing approved', action: 'deny', hidden: false };

/** The treatment the engine gives `tool` on `server`: its deciding rule, else the server's default, else the policy's. */
export function treatmentOf(engine: PolicyEngine, server: string, tool: string): Treatment {
  const rule = engine.ruleFor(server, tool);
  return rule ? ruleTreatment(rule) : defaultTreatment(engine.policy, server);
}

export function ruleTreatment(rule: ToolRule): Treatment {
  return {
    source: 'rule',
    action: rule.action,
    hidden: rule.hide,
    pattern: rule.pattern,
    isGlob: rule.isGlob,
    ...(rule.rateLimit ? { rateLimit: rule.rateLimit } : {}),
    ...(rule.args ? { args: rule.args } : {}),
    ...(rule.risk ? { risk: rule.risk } : {}),
    ...(rule.only ? { only: rule.only } : {}),
  };
}

/** What decides a tool no rule of `server` matches: the server's default, else the policy's. */
export function defaultTreatment(policy: Policy, server: string): Treatment {
  const serverDefault = policy.servers.get(server)?.default;
  if (serverDefault) return { source: 'server default', action: serverDefault, hidden: false };
  return { source: 'default', action: policy.default, hidden: false };
}

/** Strictness of what happens to a call: hidden > deny > ask > allow. */
function strictness(t: Treatment): number {
  if (t.hidden) return 3;
  return t.action === 'deny' ? 2 : t.action === 'ask' ? 1 : 0;
}

export function decisionLabel(t: Treatment): string {
  if (t.source === 'nothing approved') return 'nothing approved';
  return t.hidden ? 'hidden' : t.action;
}

/**
 * What loosens from `before` to `after`. Once `after` refuses every call (deny or hidden) nothing else
 * matters; once `before` refused every call, the relaxed decision says all there is to say.
 * `decisionWhat` names a decision change (`decision`, or `default` for tools no rule names).
 */
export function loosenedTreatment(before: Treatment, after: Treatment, decisionWhat = 'decision'): Change[] {
  const changes: Change[] = [];
  const was = strictness(before);
  const is = strictness(after);
  if (is < was) changes.push({ what: before.hidden ? 'hidden' : decisionWhat, before: decisionLabel(before), after: decisionLabel(after) });
  if (is >= 2 || was >= 2) return changes;

  const callers = widenedCallers(before, after);
  if (callers) changes.push(callers);
  const limit = loosenedRateLimit(before, after);
  if (limit) changes.push(limit);
  if (before.args && !after.args) changes.push({ what: 'argument check', before: 'checked', after: 'none' });
  else if (before.args && canonicalJson(before.args) !== canonicalJson(after.args)) changes.push({ what: 'argument check', before: 'checked', after: 'changed' });
  const risk = loosenedRisk(before.risk, after.risk);
  if (risk) changes.push(risk);
  return changes;
}

/**
 * Who may have the call made, widened: the `only` list dropped, or a user or group added to it. A list
 * is compared entry by entry: a new group may hold anyone, so any entry not approved is a loosening.
 */
function widenedCallers(before: Treatment, after: Treatment): Change | undefined {
  if (!before.only) return undefined;
  if (!after.only) return { what: 'callers', before: callersLabel(before.only), after: 'everyone' };
  const approved = new Set(canonicalCallers(before.only));
  if (canonicalCallers(after.only).every((entry) => approved.has(entry))) return undefined;
  return { what: 'callers', before: callersLabel(before.only), after: callersLabel(after.only) };
}

/** Whose calls share one count, narrowest first: a narrower scope counts fewer calls against the limit. A caller's sessions are all theirs. */
const SCOPE_BREADTH: Record<RateLimitScope, number> = { session: 0, user: 1, server: 2, global: 3 };

function loosenedRateLimit(before: Treatment, after: Treatment): Change | undefined {
  const was = before.rateLimit;
  if (!was) return undefined;
  const is = after.rateLimit;
  const scopes = is !== undefined && is.scope !== was.scope;
  if (!is) return { what: 'rate limit', before: rateLimitLabel(was, false), after: 'none' };
  if (is.max > was.max || is.windowSeconds < was.windowSeconds || SCOPE_BREADTH[is.scope] < SCOPE_BREADTH[was.scope]) {
    return { what: 'rate limit', before: rateLimitLabel(was, scopes), after: rateLimitLabel(is, scopes) };
  }
  // A glob keeps one count for every tool it matches: another rule deciding this tool counts it apart.
  if (before.isGlob && after.pattern !== before.pattern) {
    return { what: 'rate limit', before: `${rateLimitLabel(was, scopes)}, shared by ${before.pattern}`, after: `${rateLimitLabel(is, scopes)}, counted apart` };
  }
  return undefined;
}

const SCOPE_WORDS: Record<RateLimitScope, string> = { session: 'per session', user: 'per user', server: 'per server', global: 'global' };

export function rateLimitLabel(limit: RateLimit, withScope: boolean): string {
  const base = `${limit.max} per ${formatSeconds(limit.windowSeconds)}`;
  return withScope || limit.scope !== 'session' ? `${base} ${SCOPE_WORDS[limit.scope]}` : base;
}

/**
 * A risk override lowered, removed, or added below the top of its scale: without an override the
 * classifier decides, which may have said more (a category `read` written over what it calls destructive).
 */
function loosenedRisk(before: RiskOverride | undefined, after: RiskOverride | undefined): Change | undefined {
  const lower = (scale: readonly string[], was: string | undefined, is: string | undefined) =>
    is === undefined ? was !== undefined : was === undefined ? scale.indexOf(is) < scale.length - 1 : scale.indexOf(is) < scale.indexOf(was);
  if (!lower(RISK_CATEGORIES, before?.category, after?.category) && !lower(RISK_LEVELS, before?.level, after?.level)) return undefined;
  return { what: 'risk override', before: riskLabel(before), after: riskLabel(after) };
}

function riskLabel(risk: RiskOverride | undefined): string {
  const parts = [risk?.category, risk?.level].filter((part) => part !== undefined);
  return parts.length > 0 ? parts.join(', ') : 'none';
}
