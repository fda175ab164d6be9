// One-click edits of a policy file (the tree view's "deny", "allow", "rate limit"...), as pure text -> text
// functions. Every edit keeps comments, key order, quoting, flow/block style, indentation and line endings,
// and changes only the lines of the entries it touches (see yaml-splice.ts for how).
//
// Decisions:
// - An edit never deletes what a person wrote unless asked to: switching a rule to `allow` keeps its
//   `reason` (unused under allow, and there again when the rule is denied or asked once more).
// - A new rule goes at the end of `tools:`; a new `action` goes first in an existing rule, a new `reason`
//   right after `action`.
// - Removing the last rule of a server removes its `tools:` key when the server has other keys (so setting
//   and then removing a rule gives the original text back), and leaves `tools: {}` when `tools` is all the
//   server has (so the server entry stays a map).
// - Comments above a removed rule are kept: they may speak of more than that rule.
// - An empty (or blank, or comments-only) file first gets `version: 1`, after any comments it has.
// - Text that is not valid YAML, or where `servers`, a server or `tools` is not a map, is refused with a
//   YamlEditError whose message says why; nothing is ever rewritten from a guess.
// - So is an edit that would change the meaning of anything but its rule (text shared through a YAML
//   anchor or merge key): see edit-scope.ts.
import { isMap, isScalar, type Pair, type YAMLMap } from 'yaml';
import { DURATION_HELP, parseDuration } from './duration';
import { changesOnly } from './edit-scope';
import { ACTIONS, RATE_LIMIT_SCOPES, type Action, type RateLimitScope } from './model';
import { blockMap, flowMap, YamlEditError, YamlText, type NewValue } from './yaml-splice';

export { YamlEditError } from './yaml-splice';

export interface RateLimitEdit {
  max: number;
  /** Seconds, or a duration such as 30s, 5m, 1h, 1d. */
  window: string | number;
  /** Omitted means the default (`session`): an existing `scope` is removed. */
  scope?: RateLimitScope;
}

export interface AddServerOptions {
  default?: Action;
}

const rulePath = (server: string, tool: string) => ['servers', server, 'tools', tool];

/**
 * Sets the action of the rule whose key is exactly `tool` under `server`, creating `servers:`, the server,
 * `tools:` and the rule as needed. `reason`: a string sets it, null removes it, undefined keeps it (whatever
 * the action). Other keys of the rule are kept.
 */
export function setToolAction(text: string, server: string, tool: string, action: Action, reason?: string | null): string {
  checkName('server', server);
  checkName('tool', tool);
  if (!ACTIONS.includes(action)) throw new YamlEditError(`"${action}" is not an action: use allow, ask or deny.`);
  const path = rulePath(server, tool);
  let next = YamlText.parse(startPolicy(text)).setIn([...path, 'action'], action, 'first');
  if (typeof reason === 'string') {
    next = YamlText.parse(next).setIn([...path, 'reason'], reason, { after: 'action' });
  } else if (reason === null) {
    next = YamlText.parse(next).removeIn([...path, 'reason']);
  }
  const rule = YamlText.parse(next).findMap(path);
  if (!rule || scalarAt(rule, 'action') !== action) throw new Error(`Setting the action of "${tool}" did not take; the file was left unchanged.`);
  return changesOnly(text, next, server, tool);
}

/**
 * Sets (or, with null, clears) the rule's `rate_limit`. A new limit is written in flow style
 * (`{ max: 10, window: 60s }`); an existing map has its entries updated in place. A rule that does not
 * exist is created for a limit and left alone for null.
 */
