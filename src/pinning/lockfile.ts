// The lockfile: the tool definitions a person reviewed, per server, beside the policy
// (`.vscode/mcp-policy.lock` for `.vscode/mcp-policy.yaml`). JSON in one stable layout (keys in a fixed
// order, schemas with sorted keys, two-space indent), so it can be committed and read in a pull request.
// Each tool keeps its full definition and the sha256 of that definition's canonical JSON; a hash that does
// not match its definition makes the file invalid (a hand edit of one without the other is never enforced).
// Pure: no file system, no editor.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../policy/canonical-json';

export const LOCKFILE_VERSION = 1;

/** The parts of a listed tool that are pinned: what the agent reads, and what shapes its calls. */
export const PINNED_FIELDS = ['title', 'description', 'inputSchema', 'outputSchema', 'annotations'] as const;
export type PinnedField = (typeof PINNED_FIELDS)[number];

/** A tool's pinned parts, as listed (untrusted JSON values; absent fields are absent). */
export type ToolDefinition = Partial<Record<PinnedField, unknown>>;

export interface PinnedTool {
  sha256: string;
  definition: ToolDefinition;
}

export interface ServerInfo {
  name?: string;
  version?: string;
}

export interface PinnedServer {
  serverInfo?: ServerInfo;
  instructions?: string;
  /** By tool name. A Map: names are the server's, and may be anything ("__proto__" included). */
  tools: Map<string, PinnedTool>;
}

export interface Lockfile {
  version: typeof LOCKFILE_VERSION;
  servers: Map<string, PinnedServer>;
}

/** What a server lists: its info and instructions from `initialize`, its tools from `tools/list`. */
export interface LiveServer {
  serverInfo?: unknown;
  instructions?: unknown;
  tools: readonly unknown[];
}

/** The largest lockfile read (8 MiB): a few KB per server; a bigger file is refused with the reason. */
export const MAX_LOCKFILE_BYTES = 8 * 1024 * 1024;

/** The lockfile beside a policy: `x.mcp-policy.yaml` -> `x.mcp-policy.lock` (`.yml` too; else `.lock` is added). */
export function lockfilePathFor(policyFile: string): string {
  const match = /\.ya?ml$/i.exec(policyFile);
  return match ? policyFile.slice(0, match.index) + '.lock' : policyFile + '.lock';
}

export function emptyLockfile(): Lockfile {
  return { version: LOCKFILE_VERSION, servers: new Map() };
}

/** The pinned parts of a listed tool (anything that is not an object has none). */
export function toolDefinition(tool: unknown): ToolDefinition {
  const definition: ToolDefinition = {};
  if (!tool || typeof tool !== 'object') return definition;
  for (const field of PINNED_FIELDS) {
    const value = (tool as Record<string, unknown>)[field];
    if (value !== undefined) definition[field] = value;
  }
  return definition;
}

/** The sha256 (hex) of a definition's canonical JSON (keys sorted at every depth). */
export function definitionHash(definition: ToolDefinition): string {
  return createHash('sha256').update(canonicalJson(definition)).digest('hex');
}

export function pinTool(tool: unknown): PinnedTool {
  const definition = toolDefinition(tool);
  return { sha256: definitionHash(definition), definition };
}

/** The server's info as pinned: name and version when they are strings. */
export function serverInfoOf(value: unknown): ServerInfo | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const { name, version } = value as Record<string, unknown>;
  const info: ServerInfo = {};
  if (typeof name === 'string') info.name = name;
  if (typeof version === 'string') info.version = version;
  return info.name === undefined && info.version === undefined ? undefined : info;
}

// ---- reading ----

export type LockfileParse = { lockfile: Lockfile; errors?: undefined } | { lockfile?: undefined; errors: string[] };

const SERVER_KEYS = new Set(['serverInfo', 'instructions', 'tools']);
const TOOL_KEYS = new Set<string>(['sha256', ...PINNED_FIELDS]);
const SHA256 = /^[0-9a-f]{64}$/;

