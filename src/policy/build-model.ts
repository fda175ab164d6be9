// The policy model, built from the very value the schema validated (aliases and merge keys resolved):
// what is enforced is what was checked, whatever YAML wrote it. YAML nodes only place each part in the
// file (yaml-places.ts). For a file with errors the model is best effort, for editor features; callers
// that enforce never get it (parse.ts).
import type { LineCounter, Node } from 'yaml';
import { argsSchemaDiagnostics } from './args-schema-diagnostics';
import { callerListOf } from './callers';
import { parseDuration } from './duration';
import { isGlob, literalChars } from './glob';
import {
  ACTIONS,
  PIN_MODES,
  POISONING_MODES,
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
import { MapPlaces, rootPlace, type Place } from './yaml-places';

type Value = Record<string, unknown>;

export function buildModel(value: unknown, contents: Node | null | undefined, lineCounter: LineCounter, diagnostics: Diagnostic[], file?: string): Policy {
  const policy: Policy = { version: 1, default: 'allow', servers: new Map(), audit: { args: false }, ...(file ? { file } : {}) };
  if (!isMap(value)) return policy; // the schema reports it
  const places = new MapPlaces(lineCounter, rootPlace(lineCounter, contents));
  const lineOf = (place: Place) => place.keyRange.start.line + 1;

  const topDefault = actionOf(value.default);
  if (topDefault) {
    policy.default = topDefault;
    policy.defaultLine = lineOf(places.of('default'));
  }
  if (isMap(value.audit)) policy.audit.args = value.audit.args === true;
  const pin = oneOf(PIN_MODES, value.pin);
  if (pin) policy.pin = pin;
  const poisoning = oneOf(POISONING_MODES, value.poisoning);
  if (poisoning) policy.poisoning = poisoning;
  const approvers = callerListOf(value.approvers);
  if (approvers) policy.approvers = approvers;

  if (!isMap(value.servers)) return policy;
  const serverPlaces = new MapPlaces(lineCounter, places.of('servers'));
  for (const name of Object.keys(value.servers)) {
    const body = value.servers[name];
    const place = serverPlaces.of(name);
    const server: ServerPolicy = { name, tools: [], keyRange: place.keyRange, range: place.range, line: lineOf(place) };
    policy.servers.set(name, server);
    if (!isMap(body)) continue;
    const bodyPlaces = new MapPlaces(lineCounter, place);
    const serverDefault = actionOf(body.default);
    if (serverDefault) {
      server.default = serverDefault;
      server.defaultLine = lineOf(bodyPlaces.of('default'));
    }
    const serverPin = oneOf(PIN_MODES, body.pin);
    if (serverPin) server.pin = serverPin;
    const serverPoisoning = oneOf(POISONING_MODES, body.poisoning);
    if (serverPoisoning) server.poisoning = serverPoisoning;
    const serverApprovers = callerListOf(body.approvers);
    if (serverApprovers) server.approvers = serverApprovers;
    if (!isMap(body.tools)) continue;
    const rulePlaces = new MapPlaces(lineCounter, bodyPlaces.of('tools'));
    for (const pattern of Object.keys(body.tools)) {
      server.tools.push(buildRule(pattern, body.tools[pattern], rulePlaces.of(pattern), server.tools.length, lineCounter, diagnostics));
    }
  }
  return policy;
}

function buildRule(pattern: string, body: unknown, place: Place, index: number, lineCounter: LineCounter, diagnostics: Diagnostic[]): ToolRule {
  const glob = isGlob(pattern);
  const rule: ToolRule = {
    pattern,
    isGlob: glob,
    literalChars: glob ? literalChars(pattern) : pattern.length,
    action: 'allow',
    hide: false,
    keyRange: place.keyRange,
    range: place.range,
    line: place.keyRange.start.line + 1,
    index,
  };
  if (!isMap(body)) return rule;

  rule.action = actionOf(body.action) ?? 'allow';
  if (typeof body.reason === 'string' && body.reason.trim()) rule.reason = body.reason.trim();
  rule.hide = body.hide === true;

  const rateLimit = rateLimitOf(body.rate_limit);
  if (rateLimit) rule.rateLimit = rateLimit;

  const risk = riskOf(body.risk);
  if (risk) rule.risk = risk;

  const only = callerListOf(body.only);
  if (only) rule.only = only;

  if (isMap(body.args)) {
    // Each problem on the key or value it is about; a schema with any is not enforced (the policy is invalid).
    const problems = argsSchemaDiagnostics(body.args, new MapPlaces(lineCounter, place).of('args'), lineCounter);
    if (problems.length > 0) diagnostics.push(...problems);
    else rule.args = body.args;
  }
  return rule;
}

function isMap(value: unknown): value is Value {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function oneOf<T extends string>(values: readonly T[], value: unknown): T | undefined {
  return values.includes(value as T) ? (value as T) : undefined;
}

function actionOf(value: unknown): Action | undefined {
  return ACTIONS.includes(value as Action) ? (value as Action) : undefined;
}

function rateLimitOf(value: unknown): RateLimit | undefined {
  if (!isMap(value)) return undefined;
  const max = value.max;
  const windowSeconds = parseDuration(value.window);
  const scope = value.scope ?? 'session';
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || windowSeconds === undefined) return undefined;
  if (!RATE_LIMIT_SCOPES.includes(scope as RateLimit['scope'])) return undefined;
  return { max, windowSeconds, scope: scope as RateLimit['scope'] };
}

function riskOf(value: unknown): RiskOverride | undefined {
  if (!isMap(value)) return undefined;
  const risk: RiskOverride = {};
  if (RISK_CATEGORIES.includes(value.category as never)) risk.category = value.category as RiskOverride['category'];
  if (RISK_LEVELS.includes(value.level as never)) risk.level = value.level as RiskOverride['level'];
  return risk.category || risk.level ? risk : undefined;
}
