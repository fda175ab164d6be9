// The decision engine: which rule applies to a tool, and what to do with one call.
// A policy is compiled once; a decision is a map lookup plus, when the rule asks for them,
// an argument check and a rate-limit count.
import { ArgsChecker } from './args-check';
import { formatSeconds } from './duration';
import { globMatcher, type GlobMatcher } from './glob';
import { admits, notAdmittedReason } from './callers';
import type { Decision, Policy, Principal, RateLimitScope, ServerPolicy, ToolRule } from './model';
import { RateLimiter, type Acquired } from './rate-limiter';

export interface ToolCall {
  server: string;
  tool: string;
  args?: unknown;
  /** The agent session the call belongs to; rate limits with scope `session` count per session. */
  session?: string;
  /** Who calls, when an identity established it; absent for the local single user (rules with `only` deny then). */
  principal?: Principal;
}

/** A rate-limit count kept outside this process, shared by every instance that uses it. Rejects when it cannot count. */
export interface SharedLimiter {
  /** `scope`: the rule's, for a limiter that bounds the counts it holds per scope. */
  tryAcquire(key: string, max: number, windowMs: number, scope?: string): Promise<Acquired>;
}

export interface DecideOptions {
  /** Decide without counting the call against a rate limit (explain, previews). */
  dryRun?: boolean;
  /**
   * Decide for the tool before any call's arguments are seen (the tree, `tools`, the proxy's reports): an
   * `args` check is a condition on each call, so it is not evaluated against arguments nobody sent.
   */
  beforeArgs?: boolean;
}

/** What outlives a policy reload: rate-limit windows and compiled argument schemas. */
export class EngineState {
  constructor(
    readonly limiter: RateLimiter = new RateLimiter(),
    readonly args: ArgsChecker = new ArgsChecker(),
  ) {}

  /** Frees the rate-limit windows of a session that ended. */
  endSession(session: string): void {
    this.limiter.forget(sessionSuffix(session));
  }
}

interface CompiledServer {
  policy: ServerPolicy;
  exact: Map<string, ToolRule>;
  /** Most specific first: more literal characters, then file order. */
  globs: { rule: ToolRule; matcher: GlobMatcher }[];
  /** Tool name -> deciding rule (null: none). Servers have few tools; the cap bounds what a client inventing names can make it hold. */
  resolved: Map<string, ToolRule | null>;
}

const RESOLVED_CAP = 10_000;

export class PolicyEngine {
  private readonly servers = new Map<string, CompiledServer>();

  constructor(
    readonly policy: Policy,
    readonly state: EngineState = new EngineState(),
  ) {
    for (const server of policy.servers.values()) this.servers.set(server.name, compileServer(server));
  }

  /** The rule that decides `tool` on `server`: an exact name, else the most specific glob. */
  ruleFor(server: string, tool: string): ToolRule | undefined {
    const compiled = this.servers.get(server);
    if (!compiled) return undefined;
    let rule = compiled.resolved.get(tool);
    if (rule === undefined) {
      rule = compiled.exact.get(tool) ?? compiled.globs.find((g) => g.matcher.test(tool))?.rule ?? null;
      if (compiled.resolved.size >= RESOLVED_CAP) compiled.resolved.clear();
      compiled.resolved.set(tool, rule);
    }
    return rule ?? undefined;
  }

  isHidden(server: string, tool: string): boolean {
    return this.ruleFor(server, tool)?.hide === true;
  }

  decide(call: ToolCall, options: DecideOptions = {}): Decision {
    const step = this.beforeCount(call, options);
    if (!isCount(step)) return step;
    return this.afterCount(call, step.rule, this.state.limiter.tryAcquire(step.key, step.max, step.windowMs, step.rule.rateLimit!.scope));
  }

  /**
   * The same decision with the rate limit counted by `limiter`, a count shared by other processes (Redis).
   * When the limiter cannot count (unreachable, too slow), the call is denied with its reason: never let through uncounted.
   */
  async decideShared(call: ToolCall, limiter: SharedLimiter, options: DecideOptions = {}): Promise<Decision> {
    const step = this.beforeCount(call, options);
    if (!isCount(step)) return step;
    let acquired: Acquired;
    try {
      acquired = await limiter.tryAcquire(step.key, step.max, step.windowMs, step.rule.rateLimit!.scope);
    } catch (error) {
      const why = (error as Error)?.message ?? String(error);
      return ruleDecision(step.rule, 'deny', `The rate limit of rule "${step.rule.pattern}" could not be counted: ${why}; the call is refused`);
    }
    return this.afterCount(call, step.rule, acquired);
  }