/** Reads a lockfile's text; every problem is reported (with where it is), and any problem means no lockfile. */
export function parseLockfile(text: string): LockfileParse {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { errors: [`not valid JSON: ${(error as Error).message}`] };
  }
  const errors: string[] = [];
  const lockfile = emptyLockfile();
  if (!isRecord(value)) return { errors: ['expected a JSON object with "version" and "servers"'] };
  if (value.version !== LOCKFILE_VERSION) errors.push(`"version" must be ${LOCKFILE_VERSION}, found ${short(value.version)}`);
  for (const key of Object.keys(value)) if (key !== 'version' && key !== 'servers') errors.push(`unknown key ${JSON.stringify(key)} at the top level`);
  if (!isRecord(value.servers)) {
    errors.push('"servers" must be an object of servers by name');
    return { errors };
  }
  for (const name of Object.keys(value.servers)) {
    const server = readServer(value.servers[name], `servers[${JSON.stringify(name)}]`, errors);
    if (server) lockfile.servers.set(name, server);
  }
  return errors.length > 0 ? { errors } : { lockfile };
}

function readServer(value: unknown, where: string, errors: string[]): PinnedServer | undefined {
  if (!isRecord(value)) {
    errors.push(`${where} must be an object`);
    return undefined;
  }
  const server: PinnedServer = { tools: new Map() };
  for (const key of Object.keys(value)) if (!SERVER_KEYS.has(key)) errors.push(`${where}: unknown key ${JSON.stringify(key)}`);
  if (value.serverInfo !== undefined) {
    const info = value.serverInfo;
    const keys = isRecord(info) ? Object.keys(info) : [];
    if (!isRecord(info) || keys.length === 0 || keys.some((k) => (k !== 'name' && k !== 'version') || typeof info[k] !== 'string')) {
      errors.push(`${where}.serverInfo must be an object with a string "name" and "version"`);
    } else server.serverInfo = serverInfoOf(info);
  }
  if (value.instructions !== undefined) {
    if (typeof value.instructions !== 'string') errors.push(`${where}.instructions must be a string`);
    else server.instructions = value.instructions;
  }
  if (!isRecord(value.tools)) {
    errors.push(`${where}.tools must be an object of tools by name`);
    return undefined;
  }
  for (const name of Object.keys(value.tools)) {
    const tool = readTool(value.tools[name], `${where}.tools[${JSON.stringify(name)}]`, errors);
    if (tool) server.tools.set(name, tool);
  }
  return server;
}

function readTool(value: unknown, where: string, errors: string[]): PinnedTool | undefined {
  if (!isRecord(value)) {
    errors.push(`${where} must be an object`);
    return undefined;
  }
  for (const key of Object.keys(value)) if (!TOOL_KEYS.has(key)) errors.push(`${where}: unknown key ${JSON.stringify(key)} (pinned: sha256, ${PINNED_FIELDS.join(', ')})`);
  if (typeof value.sha256 !== 'string' || !SHA256.test(value.sha256)) {
    errors.push(`${where}.sha256 must be 64 lowercase hex digits`);
    return undefined;
  }
  const definition = toolDefinition(value);
  if (definitionHash(definition) !== value.sha256) {
    errors.push(`${where}: the sha256 does not match the pinned definition (edited without pinning again: run mcp-warden pin, or accept the change in the editor)`);
    return undefined;
  }
  return { sha256: value.sha256, definition };
}

// ---- writing ----

/** The lockfile's text: fixed key order, servers and tools by name, values with sorted keys, two-space indent. */
export function formatLockfile(lockfile: Lockfile): string {
  const servers: [string, string][] = [...lockfile.servers.keys()].sort(byCodeUnits).map((name) => [name, formatServer(lockfile.servers.get(name)!, 2)]);
  return `{\n  "version": ${LOCKFILE_VERSION},\n  "servers": ${objectText(servers, 1)}\n}\n`;
}

