// Reads an `envFile` the way VS Code reads one for an MCP server: KEY=VALUE lines, `#` comments, an optional
// `export `, single quotes taken literally, double quotes with \n, \r, \t, \" and \\ escapes.
export function parseDotenv(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    result[match[1]] = valueOf(match[2]);
  }
  return result;
}

function valueOf(text: string): string {
  if (text.startsWith("'")) {
    const end = text.indexOf("'", 1);
    return end === -1 ? text.slice(1) : text.slice(1, end);
  }
  if (text.startsWith('"')) {
    let value = '';
    for (let i = 1; i < text.length; i++) {
      const c = text[i];
      if (c === '"') break;
      if (c === '\\' && i + 1 < text.length) {
        const next = text[++i];
        value += next === 'n' ? '\n' : next === 'r' ? '\r' : next === 't' ? '\t' : next;
      } else value += c;
    }
    return value;
  }
  // Unquoted: a ` #` starts a comment.
  const comment = text.search(/\s#/);
  return (comment === -1 ? text : text.slice(0, comment)).trim();
}
