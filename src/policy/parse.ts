// Reads a policy file: YAML -> diagnostics (syntax, schema, argument schemas) and the policy model,
// with the position of every part so editors and reasons can point at it.
import type { ValidateFunction } from 'ajv';
import { Document, isMap, isScalar, LineCounter, parseDocument, type Pair, type YAMLMap } from 'yaml';
import { readBlockYaml } from './block-yaml';
import { plainValue } from './yaml-nodes';
import { validate as generatedValidator } from './generated/policy-validator';
import { validateArgsSchema } from './args-schema';
import { parseDuration } from './duration';
import { isGlob, literalChars } from './glob';
import {
  ACTIONS,
  RATE_LIMIT_SCOPES,
  RISK_CATEGORIES,
  RISK_LEVELS,
  type Action,
  type Diagnostic,
  type Policy,
  type RateLimit,
  type RiskOverride,
  type ServerPolicy,
  type ToolRule,
} from './model';
import { keyRange, offsetRange, pairRange, START_OF_FILE } from './positions';
import { keyText, schemaDiagnostics } from './schema-diagnostics';

export interface ParseResult {
  /** The policy, only when the file has no error: callers that enforce must fail closed without it. */
  policy?: Policy;
  /** A best-effort model even when the file has errors, for editor features. */
  partial: Policy;
  diagnostics: Diagnostic[];
  document: Document;
  lineCounter: LineCounter;
}

/** The schema's validator, compiled ahead of time (scripts/gen-policy-validator.mjs). */
const validatePolicy = generatedValidator as unknown as ValidateFunction;

export function parsePolicy(text: string, file?: string): ParseResult {
  return parsePlainPolicy(text, file) ?? parseYaml(text, file);
}

/**
 * The same result as parsePolicy, but only when the fast reader takes the text (plain block YAML, which
 * has no YAML error): a few milliseconds for 5,000 lines. Undefined otherwise.
 */
export function parsePlainPolicy(text: string, file?: string): ParseResult | undefined {
  const plain = readBlockYaml(text);
  if (!plain) return undefined;
  const document = new Document();
  document.contents = plain.contents;
  return parsed(document, plain.lineCounter, plain.value, plainValue, file);
}

/** By `yaml` itself: anchors, tags, multi-line scalars, and every YAML error with yaml's message. */
function parseYaml(text: string, file?: string): ParseResult {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const data = document.errors.length > 0 ? undefined : isEmpty(document) ? {} : document.toJS({ maxAliasCount: 100 });
  return parsed(document, lineCounter, data, (map) => map.toJSON(), file);
}

/** A map's plain JavaScript value: `plainValue` for the fast reader's nodes, `toJSON` for yaml's (aliases and all). */
type ValueOf = (map: YAMLMap) => unknown;

/** Diagnostics and model of a YAML document; `data` is its plain value, absent when the YAML has errors. */
function parsed(document: Document, lineCounter: LineCounter, data: unknown, valueOf: ValueOf, file?: string): ParseResult {
  const diagnostics: Diagnostic[] = [];
  for (const error of document.errors) {
    diagnostics.push({
      range: offsetRange(lineCounter, error.pos[0], error.pos[1]),
      severity: 'error',
      code: error.code === 'DUPLICATE_KEY' ? 'duplicate-key' : 'yaml-syntax',
      message: error.code === 'DUPLICATE_KEY' ? 'Duplicate key: each key may appear once in a map' : error.message,
    });
  }
  for (const warning of document.warnings) {
    diagnostics.push({ range: offsetRange(lineCounter, warning.pos[0], warning.pos[1]), severity: 'warning', code: 'yaml-warning', message: warning.message });
  }
  if (data !== undefined && !validatePolicy(data)) diagnostics.push(...schemaDiagnostics(validatePolicy.errors ?? [], document, lineCounter));

  const partial = buildModel(document, lineCounter, diagnostics, valueOf, file);
  const hasError = diagnostics.some((d) => d.severity === 'error');
  return { policy: hasError ? undefined : partial, partial, diagnostics, document, lineCounter };
}

function isEmpty(document: Document): boolean {
  const contents = document.contents;
  return contents === null || (isScalar(contents) && (contents.value === null || contents.value === ''));
}

