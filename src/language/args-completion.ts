// Completion inside a rule's `args` (a JSON Schema for the call's arguments): the keywords that matter
// for an argument check, and the property names, types and enum values of the tool's own input schema.
import type { ToolInfo } from '../policy/model';
import { globMatcher, isGlob } from '../policy/glob';
import type { ToolCatalogue } from './catalogue';
import { keyInsert, pad, valuePrefix, type CompletionScope } from './completion-scope';
import { JSON_TYPES, MAP_KEYWORDS, SCHEMA_KEYWORDS, VALUE_KEYWORDS } from './json-schema-keywords';
import { inputProperties, typeText } from './tool-docs';
import type { CompletionItem } from './types';
import { snippetText, yamlKey } from './yaml-text';

/** Tools a rule key stands for: the named tool, or the known tools its glob matches. */
export function toolsOfRule(catalogue: ToolCatalogue, server: string, pattern: string): ToolInfo[] {
  if (!isGlob(pattern)) {
    const tool = catalogue.tool(server, pattern);
    return tool ? [tool.info] : [];
  }
  const matcher = globMatcher(pattern);
  return catalogue.rankedTools(server).filter((t) => matcher.test(t.info.name)).map((t) => t.info);
}

interface InputProperty {
  name: string;
  type: string;
  required: boolean;
  description: string;
  schema: Record<string, unknown>;
}

function inputPropertiesOf(tools: ToolInfo[]): InputProperty[] {
  const seen = new Map<string, InputProperty>();
  for (const tool of tools) {
    const schemas = (tool.inputSchema?.properties ?? {}) as Record<string, Record<string, unknown>>;
    for (const p of inputProperties(tool.inputSchema)) if (!seen.has(p.name)) seen.set(p.name, { ...p, schema: schemas[p.name] ?? {} });
  }
  return [...seen.values()];
}

export function argsCompletions(scope: CompletionScope, server: string, tool: string, args: string[]): CompletionItem[] {
  const { ctx } = scope;
  const properties = inputPropertiesOf(toolsOfRule(scope.catalogue, server, tool));
  const where = args.join('/');
  if (ctx.kind === 'key') {
    if (where === '') return keywordItems(scope, MAP_KEYWORDS);
    if (where === 'properties') return propertyItems(scope, properties, tool);
    if (args.length === 2 && args[0] === 'properties') return keywordItems(scope, VALUE_KEYWORDS);
    return [];
  }
  if (where === 'type' || (args.length === 3 && args[0] === 'properties' && args[2] === 'type')) {
    const expected = args.length === 3 ? properties.find((p) => p.name === args[1])?.type : 'object';
    const order = expected && JSON_TYPES.includes(expected) ? [expected, ...JSON_TYPES.filter((t) => t !== expected)] : JSON_TYPES;
    return order.map((type, index) => valueItem(scope, type, index, type === expected ? "as the tool's input schema says" : undefined));
  }
  if (where === 'required' && ctx.inSequence) {
    return properties.map((p, index) => valueItem(scope, yamlKey(p.name), p.required ? index : 100 + index, `${p.type}${p.required ? ', required by the tool' : ''}`, p.description));
  }
  if (args.length === 3 && args[0] === 'properties' && args[2] === 'enum' && ctx.inSequence) {
    const values = properties.find((p) => p.name === args[1])?.schema.enum;
    return Array.isArray(values) ? values.map((v, index) => valueItem(scope, typeof v === 'string' ? yamlKey(v) : JSON.stringify(v), index, 'from the input schema')) : [];
  }
  if (where === 'additionalProperties') return ['false', 'true'].map((v, index) => valueItem(scope, v, index, v === 'false' ? 'refuse arguments not listed' : undefined));
  return [];
}

function keywordItems(scope: CompletionScope, keywords: string[]): CompletionItem[] {
  const { ctx } = scope;
  const present = ctx.siblings();
  return keywords
    .filter((keyword) => !present.has(keyword))
    .map((keyword, index) => {
      const { node, docs } = SCHEMA_KEYWORDS[keyword];
      const insert = keyInsert(scope, keyword, node);
      return { label: keyword, kind: 'key', detail: 'JSON Schema', documentation: docs, insertText: insert.text, isSnippet: insert.snippet, retrigger: insert.retrigger, range: ctx.token, sortText: `0${pad(index)}` };
    });
}

function propertyItems(scope: CompletionScope, properties: InputProperty[], tool: string): CompletionItem[] {
  const { ctx, indent } = scope;
  const present = ctx.siblings();
  return properties
    .filter((p) => !present.has(p.name))
    .map((p, index) => {
      const name = yamlKey(p.name);
      const type = typeText(p.schema);
      const typeLine = JSON_TYPES.includes(type) ? `type: ${type}` : '${1:type: string}';
      let insertText = name;
      let isSnippet = false;
      if (!ctx.hasColon) {
        isSnippet = true;
        insertText = ctx.inFlow ? `${snippetText(name)}: { ${typeLine} }` : `${snippetText(name)}:\n${indent}${typeLine}$0`;
      }
      return {
        label: p.name,
        kind: 'argument',
        detail: `${p.type}${p.required ? ', required' : ''} — an argument of ${tool}`,
        documentation: p.description || undefined,
        insertText,
        isSnippet,
        range: ctx.token,
        sortText: `${p.required ? 0 : 1}${pad(index)}`,
      } satisfies CompletionItem;
    });
}

function valueItem(scope: CompletionScope, value: string, index: number, detail?: string, documentation?: string): CompletionItem {
  const { ctx } = scope;
  return { label: value, kind: 'value', detail, documentation, insertText: valuePrefix(ctx) + value, isSnippet: false, range: ctx.token, sortText: `0${pad(index)}` };
}
