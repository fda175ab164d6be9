// `mcp-warden explain <policy> --server S --tool T [--args JSON] [--annotations JSON] [--description TEXT] [--as USER [--groups A,B]]`:
// what the policy decides for one call, as one JSON object. The call is not counted against rate limits.
// Without --as the call has no caller identity, as in a local proxy.
import type { Principal, ToolAnnotations } from '../policy/model';
import { parsePolicy } from '../policy/parse';
import { previewCall } from '../policy/preview';
import { classifyTool } from '../policy/risk';
import { unknownNameNotes } from '../policy/unknown-names';
import { readPolicyText } from './check';
import { parseCommandLine, UsageError } from './usage';

export const USAGE = 'usage: mcp-warden explain <policy> --server S --tool T [--args JSON] [--annotations JSON] [--description TEXT] [--as USER [--groups A,B]]';

export function runExplain(argv: string[]): number {
  const { values, positionals, command } = parseCommandLine(
    argv,
    {
      server: { type: 'string' },
      tool: { type: 'string' },
      args: { type: 'string' },
      annotations: { type: 'string' },
      description: { type: 'string' },
      as: { type: 'string' },
      groups: { type: 'string' },
    },
    USAGE,
    true,
  );
  if (positionals.length !== 1 || command.length > 0 || !values.server || !values.tool) throw new UsageError(USAGE);
  const file = positionals[0];
  const args = values.args === undefined ? undefined : parseJsonObject('--args', values.args);
  const annotations = values.annotations === undefined ? undefined : (parseJsonObject('--annotations', values.annotations) as ToolAnnotations);

  const principal = principalOf(values.as, values.groups);

  const parsed = parsePolicy(readPolicyText(file), file);
  const { decision, rule } = previewCall(parsed, file, { server: values.server, tool: values.tool, args, ...(principal ? { principal } : {}) });
  const risk = classifyTool({ name: values.tool, description: values.description, annotations }, rule?.risk);

  const output = {
    decision: decision.decision,
    reason: decision.reason,
    rule: decision.rule,
    line: decision.line,
    risk: { category: risk.category, level: risk.level, source: risk.source },
    rateLimit: decision.rateLimit,
    hidden: decision.hidden,
    ...(principal ? { caller: principal } : {}),
  };
  // A mistyped name gets a default's answer: say so, on stderr for a person and in the JSON for a tool.
  const notes = unknownNameNotes(parsed.policy, { server: values.server, tool: values.tool });
  for (const note of notes) process.stderr.write(`mcp-warden: note: ${note}\n`);
  process.stdout.write(JSON.stringify(notes.length > 0 ? { ...output, notes } : output) + '\n');
  return parsed.policy ? 0 : 1;
}

/** The caller `--as` names, with the groups `--groups` lists (comma-separated). */
function principalOf(name: string | undefined, groups: string | undefined): Principal | undefined {
  if (name === undefined) {
    if (groups !== undefined) throw new UsageError('--groups needs --as USER: groups belong to a caller');
    return undefined;
  }
  if (name.trim() === '') throw new UsageError('--as needs a user name');
  return { name, groups: (groups ?? '').split(',').map((group) => group.trim()).filter((group) => group !== '') };
}

function parseJsonObject(flag: string, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${flag} is not valid JSON: ${(error as Error).message}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new UsageError(`${flag} must be a JSON object`);
  return value as Record<string, unknown>;
}
