// How a tool is described to the person editing a policy: its risk and where the label came from, its
// input, and what this file decides for it. Markdown, shared by completion and hover.
import { formatSeconds } from '../policy/duration';
import type { Decision, RiskAssessment, RiskSource, ToolInfo } from '../policy/model';
import { RISK_BADGE_LETTER } from '../policy/risk';
import { firstSentence } from './policy-schema';

const SOURCE_TEXT: Record<RiskSource, string> = {
  policy: "this policy's `risk` override",
  annotations: "the server's annotations",
  name: "the tool's name",
  description: "the tool's description",
  default: 'nothing the tool says (the label of an unknown tool)',
};

export function riskLabel(risk: RiskAssessment): string {
  return `${risk.category} · ${risk.level}`;
}

/** `[D] destructive · critical`: the badge letter the tree shows, then the words. */
export function riskBadge(risk: RiskAssessment): string {
  return `[${RISK_BADGE_LETTER[risk.category]}] ${riskLabel(risk)}`;
}

export function riskSourceText(source: RiskSource): string {
  return SOURCE_TEXT[source];
}

interface PropertySummary {
  name: string;
  type: string;
  required: boolean;
  description: string;
}

/** The properties of a tool's input schema: name, type, whether required, what it is. */
export function inputProperties(inputSchema: Record<string, unknown> | undefined): PropertySummary[] {
  const properties = inputSchema?.properties;
  if (!properties || typeof properties !== 'object') return [];
  const required = new Set(Array.isArray(inputSchema?.required) ? (inputSchema.required as unknown[]).map(String) : []);
  return Object.entries(properties as Record<string, Record<string, unknown> | undefined>).map(([name, schema]) => ({
    name,
    type: typeText(schema),
    required: required.has(name),
    description: firstSentence(typeof schema?.description === 'string' ? schema.description : undefined),
  }));
}

export function typeText(schema: Record<string, unknown> | undefined): string {
  if (!schema) return 'any';
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  const type = schema.type;
  if (Array.isArray(type)) return type.join(' | ');
  if (type === 'array' && schema.items && typeof schema.items === 'object') return `${typeText(schema.items as Record<string, unknown>)}[]`;
  return typeof type === 'string' ? type : 'any';
}

export function inputSummary(inputSchema: Record<string, unknown> | undefined, limit = 12): string {
  const properties = inputProperties(inputSchema);
  if (properties.length === 0) return '*Input:* none';
  const lines = properties.slice(0, limit).map((p) => `- \`${p.name}\` *${p.type}*${p.required ? ', required' : ''}${p.description ? ` — ${p.description}` : ''}`);
  if (properties.length > limit) lines.push(`- … and ${properties.length - limit} more`);
  return `*Input:*\n${lines.join('\n')}`;
}

/** What the file decides for the tool, and which rule (or default) decides it. */
export function decisionText(decision: Decision, usable: boolean): string {
  const where = decision.line ? ` (line ${decision.line})` : '';
  const by = decision.rule !== null ? `rule \`${decision.rule}\`${where}` : decision.line ? `the default${where}` : 'no rule and no default: allow';
  let text = `**This file: ${decision.hidden ? 'hidden (deny)' : decision.decision}** — ${by}`;
  if (decision.rateLimit) text += `; at most ${decision.rateLimit.max} calls per ${formatSeconds(decision.rateLimit.windowSeconds)}`;
  if (decision.reason) text += `\n\n> ${decision.reason}`;
  if (!usable) text += '\n\n*The file has errors: until they are fixed, Warden refuses every call of the servers it governs.*';
  return text;
}

export function toolMarkdown(server: string, tool: ToolInfo, risk: RiskAssessment, decision: string | undefined): string {
  const parts = [`**${tool.name}** — ${riskBadge(risk)} *(from ${riskSourceText(risk.source)})*`];
  if (tool.annotations?.title && tool.annotations.title !== tool.name) parts[0] += ` · ${tool.annotations.title}`;
  for (const warning of risk.warnings) parts.push(`⚠ ${warning}`);
  if (tool.description) parts.push(tool.description.trim());
  parts.push(inputSummary(tool.inputSchema));
  if (decision) parts.push(decision);
  parts.push(`*Server:* \`${server}\``);
  return parts.join('\n\n');
}
