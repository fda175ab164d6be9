// A protected server's launch entry: the server's original mcp.json entry, kept in the policy under
// `servers.<name>.launch` so that the policy alone says which servers run behind Warden and how to start them.
import { isMap, type Document, type LineCounter } from 'yaml';
import type { Range } from '../policy/model';
import type { ServerLaunch, ServerTransport } from '../language/catalogue';

/** An mcp.json server entry as written (type, command, args, env, envFile, cwd, url, headers, and anything newer). */
export type LaunchEntry = Record<string, unknown>;

export interface ProtectedServer {
  name: string;
  entry: LaunchEntry;
  /** One-based line of the `launch` key in the policy. */
  line: number;
  /** The `launch` key's range (zero-based), for go to definition. */
  range: Range;
}

/** The servers of a parsed policy document that carry a `launch` entry, in file order. */
export function protectedServers(document: Document, lineCounter: LineCounter): ProtectedServer[] {
  const servers = document.get('servers');
  if (!isMap(servers)) return [];
  const found: ProtectedServer[] = [];
  for (const pair of servers.items) {
    const name = (pair.key as { value?: unknown } | null)?.value;
    if (typeof name !== 'string' || !isMap(pair.value)) continue;
    const launchPair = pair.value.items.find((item) => (item.key as { value?: unknown } | null)?.value === 'launch');
    if (!launchPair || !isMap(launchPair.value)) continue;
    const entry = launchPair.value.toJSON() as LaunchEntry;
    const [start, end] = (launchPair.key as { range?: [number, number, number] }).range ?? [0, 0];
    const position = (offset: number) => {
      const { line, col } = lineCounter.linePos(offset);
      return { line: line - 1, character: col - 1 };
    };
    found.push({ name, entry, line: position(start).line + 1, range: { start: position(start), end: position(end) } });
  }
  return found;
}

/** How an entry is reached: its `type`, else stdio when it names a command, http when a URL. */
export function transportOf(entry: LaunchEntry): ServerTransport | undefined {
  const type = entry.type;
  if (type === 'stdio' || type === 'http' || type === 'sse') return type;
  if (typeof entry.command === 'string') return 'stdio';
  if (typeof entry.url === 'string') return 'http';
  return undefined;
}

/** The entry in the catalogue's terms, so discovery and hovers can use it. */
export function toServerLaunch(entry: LaunchEntry): ServerLaunch {
  const launch: ServerLaunch = {};
  if (typeof entry.command === 'string') launch.command = entry.command;
  if (Array.isArray(entry.args)) launch.args = entry.args.map(String);
  if (typeof entry.cwd === 'string') launch.cwd = entry.cwd;
  if (typeof entry.url === 'string') launch.url = entry.url;
  const env = stringMap(entry.env);
  if (env) launch.env = env;
  return launch;
}

/** A map of strings from an `env` or `headers` value; null values (which unset a variable) are dropped. */
export function stringMap(value: unknown): Record<string, string> | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== null && v !== undefined);
  return Object.fromEntries(entries.map(([k, v]) => [k, String(v)]));
}
