// An `args` check that names arguments the tool does not have: a typo there makes the check pass
// calls it meant to refuse (a `required` the tool never sends denies every call).
import { isMap, isScalar, isSeq, type Node, type Pair } from 'yaml';
import type { Range, ToolRule } from '../policy/model';
import { closestMatches } from '../policy/suggest';
import { toolsOfRule } from './args-completion';
import type { ToolCatalogue } from './catalogue';
import type { PolicySection } from './incremental-parse';
import type { PolicySnapshot } from './policy-documents';
import type { PolicyProblem } from './types';

export function argsDiagnostics(snapshot: PolicySnapshot, catalogue: ToolCatalogue): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  for (const server of snapshot.policy.servers.values()) {
    if (!catalogue.tools(server.name)) continue;
    const serverSection = snapshot.parse.sections.get(server.name);
    for (const rule of server.tools) {
      if (!rule.args) continue;
      const section = snapshot.parse.ruleSections.get(rule) ?? serverSection;
      if (section) problems.push(...ruleArgsProblems(catalogue, server.name, rule, section));
    }
  }
  return problems;
}

// A rule object lives as long as the piece of text it was parsed from stays where it is, so its problems
// hold until the catalogue changes: a keystroke recomputes only the edited piece's.
const cache = new WeakMap<ToolRule, { catalogue: ToolCatalogue; revision: number; problems: PolicyProblem[] }>();

function ruleArgsProblems(catalogue: ToolCatalogue, server: string, rule: ToolRule, section: PolicySection): PolicyProblem[] {
  const cached = cache.get(rule);
  if (cached && cached.catalogue === catalogue && cached.revision === catalogue.revision) return cached.problems;
  const problems: PolicyProblem[] = [];
  cache.set(rule, { catalogue, revision: catalogue.revision, problems });
  const tools = toolsOfRule(catalogue, server, rule.pattern).filter((t) => t.inputSchema?.properties && typeof t.inputSchema.properties === 'object');
  if (tools.length === 0) return problems;
  const names = new Set(tools.flatMap((t) => Object.keys(t.inputSchema!.properties as object)));
  const args = section.document.getIn(['servers', server, 'tools', rule.pattern, 'args'], true) as Node | undefined;
  if (!isMap(args)) return problems;
  const whose = tools.length === 1 ? `Tool "${tools[0].name}" has` : `The ${tools.length} tools "${rule.pattern}" matches have`;
  const check = (node: Node | null | undefined, what: string) => {
    if (!isScalar(node) || !node.range) return;
    const name = String(node.value);
    if (names.has(name)) return;
    const suggestions = closestMatches(name, names);
    const hint = suggestions.length > 0 ? `; did you mean "${suggestions[0]}"?` : ` (its arguments: ${[...names].join(', ')})`;
    problems.push({ range: rangeIn(section, node.range[0], node.range[1]), severity: 'warning', code: 'unknown-argument', message: `${whose} no argument "${name}"${what}${hint}`, suggestions, data: { server, tool: rule.pattern, replaces: 'key' } });
  };
  const properties = (args.items as Pair[]).find((p) => isScalar(p.key) && p.key.value === 'properties')?.value;
  if (isMap(properties)) for (const pair of properties.items as Pair[]) check(pair.key as Node, '');
  const required = (args.items as Pair[]).find((p) => isScalar(p.key) && p.key.value === 'required')?.value;
  if (isSeq(required)) for (const item of required.items as Node[]) check(item, ', so requiring it refuses every call');
  return problems;
}

function rangeIn(section: PolicySection, start: number, end: number): Range {
  const from = section.lineCounter.linePos(start);
  const to = section.lineCounter.linePos(end);
  return {
    start: { line: section.toFileLine(from.line - 1), character: from.col - 1 },
    end: { line: section.toFileLine(to.line - 1), character: to.col - 1 },
  };
}