function buildModel(document: Document, lineCounter: LineCounter, diagnostics: Diagnostic[], valueOf: ValueOf, file?: string): Policy {
  const policy: Policy = { version: 1, default: 'allow', servers: new Map(), audit: { args: false }, ...(file ? { file } : {}) };
  const root = document.contents;
  if (!isMap(root)) return policy; // the schema reports it
  const line = (pair: Pair) => keyRange(lineCounter, pair, START_OF_FILE).start.line + 1;

  const defaultPair = findPair(root, 'default');
  const topDefault = actionOf(defaultPair);
  if (topDefault) {
    policy.default = topDefault;
    policy.defaultLine = line(defaultPair!);
  }
  const audit = findPair(root, 'audit');
  if (audit && isMap(audit.value)) policy.audit.args = scalarOf(findPair(audit.value, 'args')) === true;

  const servers = findPair(root, 'servers');
  if (servers && isMap(servers.value)) {
    for (const serverPair of servers.value.items as Pair[]) {
      const name = keyText(serverPair);
      if (policy.servers.has(name)) continue;
      const server: ServerPolicy = {
        name,
        tools: [],
        keyRange: keyRange(lineCounter, serverPair, START_OF_FILE),
        range: pairRange(lineCounter, serverPair, START_OF_FILE),
        line: line(serverPair),
      };
      policy.servers.set(name, server);
      if (!isMap(serverPair.value)) continue;
      const serverDefault = findPair(serverPair.value, 'default');
      const action = actionOf(serverDefault);
      if (action) {
        server.default = action;
        server.defaultLine = line(serverDefault!);
      }
      const tools = findPair(serverPair.value, 'tools');
      if (!tools || !isMap(tools.value)) continue;
      for (const rulePair of tools.value.items as Pair[]) {
        const rule = buildRule(rulePair, server.tools.length, lineCounter, diagnostics, valueOf);
        server.tools.push(rule);
      }
    }
  }
  return policy;
}

function buildRule(pair: Pair, index: number, lineCounter: LineCounter, diagnostics: Diagnostic[], valueOf: ValueOf): ToolRule {
  const pattern = keyText(pair);
  const glob = isGlob(pattern);
  const range = keyRange(lineCounter, pair, START_OF_FILE);
  const rule: ToolRule = {
    pattern,
    isGlob: glob,
    literalChars: glob ? literalChars(pattern) : pattern.length,
    action: 'allow',
    hide: false,
    keyRange: range,
    range: pairRange(lineCounter, pair, START_OF_FILE),
    line: range.start.line + 1,
    index,
  };
  const body = pair.value;
  if (!isMap(body)) return rule;

  rule.action = actionOf(findPair(body, 'action')) ?? 'allow';
  const reason = scalarOf(findPair(body, 'reason'));
  if (typeof reason === 'string' && reason.trim()) rule.reason = reason.trim();
  rule.hide = scalarOf(findPair(body, 'hide')) === true;

  const rateLimit = rateLimitOf(findPair(body, 'rate_limit'));
  if (rateLimit) rule.rateLimit = rateLimit;

  const risk = riskOf(findPair(body, 'risk'));
  if (risk) rule.risk = risk;

  const argsPair = findPair(body, 'args');
  if (argsPair && isMap(argsPair.value)) {
    const schema = valueOf(argsPair.value as YAMLMap) as Record<string, unknown>;
    const problems = validateArgsSchema(schema);
    if (problems.length > 0) {
      diagnostics.push({
        range: keyRange(lineCounter, argsPair, range),
        severity: 'error',
        code: 'invalid-args-schema',
        message: `"args" is not a valid JSON Schema: ${problems.join('; ')}`,
      });
    } else {
      rule.args = schema;
    }
  }
  return rule;
}

function findPair(map: YAMLMap, key: string): Pair | undefined {
  for (const pair of map.items as Pair[]) if (keyText(pair) === key) return pair;
  return undefined;
}

function scalarOf(pair: Pair | undefined): unknown {
  return pair && isScalar(pair.value) ? pair.value.value : undefined;
}

function actionOf(pair: Pair | undefined): Action | undefined {
  const value = scalarOf(pair);
  return ACTIONS.includes(value as Action) ? (value as Action) : undefined;
}

function rateLimitOf(pair: Pair | undefined): RateLimit | undefined {
  if (!pair || !isMap(pair.value)) return undefined;
  const max = scalarOf(findPair(pair.value, 'max'));
  const windowSeconds = parseDuration(scalarOf(findPair(pair.value, 'window')));
  const scope = scalarOf(findPair(pair.value, 'scope')) ?? 'session';
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || windowSeconds === undefined) return undefined;
  if (!RATE_LIMIT_SCOPES.includes(scope as RateLimit['scope'])) return undefined;
  return { max, windowSeconds, scope: scope as RateLimit['scope'] };
}

function riskOf(pair: Pair | undefined): RiskOverride | undefined {
  if (!pair || !isMap(pair.value)) return undefined;
  const category = scalarOf(findPair(pair.value, 'category'));
  const level = scalarOf(findPair(pair.value, 'level'));
  const risk: RiskOverride = {};
  if (RISK_CATEGORIES.includes(category as never)) risk.category = category as RiskOverride['category'];
  if (RISK_LEVELS.includes(level as never)) risk.level = level as RiskOverride['level'];
  return risk.category || risk.level ? risk : undefined;
}
