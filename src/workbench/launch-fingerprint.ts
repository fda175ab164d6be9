// What a person approves before a protected server's `launch` entry runs: the entry as written in the
// policy (variables unresolved), reduced to a canonical JSON text whose SHA-256 is kept on this machine.
// Any change of any key (command, args, env, envFile, cwd, url, headers, type, and keys added later)
// changes the hash; key order and formatting do not.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../policy/canonical-json';
import type { LaunchEntry } from './launch-entry';
import { transportOf } from './launch-entry';

export function launchFingerprint(entry: LaunchEntry): string {
  return createHash('sha256').update(canonicalJson(entry)).digest('hex');
}

/** What the approval prompt shows: the full command line (or URL) and the names (never the values) it sets. */
export interface LaunchSummary {
  /** `command arg1 "arg 2"`, or the URL of an HTTP entry. */
  commandLine: string;
  envNames: string[];
  headerNames: string[];
  envFile?: string;
  cwd?: string;
  /** Keys of the entry this summary does not show (they still count in the hash). */
  otherKeys: string[];
}

const SHOWN_KEYS = new Set(['type', 'command', 'args', 'env', 'envFile', 'cwd', 'url', 'headers']);

export function summarizeLaunch(entry: LaunchEntry): LaunchSummary {
  const transport = transportOf(entry);
  const args = Array.isArray(entry.args) ? entry.args.map((arg) => quoteArg(String(arg))) : [];
  const commandLine = transport === 'http' || transport === 'sse'
    ? `${transport} ${String(entry.url ?? '(no url)')}`
    : [quoteArg(String(entry.command ?? '(no command)')), ...args].join(' ');
  const summary: LaunchSummary = {
    commandLine,
    envNames: namesOf(entry.env),
    headerNames: namesOf(entry.headers),
    otherKeys: Object.keys(entry).filter((key) => !SHOWN_KEYS.has(key)).sort(),
  };
  if (entry.envFile !== undefined) summary.envFile = String(entry.envFile);
  if (entry.cwd !== undefined) summary.cwd = String(entry.cwd);
  return summary;
}

function namesOf(value: unknown): string[] {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.keys(value).sort() : [];
}

/** Shell-like quoting, only so a person can tell where each argument starts and ends. */
function quoteArg(arg: string): string {
  return arg !== '' && /^[A-Za-z0-9_./:=@%+,${}-]+$/.test(arg) ? arg : JSON.stringify(arg);
}
