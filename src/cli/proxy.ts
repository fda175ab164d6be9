// `mcp-warden proxy --policy P --server NAME [--audit FILE] [--listen 127.0.0.1:PORT]
//   [--approval-timeout SECONDS] [--max-frame-bytes N] [--trust-annotations]
//   (-- CMD [ARGS...] | --url URL [--header "K: V"]...)`
import { parseProxyTarget, runProxy, type ProxyConfig } from '../proxy/proxy-main';
import { parseCommandLine, UsageError } from './usage';

const USAGE = `usage: mcp-warden proxy --policy P --server NAME [--audit FILE] [--listen 127.0.0.1:PORT]
         [--approval-timeout SECONDS] [--max-frame-bytes N] [--trust-annotations]
         (-- CMD [ARGS...] | --url URL [--header "K: V"]...)`;

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
  return {
    policyFile: values.policy,
    server: values.server,
    auditFile: values.audit,
    listen: values.listen === undefined ? undefined : parseListen(values.listen),
    target,
    approvalTimeoutMs: values['approval-timeout'] === undefined ? undefined : positiveNumber('--approval-timeout', values['approval-timeout']) * 1000,
    maxFrameBytes: values['max-frame-bytes'] === undefined ? undefined : Math.floor(positiveNumber('--max-frame-bytes', values['max-frame-bytes'])),
    trustAnnotations: values['trust-annotations'] === true,
  };
}

function parseListen(text: string): { host: string; port: number } {
  const match = /^(?:(\[[^\]]+\]|[^:]+):)?(\d+)$/.exec(text);
  if (!match) throw new UsageError(`--listen takes HOST:PORT or PORT, e.g. 127.0.0.1:8080 (port 0 picks a free one)\n${USAGE}`);
  const port = Number(match[2]);
  if (port > 65535) throw new UsageError(`--listen: port ${port} is out of range`);
  return { host: (match[1] ?? '127.0.0.1').replace(/^\[|\]$/g, ''), port };
}

function positiveNumber(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`${flag} must be a positive number, got "${text}"`);
  return value;
}
