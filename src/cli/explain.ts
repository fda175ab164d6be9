// `mcp-warden explain <policy> --server S --tool T [--args JSON] [--annotations JSON] [--description TEXT]`:
// what the policy decides for one call, as one JSON object. The call is not counted against rate limits.
import { parseArgs } from 'node:util';
import { PolicyEngine } from '../policy/engine';
import { refuseAll } from '../policy/fail-closed';
import type { ToolAnnotations } from '../policy/model';
import { parsePolicy } from '../policy/parse';
import { classifyTool } from '../policy/risk';
import { readPolicyText } from './check';
import { UsageError } from './usage';

const USAGE = 'usage: mcp-warden explain <policy> --server S --tool T [--args JSON] [--annotations JSON] [--description TEXT]';

export function runExplain(argv: string[]): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        server: { type: 'string' },
        tool: { type: 'string' },
        args: { type: 'string' },
        annotations: { type: 'string' },
        description: { type: 'string' },
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1 || !values.server || !values.tool) throw new UsageError(USAGE);
  const file = positionals[0];
  const args = values.args === undefined ? undefined : parseJsonObject('--args', values.args);
  const annotations = values.annotations === undefined ? undefined : (parseJsonObject('--annotations', values.annotations) as ToolAnnotations);

  const { policy, diagnostics } = parsePolicy(readPolicyText(file), file);
  const decision = policy
    ? new PolicyEngine(policy).decide({ server: values.server, tool: values.tool, args }, { dryRun: true })
    : refuseAll(file, diagnostics);
  const rule = policy ? new PolicyEngine(policy).ruleFor(values.server, values.tool) : undefined;
  const risk = classifyTool({ name: values.tool, description: values.description, annotations }, rule?.risk);

  const output = {
    decision: decision.decision,
    reason: decision.reason,
    rule: decision.rule,
    line: decision.line,
    risk: { category: risk.category, level: risk.level, source: risk.source },
    rateLimit: decision.rateLimit,
    hidden: decision.hidden,
  };
  process.stdout.write(JSON.stringify(output) + '\n');
  return policy ? 0 : 1;
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
