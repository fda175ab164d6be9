// The `${...}` variables of an mcp.json entry, resolved the way VS Code resolves them for its own servers:
// `${workspaceFolder}`, `${workspaceFolderBasename}`, `${userHome}`, `${pathSeparator}` (`${/}`), `${env:NAME}`
// and `${input:ID}` (asked of the user once, then kept in secret storage by the caller).
import type { LaunchEntry } from './launch-entry';

export interface VariableContext {
  workspaceFolder?: string;
  userHome?: string;
  pathSeparator: string;
  env: Readonly<Record<string, string | undefined>>;
}

export class VariableError extends Error {
  override name = 'VariableError';
}

const VARIABLE = /\$\{([^}]+)\}/g;

/** The ids of the `${input:ID}` variables an entry uses, in first-use order. */
export function inputIds(entry: unknown): string[] {
  const ids = new Set<string>();
  for (const text of strings(entry)) {
    for (const match of text.matchAll(VARIABLE)) if (match[1].startsWith('input:')) ids.add(match[1].slice(6));
  }
  return [...ids];
}

/**
 * Replaces the variables in every string of `entry` (keys of `env` and `headers` are left alone).
 * `inputs` answers `${input:ID}`; without an answer the variable stays as written, so a definition can be
 * shown before its inputs are asked for. An unknown variable is an error that names it.
 */
export function resolveEntry(entry: LaunchEntry, context: VariableContext, inputs: ReadonlyMap<string, string> = new Map()): LaunchEntry {
  return mapStrings(entry, (text) => resolveText(text, context, inputs)) as LaunchEntry;
}

export function resolveText(text: string, context: VariableContext, inputs: ReadonlyMap<string, string> = new Map()): string {
  return text.replace(VARIABLE, (whole, name: string) => {
    if (name === 'workspaceFolder' || name === 'workspaceRoot') return required(context.workspaceFolder, whole, 'a workspace folder is open');
    if (name === 'workspaceFolderBasename') return basename(required(context.workspaceFolder, whole, 'a workspace folder is open'));
    if (name === 'userHome') return required(context.userHome, whole, 'the home folder is known');
    if (name === 'pathSeparator' || name === '/') return context.pathSeparator;
    if (name.startsWith('env:')) return context.env[name.slice(4)] ?? '';
    if (name.startsWith('input:')) return inputs.get(name.slice(6)) ?? whole;
    throw new VariableError(`${whole} is not a variable Warden can resolve (use \${workspaceFolder}, \${userHome}, \${env:NAME} or \${input:ID})`);
  });
}

function required(value: string | undefined, variable: string, condition: string): string {
  if (value === undefined) throw new VariableError(`${variable} can only be resolved when ${condition}`);
  return value;
}

function basename(path: string): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  return parts[parts.length - 1] ?? path;
}

function* strings(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const item of value) yield* strings(item);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) yield* strings(item);
}

function mapStrings(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, map)]));
  return value;
}
