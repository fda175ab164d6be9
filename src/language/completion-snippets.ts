// Snippets: a deny with its reason, an approval, a rate limit, an argument check, a new server.
import { pad, type CompletionScope } from './completion-scope';
import { inputProperties } from './tool-docs';
import type { CompletionItem } from './types';
import { snippetChoice, snippetText, yamlKey } from './yaml-text';

interface RuleSnippet {
  label: string;
  detail: string;
  /** Lines of the rule's body, one indentation level each. */
  body: string[];
  /** Keys the body sets; the snippet is not offered where the rule has them already. */
  sets: string[];
}

function ruleSnippets(firstStop: number): RuleSnippet[] {
  const n = (k: number) => firstStop + k;
  return [
    {
      label: 'deny with reason',
      detail: 'action: deny, and the reason the agent is told',
      body: ['action: deny', `reason: \${${n(0)}:Why the agent may not call this tool.}`],
      sets: ['action', 'reason'],
    },
    {
      label: 'approval',
      detail: 'action: ask: a person approves each call',
      body: ['action: ask', `reason: \${${n(0)}:Why a person must approve each call.}`],
      sets: ['action', 'reason'],
    },
    {
      label: 'rate limit',
      detail: 'rate_limit: at most max calls per sliding window',
      body: [`rate_limit: { max: \${${n(0)}:10}, window: \${${n(1)}:60s} }`],
      sets: ['rate_limit'],
    },
  ];
}

/** Snippets for the body of the rule for `tool` (the cursor is among the rule's keys). */
export function ruleBodySnippets(scope: CompletionScope, server: string, tool: string): CompletionItem[] {
  const { ctx, indent } = scope;
  if (ctx.inFlow || ctx.hasColon) return [];
  const present = ctx.siblings();
  const items = ruleSnippets(1)
    .filter((s) => s.sets.every((key) => !present.has(key)))
    .map((s): CompletionItem => ({ label: s.label, kind: 'snippet', detail: s.detail, insertText: s.body.join('\n') + '$0', isSnippet: true, range: ctx.token, sortText: `9${pad(0)}`, filterText: s.sets[0] }));
  const argsCheck = argsCheckBody(scope, server, tool, indent);
  if (argsCheck && !present.has('args')) {
    items.push({ label: 'args check from the input schema', kind: 'snippet', detail: "args: the tool's input properties, to tighten", insertText: argsCheck, isSnippet: true, range: ctx.token, sortText: `9${pad(1)}`, filterText: 'args' });
  }
  return items;
}

/** Whole rules under `tools:`, the tool chosen from the known tools that have no rule yet. */
export function toolRuleSnippets(scope: CompletionScope, server: string): CompletionItem[] {
  const { ctx, catalogue, indent } = scope;
  if (ctx.inFlow || ctx.hasColon) return [];
  const present = ctx.siblings();
  const unruled = catalogue.rankedTools(server).map((t) => t.info.name).filter((name) => !present.has(name)).slice(0, 20).map(yamlKey);
  const key = unruled.length > 0 ? snippetChoice(1, unruled) : '${1:tool_name}';
  return ruleSnippets(2).map((s, index): CompletionItem => ({
    label: `rule: ${s.label}`,
    kind: 'snippet',
    detail: s.detail,
    insertText: `${key}:\n${s.body.map((line) => indent + line).join('\n')}$0`,
    isSnippet: true,
    range: ctx.token,
    sortText: `9${pad(index)}`,
  }));
}

export function serverSnippet(scope: CompletionScope): CompletionItem {
  const { ctx, indent } = scope;
  return {
    label: 'new server',
    kind: 'snippet',
    detail: "a server's entry: its default and its tool rules",
    insertText: ctx.inFlow ? '${1:server-name}: { default: ${2|ask,deny,allow|} }' : `\${1:server-name}:\n${indent}default: \${2|ask,deny,allow|}\n${indent}tools:\n${indent}${indent}$0`,
    isSnippet: true,
    range: ctx.token,
    sortText: `9${pad(0)}`,
  };
}

/** `args:` with the tool's input properties and required list, for the user to tighten. */
function argsCheckBody(scope: CompletionScope, server: string, tool: string, indent: string): string | undefined {
  const info = scope.catalogue.tool(server, tool)?.info;
  const properties = inputProperties(info?.inputSchema);
  if (properties.length === 0) return undefined;
  const lines = ['args:', `${indent}type: object`];
  const required = properties.filter((p) => p.required).map((p) => yamlKey(p.name));
  if (required.length > 0) lines.push(`${indent}required: [${required.map(snippetText).join(', ')}]`);
  lines.push(`${indent}properties:`);
  let stop = 1;
  for (const p of properties) {
    const type = /^(string|number|integer|boolean|object|array|null)$/.test(p.type) ? p.type : undefined;
    const body = type ? `type: ${type}` : `\${${stop++}:type: string}`;
    lines.push(`${indent}${indent}${snippetText(yamlKey(p.name))}: { ${body} }`);
  }
  return lines.join('\n') + '$0';
}
