// What a policy file decides for one call, without counting the call against a rate limit: what
// `explain` and the editor show. A file with errors, or none, refuses the call as the proxy would.
import { PolicyEngine, type ToolCall } from './engine';
import { refuseAll } from './fail-closed';
import type { Decision, Diagnostic, Policy, ToolRule } from './model';

export interface Preview {
  decision: Decision;
  /** The deciding rule, when a usable policy has one. */
  rule?: ToolRule;
}

export function previewCall(parsed: { policy?: Policy; diagnostics: Diagnostic[] } | undefined, file: string, call: ToolCall): Preview {
  if (!parsed) return { decision: refuseAll(file, 'the policy file does not exist') };
  if (!parsed.policy) return { decision: refuseAll(file, parsed.diagnostics) };
  const engine = new PolicyEngine(parsed.policy);
  return { decision: engine.decide(call, { dryRun: true }), rule: engine.ruleFor(call.server, call.tool) };
}
