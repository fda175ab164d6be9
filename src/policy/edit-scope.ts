// An edit of one rule changes the meaning of that rule alone. The text it rewrites may be shared through
// a YAML anchor (`drop: &deny {action: deny}` aliased by `wipe: *deny`): rewriting it would silently
// change every rule that names it. Compared on the resolved policies before and after, so whatever YAML
// shares text, an edit that reaches further than it says is refused.
import type { Policy, ToolRule } from './model';
import { parsePolicy } from './parse';
import { YamlEditError } from './yaml-splice';

/** `after`, when it differs from `before` only in the rule for `tool` on `server` (or in `server` alone when no tool is named). */
export function changesOnly(before: string, after: string, server: string, tool?: string): string {
  if (before === after) return after;
  const was = parsePolicy(before).partial;
  const is = parsePolicy(after).partial;
  const other = firstOtherChange(was, is, server, tool);
  if (other) {
    throw new YamlEditError(`This edit would also change ${other}, which shares its text through a YAML anchor or merge key; the file was left unchanged. Edit it by hand.`);
  }
  return after;
}

function firstOtherChange(was: Policy, is: Policy, server: string, tool: string | undefined): string | undefined {
  if (was.default !== is.default || was.audit.args !== is.audit.args) return "the policy's default or audit settings";
  const names = new Set([...was.servers.keys(), ...is.servers.keys()]);
  for (const name of names) {
    const before = was.servers.get(name);
    const after = is.servers.get(name);
    if (name === server && tool === undefined) continue;
    // The edited rule's server may be created with it, with no default of its own.
    if ((!before || !after) && name !== server) return `server "${name}"`;
    if (before?.default !== after?.default) return `the default of server "${name}"`;
    const olds = new Map((before?.tools ?? []).map((rule) => [rule.pattern, rule]));
    const nows = new Map((after?.tools ?? []).map((rule) => [rule.pattern, rule]));
    for (const pattern of new Set([...olds.keys(), ...nows.keys()])) {
      if (name === server && pattern === tool) continue;
      const old = olds.get(pattern);
      const now = nows.get(pattern);
      if (!old || !now || meaning(old) !== meaning(now)) return `rule "${pattern}" of server "${name}"`;
    }
  }
  return undefined;
}

function meaning(rule: ToolRule): string {
  return JSON.stringify([rule.action, rule.reason, rule.hide, rule.rateLimit, rule.args, rule.risk]);
}
