// Which of VS Code's language-model tools is a protected server's tool, so "Try a call…" goes through
// VS Code's MCP client to Warden's proxy as an agent's call does. VS Code (1.139) names an MCP tool
// `mcp_<prefix>_<tool>`: the prefix is the server's label, lowercased, other characters than [a-z0-9_.-]
// as `_`, cut to 13 characters, and a number before the `_` for a second server whose label gives the
// same prefix; then dots become `_` and the name is cut to 64 characters. Nothing in `vscode.lm.tools`
// says which server a tool is from, so a name two servers could own is refused rather than guessed:
// a guess could send the call to a copy of the server that Warden does not stand in front of.

const PREFIX_LENGTH = 13;
const MAX_NAME = 64;
/** How many servers with one prefix are looked at. */
const MAX_INDEX = 20;

export function serverPrefix(label: string): string {
  return label.toLowerCase().replace(/[^a-z0-9_.-]+/g, '_').slice(0, PREFIX_LENGTH);
}

/** The names VS Code may give `tool` of a server labelled `server`: the first server with its prefix, the second, … */
export function candidateToolNames(server: string, tool: string): string[] {
  const prefix = serverPrefix(server);
  const names: string[] = [];
  for (let index = 1; index <= MAX_INDEX; index++) {
    const suffix = (index === 1 ? '' : String(index)) + '_';
    names.push(`mcp_${prefix.slice(0, PREFIX_LENGTH + 1 - suffix.length)}${suffix}${tool}`.replaceAll('.', '_').slice(0, MAX_NAME));
  }
  return names;
}

export type ToolLookup = { ok: true; name: string } | { ok: false; problem: string };

/**
 * VS Code's tool for `tool` of the protected `server`, from the names of its MCP tools. `otherServers`: the
 * other servers VS Code knows (mcp.json entries, servers seen), the protected one's own mcp.json entry included.
 */
export function findVscodeTool(server: string, tool: string, mcpToolNames: Iterable<string>, otherServers: Iterable<string>): ToolLookup {
  const prefix = serverPrefix(server);
  const alike = [...new Set(otherServers)].filter((other) => serverPrefix(other) === prefix);
  if (alike.includes(server)) {
    return { ok: false, problem: `"${server}" is also declared in an mcp.json, so VS Code offers its tools twice, once without Warden: remove that entry, then try again.` };
  }
  if (alike.length > 0) {
    return { ok: false, problem: `VS Code names the tools of "${server}" and of ${alike.map((name) => `"${name}"`).join(', ')} alike (mcp_${prefix}…): Warden cannot tell which is the protected one, so it sends nothing. Rename one of them.` };
  }
  const candidates = new Set(candidateToolNames(server, tool));
  const found = [...new Set(mcpToolNames)].filter((name) => candidates.has(name));
  if (found.length === 1) return { ok: true, name: found[0]! };
  if (found.length === 0) return { ok: false, problem: `VS Code lists no tool "${tool}" of "${server}": start the server (Warden starts its proxy), or list its tools, then try again.` };
  return { ok: false, problem: `VS Code lists ${found.length} tools that could be "${tool}" of "${server}" (${found.join(', ')}): Warden cannot tell which one its proxy serves, so it sends nothing.` };
}
