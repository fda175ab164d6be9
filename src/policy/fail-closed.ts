// What every call gets when there is no usable policy: a denial that says why, never a pass.
import type { Decision, Diagnostic } from './model';

export function formatLocation(file: string | undefined, diagnostic: Diagnostic): string {
  return `${file ?? 'policy'}:${diagnostic.range.start.line + 1}:${diagnostic.range.start.character + 1}`;
}

/** The denial for a policy that is missing (no diagnostics given: `problem` says why) or has errors. */
export function refuseAll(file: string | undefined, problem: string | Diagnostic[]): Decision {
  let reason: string;
  if (typeof problem === 'string') {
    reason = `No usable policy: ${problem}. Every tool call is refused until it is fixed`;
  } else {
    const errors = problem.filter((d) => d.severity === 'error');
    const first = errors[0];
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    reason = first
      ? `The policy has errors: ${formatLocation(file, first)}: ${first.message}${more}. Every tool call is refused until it is fixed`
      : 'The policy could not be used. Every tool call is refused until it is fixed';
  }
  return { decision: 'deny', reason, rule: null, line: null, rateLimit: null, hidden: false };
}
