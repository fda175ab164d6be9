// `mcp-warden gateway --policy P --listen 127.0.0.1:PORT [LISTENER OPTIONS] [--audit FILE]
//   [--workspace-folder DIR] [--approval-timeout SECONDS] [--max-frame-bytes N] [--trust-annotations]`
import type { GatewayConfig } from '../gateway/gateway-main';
import { parseListener, positiveNumber } from './proxy';
import { parseCommandLine, UsageError } from './usage';

export const USAGE = `usage: mcp-warden gateway --policy P --listen 127.0.0.1:PORT [--audit FILE]
         [--token-file F] [--max-sessions N] [--session-idle-timeout SECONDS]
         [--max-inflight-bytes N] [--body-timeout SECONDS] [--workspace-folder DIR]
         [--approval-timeout SECONDS] [--max-frame-bytes N] [--trust-annotations]`;

export function runGatewayCommand(argv: string[]): Promise<number> {
  const config = parseGatewayArgs(argv);
  // Loaded only for this command, so the other commands start without it.
  const { runGateway } = require('../gateway/gateway-main') as typeof import('../gateway/gateway-main');
  return runGateway(config);
}

export function parseGatewayArgs(argv: string[]): GatewayConfig {
  const { values, command } = parseCommandLine(
    argv,
    {
      policy: { type: 'string' },
      audit: { type: 'string' },
      listen: { type: 'string' },
      'token-file': { type: 'string' },
      'max-sessions': { type: 'string' },
      'session-idle-timeout': { type: 'string' },
      'max-inflight-bytes': { type: 'string' },
      'body-timeout': { type: 'string' },
      'workspace-folder': { type: 'string' },
      'approval-timeout': { type: 'string' },
      'max-frame-bytes': { type: 'string' },
      'trust-annotations': { type: 'boolean' },
    },
    USAGE,
  );
  if (command.length > 0) throw new UsageError(`the gateway starts the servers of the policy's launch entries; it takes no command after --\n${USAGE}`);
  if (!values.policy) throw new UsageError(`--policy is required\n${USAGE}`);
  if (values.listen === undefined) throw new UsageError(`--listen is required (e.g. --listen 127.0.0.1:0)\n${USAGE}`);
  const maxFrameBytes = values['max-frame-bytes'] === undefined ? undefined : Math.floor(positiveNumber('--max-frame-bytes', values['max-frame-bytes']));
  const config: GatewayConfig = {
    policyFile: values.policy,
    listen: parseListener(values, maxFrameBytes, USAGE)!,
    trustAnnotations: values['trust-annotations'] === true,
  };
  if (values.audit !== undefined) config.auditFile = values.audit;
  if (values['workspace-folder'] !== undefined) config.workspaceFolder = values['workspace-folder'];
  if (values['approval-timeout'] !== undefined) config.approvalTimeoutMs = positiveNumber('--approval-timeout', values['approval-timeout']) * 1000;
  if (maxFrameBytes !== undefined) config.maxFrameBytes = maxFrameBytes;
  return config;
}
