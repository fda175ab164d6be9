// Checks known arguments against an audit log: the lines whose keyed digest (`argsHmac`) they give,
// with the audit key. Lines of older versions carry a plain `argsSha256`, checked as such.
import * as crypto from 'node:crypto';
import { argsHmac, AuditKey, canonicalJson } from './audit-log';

export interface VerifiedLine {
  /** One-based. */
  line: number;
  server: string;
  tool: string;
  decision: string;
  time: string;
  /** False for a line of an older version, with an unkeyed digest. */
  keyed: boolean;
}

export interface Verification {
  matches: VerifiedLine[];
  /** Lines with a digest that were compared (with `only`: 0 when that line is no audit entry with one). */
  checked: number;
}

/** The lines of `text` (or only line `only`) written for a call with exactly `args`. */
export function matchingLines(text: string, key: string, args: unknown, only?: number): Verification {
  const keyed = argsHmac(new AuditKey(key), args);
  const unkeyed = crypto.createHash('sha256').update(canonicalJson(args ?? {})).digest('hex');
  const lines = text.split('\n');
  const matches: VerifiedLine[] = [];
  let checked = 0;
  for (let i = 0; i < lines.length; i++) {
    if (only !== undefined && i + 1 !== only) continue;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(lines[i]) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (!entry || typeof entry !== 'object') continue;
    const hmac = entry.argsHmac;
    const sha = entry.argsSha256;
    if (typeof hmac !== 'string' && typeof sha !== 'string') continue;
    checked++;
    if (hmac !== keyed && sha !== unkeyed) continue;
    matches.push({
      line: i + 1,
      server: String(entry.server),
      tool: String(entry.tool),
      decision: String(entry.decision),
      time: String(entry.time),
      keyed: hmac === keyed,
    });
  }
  return { matches, checked };
}
