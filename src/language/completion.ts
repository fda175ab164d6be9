// Completion at a position of a policy: the keys valid there, values of enums and durations, the servers
// Warden knows, the tools of the server being edited (riskiest first), `args` properties from the tool's
// input schema, and snippets. Works from the lines alone: it never waits for a parse.
import type { Position } from '../policy/model';
import { argsCompletions } from './args-completion';
import type { ToolCatalogue } from './catalogue';
import { keyInsert, pad, suggestedActions, valuePrefix, type CompletionScope } from './completion-scope';
import { ruleBodySnippets, serverSnippet, toolRuleSnippets } from './completion-snippets';
import { docsOf, firstSentence, placeOf, schemaAt, valuesOf, type SchemaNode } from './policy-schema';
import type { PolicySnapshot } from './policy-documents';
import { serverMarkdown, transportText } from './server-docs';
import { riskBadge, riskLabel, toolMarkdown } from './tool-docs';
import type { CompletionItem } from './types';
import { contextAt, indentUnit } from './yaml-context';
import { snippetChoice, snippetText, yamlKey } from './yaml-text';

export function complete(snapshot: PolicySnapshot, position: Position, catalogue: ToolCatalogue): CompletionItem[] {
  const lines = snapshot.lines;
  const ctx = contextAt(lines, position);
  if (ctx.kind === 'none') return [];
  const scope: CompletionScope = { ctx, catalogue, indent: ' '.repeat(indentUnit(lines)) };
  const place = placeOf(ctx.path);
  if (place.args && place.server && place.tool) return argsCompletions(scope, place.server, place.tool, place.args);
  return ctx.kind === 'key' ? keyCompletions(scope) : valueCompletions(scope);
}

function keyCompletions(scope: CompletionScope): CompletionItem[] {
  const { ctx } = scope;
  const path = ctx.path;
  if (path.length === 1 && path[0] === 'servers') return [...serverItems(scope), serverSnippet(scope)];
  if (path.length === 3 && path[0] === 'servers' && path[2] === 'tools') return [...toolItems(scope, path[1]), ...toolRuleSnippets(scope, path[1])];
  const node = schemaAt(path);
  if (!node?.properties) return [];
  const items = schemaKeyItems(scope, node);
  if (path.length === 4 && path[0] === 'servers' && path[2] === 'tools') items.push(...ruleBodySnippets(scope, path[1], path[3]));
  return items;
}

/** The keys of a schema map that the map does not have yet. */
export function schemaKeyItems(scope: CompletionScope, node: SchemaNode): CompletionItem[] {
  const { ctx } = scope;
  const present = ctx.siblings();
  const required = new Set(node.required ?? []);
  return Object.entries(node.properties ?? {})
    .filter(([key]) => !present.has(key))
    .map(([key, child], index) => {
      const insert = keyInsert(scope, key, child);
      return {
        label: key,
        kind: 'key',
        detail: keyDetail(child),
        documentation: docsOf(child),
        insertText: insert.text,
        isSnippet: insert.snippet,
        retrigger: insert.retrigger,
        range: ctx.token,
        sortText: `${required.has(key) ? 0 : 1}${pad(index)}`,
      } satisfies CompletionItem;
    });
}

function keyDetail(node: SchemaNode): string {
  const values = valuesOf(node).map((v) => v.value);
  if (values.length > 0) return values.join(' | ');
  return firstSentence(node.description);
}

function valueCompletions(scope: CompletionScope): CompletionItem[] {
  const { ctx } = scope;
  const node = schemaAt(ctx.path);
  if (!node) return [];
  const place = placeOf(ctx.path);
  let values = valuesOf(node);
  const key = ctx.path[ctx.path.length - 1];
  if (key === 'action' && place.server && place.tool) {
    const risk = scope.catalogue.tool(place.server, place.tool)?.risk;
    if (risk) values = orderBy(values, suggestedActions(risk));
  }
  if (values.length === 0 && node.examples) {
    // Examples that are one word (`60s`, `npx`) make good values; a sentence (a reason) does not.
    values = node.examples.filter((e) => typeof e !== 'object' && !/\s/.test(String(e))).map((e) => ({ value: String(e), detail: key === 'window' ? durationWords(String(e)) : undefined }));
  }
  return values.map((v, index) => ({
    label: v.value,
    kind: 'value',
    detail: v.detail,
    documentation: v.docs,
    insertText: valuePrefix(ctx) + v.value,
    isSnippet: false,
    range: ctx.token,
    sortText: `0${pad(index)}`,
  }));
}

function orderBy<T extends { value: string }>(values: T[], order: readonly string[]): T[] {
  return [...values].sort((a, b) => order.indexOf(a.value) - order.indexOf(b.value));
}

function serverItems(scope: CompletionScope): CompletionItem[] {
  const { ctx, catalogue, indent } = scope;
  const present = ctx.siblings();
  return catalogue
    .servers()
    .filter((server) => !present.has(server.name))
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((server, index) => {
      const name = yamlKey(server.name);
      const tools = catalogue.tools(server.name)?.tools.length;
      let insertText = name;
      let isSnippet = false;
      if (!ctx.hasColon) {
        isSnippet = true;
        insertText = ctx.inFlow ? `${snippetText(name)}: { tools: { $0 } }` : `${snippetText(name)}:\n${indent}tools:\n${indent}${indent}$0`;
      }
      return {
        label: server.name,
        kind: 'server',
        detail: [transportText(server), tools === undefined ? 'tools not listed yet' : `${tools} tools`].join(' · '),
        documentation: serverMarkdown(server, catalogue),
        insertText,
        isSnippet,
        retrigger: isSnippet && tools !== undefined,
        range: ctx.token,
        sortText: `0${pad(index)}`,
      } satisfies CompletionItem;
    });
}

function toolItems(scope: CompletionScope, server: string): CompletionItem[] {
  const { ctx, catalogue, indent } = scope;
  const present = ctx.siblings();
  return catalogue
    .rankedTools(server)
    .filter((tool) => !present.has(tool.info.name))
    .map(({ info, risk }, index) => {
      const name = yamlKey(info.name);
      const actions = snippetChoice(1, suggestedActions(risk));
      let insertText = name;
      let isSnippet = false;
      if (!ctx.hasColon) {
        isSnippet = true;
        insertText = ctx.inFlow ? `${snippetText(name)}: { action: ${actions} }` : `${snippetText(name)}:\n${indent}action: ${actions}$0`;
      }
      // The list shows the risk beside the label and the docs lead with it: the detail line says what the tool does.
      return {
        label: info.name,
        kind: 'tool',
        detail: firstSentence(info.description) || riskBadge(risk),
        labelDescription: riskLabel(risk),
        documentation: toolMarkdown(server, info, risk, undefined),
        insertText,
        isSnippet,
        range: ctx.token,
        // Riskiest first: the catalogue ranks them, and the index keeps that order.
        sortText: `0${pad(index)}`,
      } satisfies CompletionItem;
    });
}

function durationWords(value: string): string | undefined {
  const match = /^([0-9.]+)(ms|s|m|h|d)?$/.exec(value);
  if (!match) return undefined;
  const unit = { ms: 'milliseconds', s: 'seconds', m: 'minutes', h: 'hours', d: 'days' }[match[2] ?? 's'];
  return `${match[1]} ${unit}`;
}

