import assert from 'node:assert/strict';
import { parsePolicy } from '../../src/policy/parse';
import type { Policy } from '../../src/policy/model';

/** Parses a policy that must be valid; shows the diagnostics when it is not. */
export function policyOf(text: string, file = 'test.mcp-policy.yaml'): Policy {
  const result = parsePolicy(text, file);
  assert.ok(result.policy, `expected a valid policy, got:\n${result.diagnostics.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code} ${d.message}`).join('\n')}`);
  return result.policy;
}

/** Joins lines, so YAML in tests keeps its indentation readable. */
export function yaml(...lines: string[]): string {
  return lines.join('\n') + '\n';
}
