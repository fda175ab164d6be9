// How the gateway starts one server: a launch (from the editor's `servers` message, or read from the
// policy's `launch` entry by the CLI) checked and turned into the proxy's upstream target. A launch
// that cannot be used is kept with the reason, so that its sessions fail with it.
import type { ServedLaunch } from '../proxy/control-protocol';
import type { ProxyTarget } from '../proxy/proxy-main';

export type LaunchTarget = { target: ProxyTarget; problem?: undefined } | { target?: undefined; problem: string };

/**
 * The target of a resolved launch: `{ command, args?, env?, cwd? }` (env set, or with null unset, on top
 * of `baseEnv`) or `{ url, headers? }`.
 */
export function targetOf(launch: unknown, baseEnv: NodeJS.ProcessEnv): LaunchTarget {
  if (!isObject(launch)) return { problem: 'its launch is not an object' };
  if (typeof launch.command === 'string') {
    if (launch.command === '') return { problem: 'its launch has an empty command' };
    if (launch.args !== undefined && !(Array.isArray(launch.args) && launch.args.every((a) => typeof a === 'string'))) return { problem: 'its launch args are not a list of strings' };
    if (launch.cwd !== undefined && typeof launch.cwd !== 'string') return { problem: 'its launch cwd is not a string' };
    const env: NodeJS.ProcessEnv = { ...baseEnv };
    if (launch.env !== undefined) {
      if (!isObject(launch.env)) return { problem: 'its launch env is not an object' };
      for (const [name, value] of Object.entries(launch.env)) {
        if (value === null) delete env[name];
        else if (typeof value === 'string') env[name] = value;
        else return { problem: `its launch env value of ${name} is not a string or null` };
      }
    }
    const cwd = launch.cwd === '' ? undefined : (launch.cwd as string | undefined);
    return { target: { kind: 'stdio', command: launch.command, args: (launch.args as string[] | undefined) ?? [], env, ...(cwd ? { cwd } : {}) } };
  }
  if (typeof launch.url === 'string') {
    let url: URL;
    try {
      url = new URL(launch.url);
    } catch {
      return { problem: `its launch url is not a URL: ${launch.url}` };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return { problem: `its launch url must be http or https: ${launch.url}` };
    const headers: Record<string, string> = {};
    if (launch.headers !== undefined) {
      if (!isObject(launch.headers)) return { problem: 'its launch headers are not an object' };
      for (const [name, value] of Object.entries(launch.headers)) {
        if (typeof value !== 'string') return { problem: `its launch header ${name} is not a string` };
        headers[name] = value;
      }
    }
    return { target: { kind: 'http', url, headers } };
  }
  return { problem: 'its launch has neither a command nor a url' };
}

/** The same launch as written: unchanged launches keep their sessions. */
export function launchKey(launch: ServedLaunch | unknown): string {
  return JSON.stringify(launch, (_key, value: unknown) => (isObject(value) && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : value));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