export function setRateLimit(text: string, server: string, tool: string, limit: RateLimitEdit | null): string {
  checkName('server', server);
  checkName('tool', tool);
  const path = [...rulePath(server, tool), 'rate_limit'];
  if (limit === null) return changesOnly(text, YamlText.parse(text).removeIn(path), server, tool);
  checkRateLimit(limit);
  let next = startPolicy(text);
  const current = YamlText.parse(next).findPair(path)?.value;
  if (isMap(current) && current.items.length > 0) {
    next = YamlText.parse(next).setIn([...path, 'max'], limit.max);
    next = YamlText.parse(next).setIn([...path, 'window'], limit.window);
    next = limit.scope ? YamlText.parse(next).setIn([...path, 'scope'], limit.scope) : YamlText.parse(next).removeIn([...path, 'scope']);
  } else {
    const entries: Array<[string, NewValue]> = [['max', limit.max], ['window', limit.window]];
    if (limit.scope) entries.push(['scope', limit.scope]);
    next = YamlText.parse(next).setIn(path, flowMap(entries));
  }
  return changesOnly(text, next, server, tool);
}

/**
 * Adds `server` under `servers:` (created when missing) if it is not there: `tools: {}`, or just
 * `default: <action>` when a default is given. A no-op returning `text` unchanged when the server exists.
 */
export function addServer(text: string, server: string, options: AddServerOptions = {}): string {
  checkName('server', server);
  if (options.default !== undefined && !ACTIONS.includes(options.default)) {
    throw new YamlEditError(`"${options.default}" is not an action: use allow, ask or deny.`);
  }
  if (YamlText.parse(text).findPair(['servers', server])) return text;
  const next = startPolicy(text);
  const body = options.default ? blockMap([['default', options.default]]) : blockMap([['tools', blockMap([])]]);
  return changesOnly(text, YamlText.parse(next).setIn(['servers', server], body), server);
}

/** Deletes the rule for exactly `tool` (a no-op when there is none). See the header for what happens to `tools:`. */
export function removeToolRule(text: string, server: string, tool: string): string {
  checkName('server', server);
  checkName('tool', tool);
  const source = YamlText.parse(text);
  const tools = source.findMap(['servers', server, 'tools']);
  if (!tools || !source.findPair(rulePath(server, tool))) return text;
  const serverMap = source.findMap(['servers', server])!;
  if (tools.items.length === 1 && serverMap.items.length > 1) return changesOnly(text, source.removeIn(['servers', server, 'tools']), server, tool);
  return changesOnly(text, source.removeIn(rulePath(server, tool)), server, tool);
}

/** The one-based line of the rule's key, for "Reveal rule"; undefined when there is no such rule. */
export function findToolRule(text: string, server: string, tool: string): { line: number } | undefined {
  const source = YamlText.parse(text);
  const pair = source.findPair(rulePath(server, tool));
  const keyStart = pair && isScalar(pair.key) ? pair.key.range?.[0] : undefined;
  return keyStart === undefined ? undefined : { line: source.lineNumber(keyStart) };
}

/** `text` with `version: 1` added when it has no content yet; otherwise `text` itself. */
function startPolicy(text: string): string {
  const source = YamlText.parse(text);
  return source.isEmpty() ? source.setIn(['version'], 1) : text;
}

function scalarAt(map: YAMLMap, key: string): unknown {
  const pair = (map.items as Pair[]).find((item) => isScalar(item.key) && item.key.value === key);
  return pair && isScalar(pair.value) ? pair.value.value : undefined;
}

function checkName(what: string, name: string): void {
  if (typeof name !== 'string' || name.length === 0) throw new YamlEditError(`A ${what} name cannot be empty.`);
}

function checkRateLimit(limit: RateLimitEdit): void {
  if (!Number.isInteger(limit.max) || limit.max < 1) throw new YamlEditError(`A rate limit's max must be a whole number of at least 1, not ${limit.max}.`);
  if (parseDuration(limit.window) === undefined) {
    throw new YamlEditError(`"${limit.window}" is not a rate-limit window: ${DURATION_HELP}.`);
  }
  if (limit.scope !== undefined && !RATE_LIMIT_SCOPES.includes(limit.scope)) {
    throw new YamlEditError(`"${limit.scope}" is not a rate-limit scope: use session, server or global.`);
  }
}
