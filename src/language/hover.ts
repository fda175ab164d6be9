// Hover: the schema's docs on keys and values; on a tool, what it does, its input, its risk and where the
// label came from, and what this file decides for it; on a server, how it runs and its riskiest tools.
import { isGlob } from '../policy/glob';
import type { Position } from '../policy/model';
import { classifyTool } from '../policy/risk';
import { toolsOfRule } from './args-completion';
import type { ToolCatalogue } from './catalogue';
import { SCHEMA_KEYWORDS } from './json-schema-keywords';
import type { PolicySnapshot } from './policy-documents';
import { docsOf, placeOf, schemaAt, valuesOf } from './policy-schema';
import { serverMarkdown } from './server-docs';
import { decisionText, inputProperties, riskBadge, toolMarkdown } from './tool-docs';
import { findingsMarkdown } from './tool-findings';
import type { Hover } from './types';
import { contextAt } from './yaml-context';

export function hover(snapshot: PolicySnapshot, position: Position, catalogue: ToolCatalogue): Hover | undefined {
  const ctx = contextAt(snapshot.lines, position);
  if (ctx.kind === 'none' || ctx.tokenText === '') return undefined;
  const contents = ctx.kind === 'key' ? keyHover(snapshot, catalogue, [...ctx.path, ctx.tokenText]) : valueHover(ctx.path, ctx.tokenText);
  return contents ? { contents, range: ctx.token } : undefined;
}

function keyHover(snapshot: PolicySnapshot, catalogue: ToolCatalogue, path: string[]): string | undefined {
  const place = placeOf(path);
  if (path.length === 2 && place.server) return serverHover(snapshot, catalogue, place.server);
  if (path.length === 4 && place.server && place.tool && path[2] === 'tools') return ruleHover(snapshot, catalogue, place.server, place.tool);
  if (place.args && place.server && place.tool) return argsHover(catalogue, place.server, place.tool, place.args);
  return docsOf(schemaAt(path)) || undefined;
}

function serverHover(snapshot: PolicySnapshot, catalogue: ToolCatalogue, name: string): string {
  const server = catalogue.server(name);
  const policy = snapshot.policy.servers.get(name);
  const fallback = policy?.default ? `\`${policy.default}\` (this server's default)` : `\`${snapshot.policy.default}\` (the policy's default)`;
  const head = server ? serverMarkdown(server, catalogue) : `**${name}** — not declared in any mcp.json Warden knows, and not seen by Warden`;
  return `${head}\n\n*Calls that no rule matches:* ${fallback}`;
}

function ruleHover(snapshot: PolicySnapshot, catalogue: ToolCatalogue, server: string, pattern: string): string {
  const engine = snapshot.engineFor(server);
  const usable = snapshot.parse.policy !== undefined;
  if (isGlob(pattern)) {
    const listed = catalogue.tools(server);
    const matched = toolsOfRule(catalogue, server, pattern);
    if (!listed) return `**${pattern}** — a glob; the tools of \`${server}\` have not been listed yet.`;
    if (matched.length === 0) return `**${pattern}** — a glob that matches none of the ${listed.tools.length} known tools of \`${server}\`.`;
    const lines = matched.slice(0, 15).map((tool) => {
      const deciding = engine.ruleFor(server, tool.name);
      const by = deciding?.pattern === pattern ? 'decided by this rule' : `decided by rule \`${deciding?.pattern}\` (line ${deciding?.line})`;
      return `- \`${tool.name}\` ${riskBadge(catalogue.tool(server, tool.name)!.risk)} — ${by}`;
    });
    if (matched.length > 15) lines.push(`- … and ${matched.length - 15} more`);
    return `**${pattern}** — a glob matching ${matched.length} of the ${listed.tools.length} known tools of \`${server}\`:\n\n${lines.join('\n')}`;
  }
  const decision = decisionText(engine.decide({ server, tool: pattern }, { dryRun: true, beforeArgs: true }), usable);
  const known = catalogue.tool(server, pattern);
  if (!known) {
    const listed = catalogue.tools(server);
    const why = listed ? `not among the ${listed.tools.length} tools \`${server}\` listed` : `the tools of \`${server}\` have not been listed yet`;
    return `**${pattern}** — ${why}\n\n${decision}`;
  }
  const risk = classifyTool(known.info, engine.ruleFor(server, pattern)?.risk);
  const findings = findingsMarkdown(server, known.info, (catalogue.tools(server)?.tools ?? []).map((tool) => tool.name));
  return toolMarkdown(server, known.info, risk, decision) + (findings ? `\n\n${findings}` : '');
}

function argsHover(catalogue: ToolCatalogue, server: string, tool: string, args: string[]): string | undefined {
  if (args.length === 2 && args[0] === 'properties') {
    for (const info of toolsOfRule(catalogue, server, tool)) {
      const property = inputProperties(info.inputSchema).find((p) => p.name === args[1]);
      if (property) return `**${property.name}** *${property.type}*${property.required ? ', required' : ''} — an argument of \`${info.name}\`${property.description ? `\n\n${property.description}` : ''}`;
    }
    return undefined;
  }
  const keyword = args[args.length - 1];
  if (args.length === 1 || (args.length === 3 && args[0] === 'properties')) {
    const known = SCHEMA_KEYWORDS[keyword];
    if (known) return `**${keyword}** (JSON Schema) — ${known.docs}`;
  }
  return undefined;
}

function valueHover(path: string[], value: string): string | undefined {
  const node = schemaAt(path);
  if (!node) return undefined;
  const key = path[path.length - 1];
  const known = valuesOf(node).find((v) => v.value === value);
  if (known?.docs) return `\`${value}\` — ${known.docs}`;
  if (key === 'window') {
    const words = durationText(value);
    if (words) return `\`${value}\` — ${words}\n\n${docsOf(node)}`;
  }
  return undefined;
}

function durationText(value: string): string | undefined {
  const match = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)?$/.exec(value.trim());
  if (!match) return undefined;
  const unit = { ms: 'millisecond', s: 'second', m: 'minute', h: 'hour', d: 'day' }[match[2] ?? 's'];
  return `a sliding window of ${match[1]} ${unit}${match[1] === '1' ? '' : 's'}`;
}
