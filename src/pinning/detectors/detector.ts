/** What every detector shares: its signature and the way it words a finding. */

import type { Finding, FindingCode, FindingSeverity } from '../findings';
import type { FieldText } from '../fields';
import { capitalised } from '../fields';
import { excerptOf } from '../visible';
import { inOriginal } from './skeleton';

export interface DetectorContext {
  /** This server's tool names, as listed: naming one of them is not shadowing. */
  ownTools: ReadonlySet<string>;
  /** The other servers the agent sees, for `tool-shadowing`. */
  otherServers: readonly { name: string; tools: readonly string[] }[];
}

/** Reads one text once, front to back, and appends what it finds. Never throws on any text. */
export type Detector = (field: FieldText, context: DetectorContext, out: Finding[]) => void;

/** At most this many findings of one code in one text; the last one says how many more there were. */
export const FINDINGS_PER_FIELD = 8;

/**
 * A finding about `field.text[start, end)`, its message prefixed with where it is. When `field` is a
 * skeleton (see skeleton.ts), the range and excerpt are those of the text as written, and the message
 * says when that text differs from what it reads as.
 */
export function finding(
  field: FieldText,
  code: FindingCode,
  severity: FindingSeverity,
  start: number,
  end: number,
  what: string,
): Finding {
  const at = inOriginal(field, start, end);
  const disguised = at.field !== field && at.field.text.slice(at.start, at.end) !== field.text.slice(start, end);
  const said = disguised ? `${what} (written in look-alike or invisible characters)` : what;
  return {
    code,
    severity,
    message: field.tool === undefined ? `${capitalised(field.owner)}: ${said}` : `${capitalised(field.owner)}, ${field.field}: ${said}`,
    ...(field.tool !== undefined ? { tool: field.tool } : {}),
    field: field.field,
    start: at.start,
    end: at.end,
    excerpt: excerptOf(at.field.text, at.start, at.end),
  };
}

/**
 * Collects one detector's findings in one text, keeping at most FINDINGS_PER_FIELD of each severity:
 * a text full of hidden characters yields a few findings and a count, not one per character, and
 * errors are never crowded out by warnings.
 */
export class FieldFindings {
  private readonly counts = { error: 0, warning: 0, info: 0 };
  private readonly lastKept: Partial<Record<FindingSeverity, Finding>> = {};

  constructor(private readonly out: Finding[]) {}

  /** Counts a finding of `severity`, and builds it only when it is kept. */
  add(severity: FindingSeverity, build: () => Finding): void {
    const count = ++this.counts[severity];
    if (count > FINDINGS_PER_FIELD) return;
    const f = build();
    this.out.push(f);
    this.lastKept[severity] = f;
  }

  /** Notes on the last finding kept of each severity how many were left out. */
  finish(): void {
    for (const severity of ['error', 'warning', 'info'] as const) {
      const last = this.lastKept[severity];
      const extra = this.counts[severity] - FINDINGS_PER_FIELD;
      if (extra > 0 && last !== undefined) last.message += ` (and ${extra} more like it in this text)`;
    }
  }
}
