// Problems in a policy's rules that only the live tools reveal (unknown servers and tools, globs that
// match nothing, high-risk tools no rule covers) or that the order of globs makes (unreachable rules).
import { globMatcher } from '../policy/glob';
import type { Policy, Range, RiskCategory, ServerPolicy, ToolRule } from '../policy/model';
import { closestMatches } from '../policy/suggest';
import type { ToolCatalogue } from './catalogue';
import { globCovers } from './glob-cover';
import type { PolicySnapshot } from './policy-documents';
import { riskLabel } from './tool-docs';
import type { PolicyProblem } from './types';

const RISKY_ADVICE: Record<RiskCategory, string> = {
  destructive: 'Destructive tools should be denied or need approval',
  execute: 'Execute tools should be rate-limited and have argument checks',
  write: 'Tools that change data this much should need approval or be rate-limited',
  read: 'Tools that read this much should be reviewed',
};

export function ruleDiagnostics(snapshot: PolicySnapshot, catalogue: ToolCatalogue): PolicyProblem[] {
  const policy = snapshot.policy;
  const problems: PolicyProblem[] = [];
  const known = catalogue.servers().map((s) => s.name);
  for (const server of policy.servers.values()) {
    if (known.length > 0 && !catalogue.server(server.name)) problems.push(unknownServer(server, known));
    const flagged = new Set<ToolRule>();
    for (const rule of server.tools) {
      const shadow = structuralShadow(server, rule);
      if (shadow) {
        flagged.add(rule);
        problems.push({
          range: rule.keyRange,
          severity: 'warning',
          code: 'unreachable-rule',
          message: `Rule "${rule.pattern}" is unreachable: rule "${shadow.pattern}" (line ${shadow.line}) matches every tool it matches and comes first`,
          data: { server: server.name, tool: rule.pattern },
        });
      }
    }
    if (catalogue.tools(server.name)) problems.push(...liveToolProblems(snapshot, catalogue, server, flagged));
  }
  problems.push(...ungovernedServers(snapshot, catalogue));
  return problems;
}

function unknownServer(server: ServerPolicy, known: string[]): PolicyProblem {
  const suggestions = closestMatches(server.name, known);
  const hint = suggestions.length > 0 ? `; did you mean "${suggestions[0]}"?` : '';
  return {
    range: server.keyRange,
    severity: 'warning',
    code: 'unknown-server',
    message: `Server "${server.name}" is not in any mcp.json Warden knows${hint} Known servers: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', …' : ''}`,
    suggestions,
    data: { server: server.name, replaces: 'key' },
  };
}

/** An earlier glob of equal specificity that matches everything this glob matches (a later or less specific one never can). */
function structuralShadow(server: ServerPolicy, rule: ToolRule): ToolRule | undefined {
  if (!rule.isGlob) return undefined;
  return server.tools.find((other) => other.index < rule.index && other.isGlob && other.literalChars === rule.literalChars && other.pattern !== rule.pattern && globCovers(other.pattern, rule.pattern));
}

function liveToolProblems(snapshot: PolicySnapshot, catalogue: ToolCatalogue, server: ServerPolicy, flagged: Set<ToolRule>): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const tools = catalogue.rankedTools(server.name);
  const names = tools.map((t) => t.info.name);
  const engine = snapshot.engineFor(server.name);
  for (const rule of server.tools) {
    if (!rule.isGlob) {
      const unknown = unknownTool(catalogue, server.name, rule, names);
      if (unknown) problems.push(unknown);
      continue;
    }
    const matcher = globMatcher(rule.pattern);
    const matched = names.filter((name) => matcher.test(name));
    if (matched.length === 0) {
      problems.push({ range: rule.keyRange, severity: 'info', code: 'glob-matches-nothing', message: `Glob "${rule.pattern}" matches none of the ${names.length} tools of "${server.name}"`, data: { server: server.name, tool: rule.pattern } });
      continue;
    }
    // The engine previews copies of the rules (without args), so rules are compared by their place.
    const deciders = matched.map((name) => ({ name, rule: engine.ruleFor(server.name, name)! }));
    if (!flagged.has(rule) && deciders.every((d) => d.rule.index !== rule.index)) {
      const by = deciders.slice(0, 4).map((d) => `${d.name} by "${d.rule.pattern}" (line ${d.rule.line})`).join(', ');
      problems.push({
        range: rule.keyRange,
        severity: 'warning',
        code: 'unreachable-rule',
        message: `Rule "${rule.pattern}" decides none of the tools it matches: more specific rules decide them (${by}${deciders.length > 4 ? ', …' : ''})`,
        data: { server: server.name, tool: rule.pattern },
      });
    }
  }
  const fallback = server.default ?? snapshot.policy.default;
  if (fallback === 'allow') {
    for (const tool of tools) {
      if (!isRisky(tool.risk.level) || engine.ruleFor(server.name, tool.info.name)) continue;
      problems.push({
        range: server.keyRange,
        severity: 'info',
        code: 'unruled-risky-tool',
        message: `Tool "${tool.info.name}" (${riskLabel(tool.risk)}) has no rule, and ${defaultName(server)} allows it. ${RISKY_ADVICE[tool.risk.category]}`,
        data: { server: server.name, tool: tool.info.name },
      });
    }
  }
  return problems;
}

