// The servers a gateway run from the command line serves: the `launch` entries of the policy file, read
// once at start from a policy without errors (a person running the command chose that file). Variables
// are resolved as the editor resolves them, with what a command line has: `${workspaceFolder}` is the
// folder given (by default the working folder), `${env:NAME}` the gateway's environment; `${input:ID}`
// needs the editor to ask, so such an entry is not served, with the reason. `envFile` is read, and the
// entry's own `env` wins over it.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, resolve, sep } from 'node:path';
import { parsePolicy } from '../policy/parse';
import { parseDotenv } from '../workbench/dotenv';
import { protectedServers, stringMap, transportOf, type LaunchEntry } from '../workbench/launch-entry';
import { inputIds, resolveEntry, type VariableContext } from '../workbench/variables';
import type { ServedLaunch } from '../proxy/control-protocol';

export type PolicyLaunch = { name: string; launch: ServedLaunch; problem?: undefined } | { name: string; launch?: undefined; problem: string };

export type PolicyLaunches = { ok: true; servers: PolicyLaunch[] } | { ok: false; errors: string[] };

/** The launch entries of a policy text; none when the policy has errors. */
export function policyLaunches(text: string, file: string, workspaceFolder: string, env: NodeJS.ProcessEnv): PolicyLaunches {
  const parsed = parsePolicy(text, file);
  if (!parsed.policy) {
    return { ok: false, errors: parsed.diagnostics.filter((d) => d.severity === 'error').map((d) => `${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.message}`) };
  }
  const context: VariableContext = { workspaceFolder, userHome: homedir(), pathSeparator: sep, env };
  return { ok: true, servers: protectedServers(parsed.document, parsed.lineCounter).map(({ name, entry }) => resolvedLaunch(name, entry, context)) };
}

/** The entries only, in a form that compares equal when nothing a launch depends on changed. */
export function launchEntriesOf(text: string, file: string): string | undefined {
  const parsed = parsePolicy(text, file);
  if (!parsed.policy) return undefined;
  return JSON.stringify(protectedServers(parsed.document, parsed.lineCounter).map(({ name, entry }) => [name, entry]));
}

function resolvedLaunch(name: string, entry: LaunchEntry, context: VariableContext): PolicyLaunch {
  const inputs = inputIds(entry);
  if (inputs.length > 0) {
    return { name, problem: `its launch entry uses \${input:${inputs[0]}}, which only the editor can ask for; to run it here, use \${env:NAME} and set NAME` };
  }
  let resolved: LaunchEntry;
  try {
    resolved = resolveEntry(entry, context);
  } catch (error) {
    return { name, problem: (error as Error).message };
  }
  const transport = transportOf(resolved);
  if (transport === 'http' || transport === 'sse') {
    if (typeof resolved.url !== 'string' || resolved.url === '') return { name, problem: 'its launch entry has no url' };
    return { name, launch: { url: resolved.url, headers: stringMap(resolved.headers) ?? {} } };
  }
  if (transport !== 'stdio' || typeof resolved.command !== 'string' || resolved.command === '') return { name, problem: 'its launch entry has neither a command nor a url' };
  const env: Record<string, string | null> = {};
  if (typeof resolved.envFile === 'string') {
    const envFile = absolute(resolved.envFile, context.workspaceFolder!);
    try {
      Object.assign(env, parseDotenv(readFileSync(envFile, 'utf8')));
    } catch (error) {
      return { name, problem: `its envFile ${envFile} cannot be read: ${(error as Error).message}` };
    }
  }
  if (resolved.env && typeof resolved.env === 'object' && !Array.isArray(resolved.env)) {
    for (const [key, value] of Object.entries(resolved.env as Record<string, unknown>)) env[key] = value === null ? null : String(value);
  }
  const launch: ServedLaunch = { command: resolved.command, args: Array.isArray(resolved.args) ? resolved.args.map(String) : [], env };
  if (typeof resolved.cwd === 'string' && resolved.cwd !== '') launch.cwd = absolute(resolved.cwd, context.workspaceFolder!);
  return { name, launch };
}

function absolute(path: string, folder: string): string {
  return isAbsolute(path) ? path : resolve(folder, path);
}
