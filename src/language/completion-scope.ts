// What completion items are built from, and the helpers every kind of item shares.
import type { Action, RiskAssessment } from '../policy/model';
import type { ToolCatalogue } from './catalogue';
import { typeOf, type SchemaNode } from './policy-schema';
import type { CursorContext } from './yaml-context';
import { snippetText, yamlKey } from './yaml-text';

/** What completion items are built from. */
export interface CompletionScope {
  ctx: CursorContext;
  catalogue: ToolCatalogue;
  /** One level of indentation, in spaces. */
  indent: string;
}

export interface Insert {
  text: string;
  snippet: boolean;
  retrigger?: boolean;
}

/** What choosing a key inserts: the key, and for a new key a start of its value. */
export function keyInsert(scope: CompletionScope, key: string, node: SchemaNode | undefined): Insert {
  const { ctx, indent } = scope;
  const name = yamlKey(key);
  if (ctx.hasColon) return { text: name, snippet: false };
  const type = node ? typeOf(node) : undefined;
  const scalarChoice = type === 'enum' || type === 'boolean';
  if (node?.const !== undefined) return { text: `${name}: ${String(node.const)}`, snippet: false };
  if (ctx.inFlow) {
    if (type === 'object') return { text: `${snippetText(name)}: { $0 }`, snippet: true, retrigger: true };
    return scalarChoice ? { text: `${name}: `, snippet: false, retrigger: true } : { text: `${snippetText(name)}: $0`, snippet: true };
  }
  if (type === 'object') {
    const required = node?.required ?? [];
    if (required.length === 0) return { text: `${snippetText(name)}:\n${indent}$0`, snippet: true, retrigger: true };
    const body = required.map((child, i) => `${indent}${child}: \${${i + 1}:${snippetText(String(node?.properties?.[child]?.examples?.[0] ?? ''))}}`);
    return { text: `${snippetText(name)}:\n${body.join('\n')}`, snippet: true };
  }
  if (scalarChoice) return { text: `${name}: `, snippet: false, retrigger: true };
  return { text: `${snippetText(name)}: $0`, snippet: true };
}

/** A space when the value would otherwise touch its colon (`default:|`). */
export function valuePrefix(ctx: CursorContext): string {
  return ctx.tokenText === '' && ctx.lineText[ctx.token.start.character - 1] === ':' ? ' ' : '';
}

/** The actions to offer for a tool, the one its risk calls for first. */
export function suggestedActions(risk: RiskAssessment): Action[] {
  if (risk.category === 'destructive' && risk.level === 'critical') return ['deny', 'ask', 'allow'];
  if (risk.category === 'destructive' || ((risk.category === 'execute' || risk.category === 'write') && (risk.level === 'high' || risk.level === 'critical'))) return ['ask', 'deny', 'allow'];
  return ['allow', 'ask', 'deny'];
}

/** Sort keys keep the order items are made in. */
export function pad(n: number): string {
  return String(n).padStart(4, '0');
}
