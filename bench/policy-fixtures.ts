// Generated policies for the benchmarks: many servers, exact names and globs, some rules with args.

/** A policy of `rules` tool rules spread over servers of 50 rules each. */
export function largePolicy(rules: number): { text: string; calls: { server: string; tool: string }[] } {
  const lines = ['version: 1', 'default: ask', 'servers:'];
  const calls: { server: string; tool: string }[] = [];
  const servers = Math.ceil(rules / 50);
  for (let s = 0; s < servers; s++) {
    const server = `server-${s}`;
    lines.push(`  ${server}:`, '    default: deny', '    tools:');
    for (let r = 0; r < 50 && s * 50 + r < rules; r++) {
      const kind = r % 5;
      if (kind === 0) {
        lines.push(`      "area${r}_*":`, '        action: allow');
        calls.push({ server, tool: `area${r}_list` });
      } else if (kind === 1) {
        lines.push(`      "area${r}_get_*":`, '        action: ask', '        rate_limit: { max: 1000000, window: 1m }');
        calls.push({ server, tool: `area${r}_get_item` });
      } else if (kind === 2) {
        lines.push(`      delete_${r}:`, '        action: ask', '        args:', '          type: object', '          required: [id]', '          properties:', '            id: { type: string, pattern: "^[A-Z]-[0-9]+$" }');
      } else if (kind === 3) {
        lines.push(`      stop_${r}:`, '        action: deny', `        reason: Stopping ${r} is not allowed.`);
        calls.push({ server, tool: `stop_${r}` });
      } else {
        lines.push(`      run_${r}:`, '        action: allow', '        risk: { category: execute, level: high }');
        calls.push({ server, tool: `run_${r}` });
      }
    }
    calls.push({ server, tool: `unknown_${s}` });
  }
  return { text: lines.join('\n') + '\n', calls };
}

/** A policy of about `targetLines` lines, in the shape people write (comments, reasons, limits, args). */
export function policyOfLines(targetLines: number): string {
  const lines = ['# generated', 'version: 1', 'default: allow', 'servers:'];
  let s = 0;
  while (lines.length < targetLines) {
    lines.push(`  server-${s}:`, '    default: ask', '    tools:');
    for (let t = 0; t < 20 && lines.length < targetLines; t++) {
      lines.push(`      # rule ${t}`, `      tool_${t}:`, '        action: deny', `        reason: Tool ${t} of server ${s} is denied.`, '        rate_limit: { max: 5, window: 1m }');
      if (t % 4 === 0) lines.push('        args:', '          type: object', '          properties:', '            path: { type: string, pattern: "^/tmp/" }');
    }
    s++;
  }
  return lines.join('\n') + '\n';
}
