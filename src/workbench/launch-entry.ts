// A protected server's launch entry: the server's original mcp.json entry, kept in the policy under
// `servers.<name>.launch` so that the policy alone says which servers run behind Warden and how to start them.
import type { Document, LineCounter, Node } from 'yaml';
import type { Range } from '../policy/model';
import { MapPlaces, rootPlace } from '../policy/yaml-places';
import { resolveDocument } from '../policy/yaml-resolve';
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

/**
 * The servers of a parsed policy document that carry a `launch` entry, in file order. Read from the
 * document's resolved value (aliases and merge keys resolved), the value the policy's schema checks.
 */
export function protectedServers(document: Document, lineCounter: LineCounter): ProtectedServer[] {
  const value = resolveDocument(document, lineCounter).value as { servers?: unknown } | undefined;
  const servers = value?.servers;
  if (!isObject(servers)) return [];
  const places = new MapPlaces(lineCounter, new MapPlaces(lineCounter, rootPlace(lineCounter, document.contents as Node | null)).of('servers'));
  const found: ProtectedServer[] = [];
  for (const name of Object.keys(servers)) {
    const server = servers[name];
    if (!isObject(server) || !isObject(server.launch)) continue;
    const range = new MapPlaces(lineCounter, places.of(name)).of('launch').keyRange;
    found.push({ name, entry: server.launch, line: range.start.line + 1, range });
  }
  return found;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
