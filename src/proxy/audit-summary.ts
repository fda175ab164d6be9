// Reads an audit log back: calls per server, tool and decision. Lines that are not entries (a line
// torn by a crash, or anything else) are counted and skipped, never fatal; event lines (about a server,
// not a call) are left out.

export interface ToolTally {
  tool: string;
  total: number;
  allow: number;
  deny: number;
  /** Calls the policy sent for approval (each also counted as allow or deny by its outcome). */
  asked: number;
}

export interface ServerTally {
  server: string;
  total: number;
  allow: number;
  deny: number;
  asked: number;
  tools: ToolTally[];
}

export interface AuditSummary {
  entries: number;
  skippedLines: number;
  first: string | null;
  last: string | null;
  servers: ServerTally[];
}

export function summariseAudit(text: string): AuditSummary {
  const servers = new Map<string, Map<string, ToolTally>>();
  let entries = 0;
  let skippedLines = 0;
  let first: string | null = null;
  let last: string | null = null;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let entry: { server?: unknown; tool?: unknown; decision?: unknown; policy?: unknown; time?: unknown; event?: unknown };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      skippedLines++;
      continue;
    }
    if (!entry || typeof entry.server !== 'string' || typeof entry.tool !== 'string' || (entry.decision !== 'allow' && entry.decision !== 'deny')) {
      // A line about a server, not a call (audit-log.ts `note`): not counted, not skipped.
      if (entry && typeof entry.event === 'string') continue;
      skippedLines++;
      continue;
    }
    entries++;
    if (typeof entry.time === 'string') {
      if (first === null || entry.time < first) first = entry.time;
      if (last === null || entry.time > last) last = entry.time;
    }
    let tools = servers.get(entry.server);
    if (!tools) servers.set(entry.server, (tools = new Map()));
    let tally = tools.get(entry.tool);
    if (!tally) tools.set(entry.tool, (tally = { tool: entry.tool, total: 0, allow: 0, deny: 0, asked: 0 }));
    tally.total++;
    tally[entry.decision]++;
    if (entry.policy === 'ask') tally.asked++;
  }
  const result: ServerTally[] = [];
  for (const [server, tools] of [...servers].sort(([a], [b]) => a.localeCompare(b))) {
    const list = [...tools.values()].sort((a, b) => b.total - a.total || a.tool.localeCompare(b.tool));
    const sum = (key: 'total' | 'allow' | 'deny' | 'asked'): number => list.reduce((n, t) => n + t[key], 0);
    result.push({ server, total: sum('total'), allow: sum('allow'), deny: sum('deny'), asked: sum('asked'), tools: list });
  }
  return { entries, skippedLines, first, last, servers: result };
}

export function formatAuditSummary(summary: AuditSummary): string {
  const lines: string[] = [];
  const span = summary.first ? ` from ${summary.first} to ${summary.last}` : '';
  lines.push(`${summary.entries} decided call(s)${span}`);
  if (summary.skippedLines > 0) lines.push(`${summary.skippedLines} line(s) skipped: not audit entries`);
  for (const server of summary.servers) {
    lines.push('');
    lines.push(`${server.server}: ${server.total} call(s), ${server.allow} allowed, ${server.deny} denied, ${server.asked} asked`);
    const width = Math.max(4, ...server.tools.map((t) => t.tool.length));
    lines.push(`  ${'tool'.padEnd(width)}  ${'total'.padStart(6)}  ${'allow'.padStart(6)}  ${'deny'.padStart(6)}  ${'asked'.padStart(6)}`);
    for (const t of server.tools) {
      lines.push(`  ${t.tool.padEnd(width)}  ${String(t.total).padStart(6)}  ${String(t.allow).padStart(6)}  ${String(t.deny).padStart(6)}  ${String(t.asked).padStart(6)}`);
    }
  }
  return lines.join('\n') + '\n';
}
