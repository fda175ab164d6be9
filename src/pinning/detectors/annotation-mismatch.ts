/**
 * `annotation-mismatch` (warning): annotations that make a tool look safer than its name or
 * description say. The doubts are the risk classifier's own (src/policy/risk.ts), not a second copy
 * of its rules: the ones about annotations become findings.
 */

import type { Finding } from '../findings';
import type { ToolInfo } from '../../policy/model';
import { classifyTool } from '../../policy/risk';
import { quoted } from '../visible';

/** The classifier's warnings about `definition`'s annotations, as findings. */
export function annotationMismatches(tool: string, definition: unknown, out: Finding[]): void {
  if (typeof definition !== 'object' || definition === null) return;
  const info = definition as Partial<ToolInfo>;
  if (typeof info.annotations !== 'object' || info.annotations === null) return;
  const { warnings } = classifyTool({ ...info, name: typeof info.name === 'string' ? info.name : '' } as ToolInfo);
  for (const warning of warnings) {
    if (!warning.startsWith('annotations ')) continue;
    out.push({
      code: 'annotation-mismatch',
      severity: 'warning',
      message: `Tool ${quoted(tool)}: ${warning}`,
      tool,
      field: 'annotations',
      start: 0,
      end: 0,
      excerpt: annotationsShown(info.annotations as Record<string, unknown>),
    });
  }
}

function annotationsShown(annotations: Record<string, unknown>): string {
  const shown: string[] = [];
  for (const key of ['readOnlyHint', 'destructiveHint']) {
    if (typeof annotations[key] === 'boolean') shown.push(`${key}: ${annotations[key]}`);
  }
  return shown.join(', ');
}