function formatServer(server: PinnedServer, depth: number): string {
  const entries: [string, string][] = [];
  if (server.serverInfo) entries.push(['serverInfo', pretty(server.serverInfo, depth + 1)]);
  if (server.instructions !== undefined) entries.push(['instructions', JSON.stringify(server.instructions)]);
  const tools: [string, string][] = [...server.tools.keys()].sort(byCodeUnits).map((name) => [name, formatTool(server.tools.get(name)!, depth + 2)]);
  entries.push(['tools', objectText(tools, depth + 1)]);
  return objectText(entries, depth);
}

function formatTool(tool: PinnedTool, depth: number): string {
  const entries: [string, string][] = [['sha256', JSON.stringify(tool.sha256)]];
  for (const field of PINNED_FIELDS) if (tool.definition[field] !== undefined) entries.push([field, pretty(tool.definition[field], depth + 1)]);
  return objectText(entries, depth);
}

/** An object of already formatted values, in the given order. */
function objectText(entries: [string, string][], depth: number): string {
  if (entries.length === 0) return '{}';
  const inner = '  '.repeat(depth + 1);
  return `{\n${entries.map(([key, text]) => `${inner}${JSON.stringify(key)}: ${text}`).join(',\n')}\n${'  '.repeat(depth)}}`;
}

/** Any JSON value, keys sorted, two-space indent. */
function pretty(value: unknown, depth: number): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const inner = '  '.repeat(depth + 1);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((item) => inner + pretty(item, depth + 1)).join(',\n')}\n${'  '.repeat(depth)}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  return objectText(keys.map((key) => [key, pretty(record[key], depth + 1)]), depth);
}

// ---- updating ----

export interface PinChanges {
  added: string[];
  changed: string[];
  removed: string[];
  /** The server's instructions or info differ from what was pinned. */
  instructions: boolean;
  serverInfo: boolean;
}

/**
 * `lockfile` with `server`'s entry pinned to what it lists now: every tool, or only `only` (the others stay
 * as they were pinned). Returns what changed; the given lockfile is not modified.
 */
export function pinServer(lockfile: Lockfile, server: string, live: LiveServer, only?: readonly string[]): { lockfile: Lockfile; changes: PinChanges } {
  const before = lockfile.servers.get(server);
  const listed = new Map<string, unknown>();
  for (const tool of live.tools) if (isRecord(tool) && typeof tool.name === 'string') listed.set(tool.name, tool);
  const tools = new Map(before?.tools ?? []);
  const changes: PinChanges = { added: [], changed: [], removed: [], instructions: false, serverInfo: false };
  const names = only ?? [...new Set([...listed.keys(), ...tools.keys()])];
  for (const name of names) {
    const tool = listed.get(name);
    const pinned = tools.get(name);
    if (tool === undefined) {
      if (pinned) {
        tools.delete(name);
        changes.removed.push(name);
      }
      continue;
    }
    const pin = pinTool(tool);
    if (!pinned) changes.added.push(name);
    else if (pinned.sha256 !== pin.sha256) changes.changed.push(name);
    tools.set(name, pin);
  }
  const instructions = typeof live.instructions === 'string' ? live.instructions : undefined;
  const serverInfo = serverInfoOf(live.serverInfo);
  changes.instructions = before !== undefined && before.instructions !== instructions;
  changes.serverInfo = before !== undefined && canonicalJson(before.serverInfo ?? null) !== canonicalJson(serverInfo ?? null);
  const entry: PinnedServer = { tools };
  if (serverInfo) entry.serverInfo = serverInfo;
  if (instructions !== undefined) entry.instructions = instructions;
  const servers = new Map(lockfile.servers);
  servers.set(server, entry);
  return { lockfile: { version: LOCKFILE_VERSION, servers }, changes };
}

// ---- helpers ----

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
