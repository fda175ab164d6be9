// Launch entries (`servers.<name>.launch`): what starts a server. An entry added or changed runs a
// command no person approved, and one removed takes the server from behind Warden: each is a loosening.
// Compared as written in the resolved policy value, every property included (the entry is open to
// properties the policy language does not list).
import { canonicalJson } from './canonical-json';
import { displayText } from './display-text';

export type LaunchEntries = ReadonlyMap<string, Record<string, unknown>>;

export interface LaunchChange {
  server: string;
  before: string;
  after: string;
}

/** The launch entries of a resolved policy value, by server. */
export function launchEntries(value: unknown): Map<string, Record<string, unknown>> {
  const entries = new Map<string, Record<string, unknown>>();
  const servers = isRecord(value) ? value.servers : undefined;
  if (!isRecord(servers)) return entries;
  for (const [name, server] of Object.entries(servers)) {
    if (isRecord(server) && server.launch !== undefined) entries.set(name, isRecord(server.launch) ? server.launch : { launch: server.launch });
  }
  return entries;
}

export function launchChanges(before: LaunchEntries, after: LaunchEntries): LaunchChange[] {
  const changes: LaunchChange[] = [];
  for (const server of new Set([...before.keys(), ...after.keys()])) {
    const was = before.get(server);
    const is = after.get(server);
    if (was && is && canonicalJson(was) === canonicalJson(is)) continue;
    if (!was) changes.push({ server, before: 'none', after: launchSummary(is!) });
    else if (!is) changes.push({ server, before: launchSummary(was), after: 'none' });
    else {
      const wasText = launchSummary(was);
      const isText = launchSummary(is);
      changes.push(wasText !== isText ? { server, before: wasText, after: isText } : { server, before: wasText, after: `changed: ${changedKeys(was, is).join(', ')}` });
    }
  }
  return changes;
}

/** The command line (or URL) an entry starts, on one short line. */
export function launchSummary(entry: Record<string, unknown>): string {
  if (typeof entry.url === 'string' && typeof entry.command !== 'string') return displayText(entry.url);
  if (typeof entry.command === 'string') {
    const args = Array.isArray(entry.args) ? entry.args.map((arg) => quoted(String(arg))) : [];
    return displayText([quoted(entry.command), ...args].join(' '));
  }
  return displayText(canonicalJson(entry));
}

function quoted(word: string): string {
  return word === '' || /[\s"'\\]/.test(word) ? JSON.stringify(word) : word;
}

function changedKeys(was: Record<string, unknown>, is: Record<string, unknown>): string[] {
  const keys = [...new Set([...Object.keys(was), ...Object.keys(is)])].filter((key) => canonicalJson(was[key]) !== canonicalJson(is[key]));
  return keys.sort().map((key) => displayText(key, 40));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