// A rule's unknown-tool problem, kept per rule object (rules are reused while their text is) and
// catalogue revision: on a long file this is most of the work, and a keystroke changes one rule.
const unknownToolCache = new WeakMap<ToolRule, { catalogue: ToolCatalogue; revision: number; problem: PolicyProblem | undefined }>();

function unknownTool(catalogue: ToolCatalogue, server: string, rule: ToolRule, names: string[]): PolicyProblem | undefined {
  const cached = unknownToolCache.get(rule);
  if (cached && cached.catalogue === catalogue && cached.revision === catalogue.revision) return cached.problem;
  let problem: PolicyProblem | undefined;
  if (!catalogue.tool(server, rule.pattern)) {
    const suggestions = closestMatches(rule.pattern, names);
    const hint = suggestions.length > 0 ? `; did you mean "${suggestions[0]}"?` : ` (its tools: ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''})`;
    problem = { range: rule.keyRange, severity: 'warning', code: 'unknown-tool', message: `Server "${server}" has no tool "${rule.pattern}"${hint}`, suggestions, data: { server, tool: rule.pattern, replaces: 'key' } };
  }
  unknownToolCache.set(rule, { catalogue, revision: catalogue.revision, problem });
  return problem;
}

/** Servers with listed high-risk tools that the policy does not mention, under a permissive top-level default. */
function ungovernedServers(snapshot: PolicySnapshot, catalogue: ToolCatalogue): PolicyProblem[] {
  const policy = snapshot.policy;
  if (policy.default !== 'allow') return [];
  const problems: PolicyProblem[] = [];
  for (const server of catalogue.servers()) {
    if (policy.servers.has(server.name)) continue;
    const risky = catalogue.rankedTools(server.name).filter((t) => isRisky(t.risk.level));
    if (risky.length === 0) continue;
    const list = risky.slice(0, 4).map((t) => `${t.info.name} (${riskLabel(t.risk)})`).join(', ');
    problems.push({
      range: serversKeyRange(snapshot, policy),
      severity: 'info',
      code: 'unruled-risky-tool',
      message: `Server "${server.name}" is not in this policy, so the default allows its ${risky.length} high-risk tool${risky.length === 1 ? '' : 's'}: ${list}${risky.length > 4 ? ', …' : ''}`,
      data: { server: server.name },
    });
  }
  return problems;
}

export function isRisky(level: string): boolean {
  return level === 'high' || level === 'critical';
}

function defaultName(server: ServerPolicy): string {
  return server.default ? "the server's default" : "the policy's default";
}

/** The `servers:` key, else the top-level default, else the first line. */
function serversKeyRange(snapshot: PolicySnapshot, policy: Policy): Range {
  const lines = snapshot.lines;
  for (let i = 0; i < lines.count; i++) {
    if (lines.contentIndent(i) === 0 && lines.info(i).key === 'servers') return { start: { line: i, character: 0 }, end: { line: i, character: 7 } };
  }
  const line = (policy.defaultLine ?? 1) - 1;
  return { start: { line, character: 0 }, end: { line, character: lines.line(line).length } };
}