  /** The decision when it needs no count, else what to count. */
  private beforeCount(call: ToolCall, options: DecideOptions): Decision | Count {
    const rule = this.ruleFor(call.server, call.tool);
    if (!rule) return this.decideByDefault(call);

    if (rule.hide) return ruleDecision(rule, 'deny', `Tool "${call.tool}" is hidden by rule "${rule.pattern}"`, true);
    if (rule.action === 'deny') return ruleDecision(rule, 'deny', rule.reason ?? `Tool "${call.tool}" is denied by rule "${rule.pattern}"`);
    if (rule.only && !admits(rule.only, call.principal)) return ruleDecision(rule, 'deny', notAdmittedReason(call.tool, rule.pattern, rule.only, call.principal, rule.reason));

    if (rule.args && !options.beforeArgs) {
      const verdict = this.state.args.check(rule.args, call.args);
      if (!verdict.ok) return ruleDecision(rule, 'deny', `Arguments rejected by rule "${rule.pattern}": ${verdict.problems.join('; ')}`);
    }

    if (rule.rateLimit && !options.dryRun) {
      return { count: true, rule, key: limiterKey(call, rule), max: rule.rateLimit.max, windowMs: rule.rateLimit.windowSeconds * 1000 };
    }
    return this.passed(call, rule);
  }

  private afterCount(call: ToolCall, rule: ToolRule, acquired: Acquired): Decision {
    if (acquired.ok) return this.passed(call, rule);
    const { max, windowSeconds, scope } = rule.rateLimit!;
    if (acquired.full) {
      const held = acquired.full.windows.toLocaleString('en-US');
      return ruleDecision(rule, 'deny', `The rate limit of rule "${rule.pattern}" could not be counted: ${held} ${scope} windows are counting at once, the most this process keeps; the call is refused`);
    }
    const retry = formatSeconds(Math.ceil(acquired.retryAfterMs / 1000));
    return ruleDecision(rule, 'deny', `Rate limit of ${max} calls per ${formatSeconds(windowSeconds)} reached${SCOPE_WHERE[scope]} (rule "${rule.pattern}"); retry in ${retry}`);
  }

  private passed(call: ToolCall, rule: ToolRule): Decision {
    if (rule.action === 'ask') return ruleDecision(rule, 'ask', rule.reason ?? `Tool "${call.tool}" needs approval (rule "${rule.pattern}")`);
    return ruleDecision(rule, 'allow', null);
  }

  private decideByDefault(call: ToolCall): Decision {
    const server = this.policy.servers.get(call.server);
    const fromServer = server?.default !== undefined;
    const decision = fromServer ? server!.default! : this.policy.default;
    const line = (fromServer ? server!.defaultLine : this.policy.defaultLine) ?? null;
    const whose = fromServer ? `the default for server "${call.server}"` : "the policy's default";
    const reason =
      decision === 'deny'
        ? `No rule matches tool "${call.tool}"; ${whose} is deny`
        : decision === 'ask'
          ? `No rule matches tool "${call.tool}"; ${whose} is ask`
          : null;
    return { decision, reason, rule: null, line, rateLimit: null, hidden: false };
  }
}

function compileServer(policy: ServerPolicy): CompiledServer {
  const exact = new Map<string, ToolRule>();
  const globs: CompiledServer['globs'] = [];
  for (const rule of policy.tools) {
    if (!rule.isGlob) {
      if (!exact.has(rule.pattern)) exact.set(rule.pattern, rule);
    } else {
      globs.push({ rule, matcher: globMatcher(rule.pattern) });
    }
  }
  globs.sort((a, b) => b.rule.literalChars - a.rule.literalChars || a.rule.index - b.rule.index);
  return { policy, exact, globs, resolved: new Map() };
}

/** A call the rule lets through if its rate limit counts it. */
interface Count {
  count: true;
  rule: ToolRule;
  key: string;
  max: number;
  windowMs: number;
}

function isCount(step: Decision | Count): step is Count {
  return (step as Count).count === true;
}

function ruleDecision(rule: ToolRule, decision: Decision['decision'], reason: string | null, hidden = false): Decision {
  const rateLimit = rule.rateLimit ? { max: rule.rateLimit.max, windowSeconds: rule.rateLimit.windowSeconds } : null;
  return { decision, reason, rule: rule.pattern, line: rule.line, rateLimit, hidden };
}

const SCOPE_WHERE: Record<RateLimitScope, string> = { session: ' in this session', user: ' for this caller', server: ' for this server', global: '' };

function sessionSuffix(session: string): string {
  return `\u0000session:${session}`;
}

function limiterKey(call: ToolCall, rule: ToolRule): string {
  switch (rule.rateLimit!.scope) {
    case 'session':
      return `${call.server}\u0000${rule.pattern}${sessionSuffix(call.session ?? '')}`;
    case 'user':
      // No caller identity: one count for every anonymous call (no principal's name is empty).
      return `${call.server}\u0000${rule.pattern}\u0000user:${call.principal?.name ?? ''}`;
    case 'server':
      return `${call.server}\u0000${rule.pattern}\u0000server`;
    case 'global':
      return `${rule.pattern}\u0000global`;
  }
}
