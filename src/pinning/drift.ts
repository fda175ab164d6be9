// What changed between the definitions a person pinned and what a server lists now: a tool changed (and
// in which fields), a tool new to the lockfile, a pinned tool the server no longer lists, the server's
// instructions or name/version changed. Each drift carries the plain-words message that reasons, logs and
// reports use. Pure.
import { canonicalJson } from '../policy/canonical-json';
import { BoundedCache, stringBytes } from './bounded-cache';
import { visibleString } from '../proxy/visible-text';
import {
  PINNED_FIELDS,
  pinTool,
  serverInfoOf,
  type LiveServer,
  type PinnedField,
  type PinnedServer,
  type PinnedTool,
  type ServerInfo,
  type ToolDefinition,
} from './lockfile';

export type DriftKind = 'changed' | 'new' | 'removed' | 'instructions' | 'serverInfo';

export interface Drift {
  kind: DriftKind;
  /** The tool, for changed, new and removed. */
  tool?: string;
  /** For changed: the pinned fields that differ. */
  fields?: PinnedField[];
  message: string;
}

/** The pinned fields in which two definitions differ, in the lockfile's order. */
export function changedFields(pinned: ToolDefinition, live: ToolDefinition): PinnedField[] {
  const text = (value: unknown): string => (value === undefined ? '' : canonicalJson(value));
  return PINNED_FIELDS.filter((field) => text(pinned[field]) !== text(live[field]));
}

/** How a tool as listed (its definition hashed: see DefinitionHashes) stands against its pin; undefined when it matches. */
export function toolDrift(name: string, pinned: PinnedTool | undefined, live: PinnedTool, lockfileName: string): Drift | undefined {
  if (!pinned) return { kind: 'new', tool: name, message: `${quoted(name)} is new and not pinned` };
  if (pinned.sha256 === live.sha256) return undefined;
  const fields = changedFields(pinned.definition, live.definition);
  return { kind: 'changed', tool: name, fields, message: `${quoted(name)} changed since it was pinned (${lockfileName}): ${fields.join(', ')}` };
}

export function removedDrift(name: string, lockfileName: string): Drift {
  return { kind: 'removed', tool: name, message: `${quoted(name)} was pinned (${lockfileName}) but the server no longer lists it` };
}

/** The server's instructions and name/version against their pins (from its `initialize` answer). */
export function serverInfoDrift(pinned: PinnedServer, instructions: unknown, serverInfo: unknown, lockfileName: string): Drift[] {
  const drift: Drift[] = [];
  const live = typeof instructions === 'string' ? instructions : undefined;
  if (live !== pinned.instructions) {
    const what = pinned.instructions === undefined ? 'the server now sends instructions, none were pinned' : live === undefined ? 'the server no longer sends the instructions that were pinned' : "the server's instructions changed since they were pinned";
    drift.push({ kind: 'instructions', message: `${what} (${lockfileName})` });
  }
  const info = serverInfoOf(serverInfo);
  if (canonicalJson(info ?? null) !== canonicalJson(pinned.serverInfo ?? null)) {
    drift.push({ kind: 'serverInfo', message: `the server's name or version changed since it was pinned (${lockfileName}): ${infoText(pinned.serverInfo)} -> ${infoText(info)}` });
  }
  return drift;
}

/** Every drift of a whole listing against a server's pins: its tools (changed, new, removed) and its instructions. */
export function serverDrift(pinned: PinnedServer, live: LiveServer, lockfileName: string): Drift[] {
  const drift = serverInfoDrift(pinned, live.instructions, live.serverInfo, lockfileName);
  const listed = new Set<string>();
  for (const tool of live.tools) {
    const name = toolName(tool);
    if (name === undefined) continue;
    listed.add(name);
    const found = toolDrift(name, pinned.tools.get(name), pinTool(tool), lockfileName);
    if (found) drift.push(found);
  }
  for (const name of pinned.tools.keys()) if (!listed.has(name)) drift.push(removedDrift(name, lockfileName));
  return drift;
}

/** The largest number of definitions kept by a DefinitionHashes (a server lists tens; a hostile one, any). */
const MAX_CACHED = 4096;
/** And the most bytes they hold: a hostile server can list few but huge definitions. */
export const MAX_CACHED_DEFINITION_BYTES = 32 * 1024 * 1024;

/**
 * Each listed tool's pinned parts and hash, computed once per distinct definition: a server lists the same
 * tools again and again (every `tools/list`, every `list_changed`), so the canonical JSON and sha256 are
 * reused, found by the tool's JSON text as parsed (cheap next to sorting keys and hashing).
 */
export class DefinitionHashes {
  private readonly cache = new BoundedCache<string, PinnedTool>(MAX_CACHED, MAX_CACHED_DEFINITION_BYTES);

  of(tool: unknown): PinnedTool {
    let key: string;
    try {
      key = JSON.stringify(tool);
    } catch {
      return pinTool(tool);
    }
    const cached = this.cache.get(key);
    if (cached) return cached;
    const pin = pinTool(tool);
    // The key's text, and the definition kept beside it (about as large again).
    this.cache.set(key, pin, 2 * stringBytes(key));
    return pin;
  }

  get size(): number {
    return this.cache.size;
  }

  get bytes(): number {
    return this.cache.bytes;
  }
}

export function toolName(tool: unknown): string | undefined {
  if (!tool || typeof tool !== 'object') return undefined;
  const name = (tool as { name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
}

/** A tool's name in a message: quoted, with quotes, controls and invisible characters escaped. */
export function quoted(name: string): string {
  return visibleString(name);
}

function infoText(info: ServerInfo | undefined): string {
  if (!info) return 'none';
  return [info.name ?? '?', info.version ?? '?'].join(' ');
}
