// `mcp-warden proxy --policy P --server NAME [--audit FILE] [--listen 127.0.0.1:PORT [LISTENER OPTIONS]]
//   [--approval-timeout SECONDS] [--max-frame-bytes N] [--trust-annotations]
//   (-- CMD [ARGS...] | --url URL [--header "K: V"]...)`
import { DEFAULT_MAX_FRAME_BYTES } from '../proxy/framing';
import { isLoopbackHost } from '../proxy/listener-guard';
import { parseProxyTarget, runProxy, type ListenConfig, type ProxyConfig } from '../proxy/proxy-main';
import { parseCommandLine, UsageError } from './usage';

export const USAGE = `usage: mcp-warden proxy --policy P --server NAME [--audit FILE] [--listen 127.0.0.1:PORT]
         [--token-file F] [--max-sessions N] [--session-idle-timeout SECONDS]
         [--max-inflight-bytes N] [--body-timeout SECONDS]
         [--approval-timeout SECONDS] [--max-frame-bytes N] [--trust-annotations]
         (-- CMD [ARGS...] | --url URL [--header "K: V"]...)`;
const LISTENER_OPTIONS = ['token-file', 'max-sessions', 'session-idle-timeout', 'max-inflight-bytes', 'body-timeout'] as const;

export function runProxyCommand(argv: string[]): Promise<number> {
  return runProxy(parseProxyArgs(argv));
}

export function parseProxyArgs(argv: string[]): ProxyConfig {
  const { values, command } = parseCommandLine(
    argv,
    {
      policy: { type: 'string' },
      server: { type: 'string' },
      audit: { type: 'string' },
      listen: { type: 'string' },
      'token-file': { type: 'string' },
      'max-sessions': { type: 'string' },
      'session-idle-timeout': { type: 'string' },
      'max-inflight-bytes': { type: 'string' },
      'body-timeout': { type: 'string' },
      url: { type: 'string' },
      header: { type: 'string', multiple: true },
      'approval-timeout': { type: 'string' },
      'max-frame-bytes': { type: 'string' },
      'trust-annotations': { type: 'boolean' },
    },
    USAGE,
  );
  if (!values.policy) throw new UsageError(`--policy is required\n${USAGE}`);
  if (!values.server) throw new UsageError(`--server is required\n${USAGE}`);
  const target = parseProxyTarget(command, values.url, values.header ?? [], (message) => new UsageError(`${message}\n${USAGE}`));
  const maxFrameBytes = values['max-frame-bytes'] === undefined ? undefined : Math.floor(positiveNumber('--max-frame-bytes', values['max-frame-bytes']));
  return {
    policyFile: values.policy,
    server: values.server,
    auditFile: values.audit,
    listen: parseListener(values, maxFrameBytes, USAGE),
    target,
    approvalTimeoutMs: values['approval-timeout'] === undefined ? undefined : positiveNumber('--approval-timeout', values['approval-timeout']) * 1000,
    maxFrameBytes,
    trustAnnotations: values['trust-annotations'] === true,
  };
}

type ListenerValues = { listen?: string } & { [K in (typeof LISTENER_OPTIONS)[number]]?: string };

/**
 * `--listen` and the options that bound the listener (shared with `gateway`, whose `usage` is given).
 * `identified`: every request needs a team identity (the gateway's --tokens or OIDC), so no listener token is printed.
 */
export function parseListener(values: ListenerValues, maxFrameBytes: number | undefined, usage: string, identified = false): ListenConfig | undefined {
  if (values.listen === undefined) {
    const stray = LISTENER_OPTIONS.find((name) => values[name] !== undefined);
    if (stray) throw new UsageError(`--${stray} applies to --listen only\n${usage}`);
    return undefined;
  }
  const { host, port } = parseListen(values.listen, usage);
  const tokenFile = values['token-file'];
  // A token printed on stderr is fine for a client on this machine; another machine needs a file kept for it.
  if (!isLoopbackHost(host) && tokenFile === undefined && !identified) {
    throw new UsageError(`--listen on ${host}, which is not a loopback address, needs --token-file: the token must come from a file you keep, not from the proxy's stderr`);
  }
  const listen: ListenConfig = { host, port };
  if (tokenFile !== undefined) listen.tokenFile = tokenFile;
  if (values['max-sessions'] !== undefined) listen.maxSessions = wholeNumber('--max-sessions', values['max-sessions']);
  if (values['session-idle-timeout'] !== undefined) listen.sessionIdleMs = positiveNumber('--session-idle-timeout', values['session-idle-timeout']) * 1000;
  if (values['body-timeout'] !== undefined) listen.bodyTimeoutMs = positiveNumber('--body-timeout', values['body-timeout']) * 1000;
  if (values['max-inflight-bytes'] !== undefined) {
    listen.maxInflightBytes = wholeNumber('--max-inflight-bytes', values['max-inflight-bytes']);
    const frame = maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    if (listen.maxInflightBytes < frame) throw new UsageError(`--max-inflight-bytes (${listen.maxInflightBytes}) must be at least the largest message (--max-frame-bytes, ${frame})`);
  }
  return listen;
}

function wholeNumber(flag: string, text: string): number {
  const value = positiveNumber(flag, text);
  if (!Number.isInteger(value)) throw new UsageError(`${flag} must be a whole number, got "${text}"`);
  return value;
}

function parseListen(text: string, usage: string): { host: string; port: number } {
  const match = /^(?:(\[[^\]]+\]|[^:]+):)?(\d+)$/.exec(text);
  if (!match) throw new UsageError(`--listen takes HOST:PORT or PORT, e.g. 127.0.0.1:8080 (port 0 picks a free one)\n${usage}`);
  const port = Number(match[2]);
  if (port > 65535) throw new UsageError(`--listen: port ${port} is out of range`);
  return { host: (match[1] ?? '127.0.0.1').replace(/^\[|\]$/g, ''), port };
}

export function positiveNumber(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`${flag} must be a positive number, got "${text}"`);
  return value;
}
