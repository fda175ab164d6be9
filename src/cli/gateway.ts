// `mcp-warden gateway --policy P --listen 127.0.0.1:PORT [LISTENER OPTIONS] [--audit FILE]
//   [--workspace-folder DIR] [--approval-timeout SECONDS] [--max-frame-bytes N] [--trust-annotations]`
import type { GatewayConfig } from '../gateway/gateway-main';
import type { IdentityConfig } from '../team/identity-config';
import { parseListener, positiveNumber } from './proxy';
import { parseCommandLine, UsageError } from './usage';

export const USAGE = `usage: mcp-warden gateway --policy P --listen 127.0.0.1:PORT [--audit FILE]
         [--token-file F] [--max-sessions N] [--session-idle-timeout SECONDS]
         [--max-inflight-bytes N] [--body-timeout SECONDS] [--workspace-folder DIR]
         [--approval-timeout SECONDS] [--max-frame-bytes N] [--trust-annotations]
         [--tokens FILE] [--oidc-issuer URL --oidc-audience AUD --jwks FILE|URL
          [--oidc-name-claim CLAIM] [--oidc-groups-claim CLAIM]] [--redis URL [--redis-timeout SECONDS]] [--public-host NAME]...`;

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
      tokens: { type: 'string' },
      'oidc-issuer': { type: 'string' },
      'oidc-audience': { type: 'string' },
      jwks: { type: 'string' },
      'oidc-name-claim': { type: 'string' },
      'oidc-groups-claim': { type: 'string' },
      redis: { type: 'string' },
      'redis-timeout': { type: 'string' },
      'public-host': { type: 'string', multiple: true },
    },
    USAGE,
  );
  if (command.length > 0) throw new UsageError(`the gateway starts the servers of the policy's launch entries; it takes no command after --\n${USAGE}`);
  if (!values.policy) throw new UsageError(`--policy is required\n${USAGE}`);
  if (values.listen === undefined) throw new UsageError(`--listen is required (e.g. --listen 127.0.0.1:0)\n${USAGE}`);
  const maxFrameBytes = values['max-frame-bytes'] === undefined ? undefined : Math.floor(positiveNumber('--max-frame-bytes', values['max-frame-bytes']));
  const identities = identityConfig(values);
  if (identities && values['token-file'] !== undefined) throw new UsageError(`--token-file is the one token of a gateway without identities; with --tokens or OIDC every caller has their own\n${USAGE}`);
  const config: GatewayConfig = {
    policyFile: values.policy,
    listen: parseListener(values, maxFrameBytes, USAGE, identities !== undefined)!,
    trustAnnotations: values['trust-annotations'] === true,
  };
  if (values.audit !== undefined) config.auditFile = values.audit;
  if (values['workspace-folder'] !== undefined) config.workspaceFolder = values['workspace-folder'];
  if (values['approval-timeout'] !== undefined) config.approvalTimeoutMs = positiveNumber('--approval-timeout', values['approval-timeout']) * 1000;
  if (maxFrameBytes !== undefined) config.maxFrameBytes = maxFrameBytes;
  if (identities) config.identities = identities;
  if (values.redis !== undefined) config.redisUrl = redisUrl(values.redis);
  if (values['public-host'] !== undefined) config.publicHosts = values['public-host'].map(publicHost);
  if (values['redis-timeout'] !== undefined) {
    if (values.redis === undefined) throw new UsageError(`--redis-timeout applies to --redis only\n${USAGE}`);
    config.redisTimeoutMs = positiveNumber('--redis-timeout', values['redis-timeout']) * 1000;
  }
  return config;
}

type IdentityValues = Partial<Record<'tokens' | 'oidc-issuer' | 'oidc-audience' | 'jwks' | 'oidc-name-claim' | 'oidc-groups-claim', string>>;

/** The identity options, all or none of OIDC's required ones; undefined without any. */
function identityConfig(values: IdentityValues): IdentityConfig | undefined {
  const config: IdentityConfig = {};
  if (values.tokens !== undefined) config.tokensFile = values.tokens;
  const oidcGiven = (['oidc-issuer', 'oidc-audience', 'jwks', 'oidc-name-claim', 'oidc-groups-claim'] as const).filter((k) => values[k] !== undefined);
  if (oidcGiven.length > 0) {
    const issuer = values['oidc-issuer'];
    const audience = values['oidc-audience'];
    if (issuer === undefined || audience === undefined) throw new UsageError(`OIDC needs both --oidc-issuer and --oidc-audience (given: ${oidcGiven.map((k) => `--${k}`).join(', ')})\n${USAGE}`);
    const jwks = values.jwks;
    if (jwks === undefined) throw new UsageError(`OIDC needs the issuer's keys: --jwks FILE or --jwks URL\n${USAGE}`);
    config.oidc = {
      issuer,
      audience,
      // A URL is fetched (https, or http on this machine); anything else is a file.
      ...(/^https?:\/\//i.test(jwks) ? { jwksUrl: jwks } : { jwksFile: jwks }),
      ...(values['oidc-name-claim'] !== undefined ? { nameClaim: values['oidc-name-claim'] } : {}),
      ...(values['oidc-groups-claim'] !== undefined ? { groupsClaim: values['oidc-groups-claim'] } : {}),
    };
  }
  return config.tokensFile !== undefined || config.oidc ? config : undefined;
}

/** A host name as a URL has it (no scheme, port or path): what Host and Origin are compared by. */
function publicHost(text: string): string {
  let hostname: string | undefined;
  try {
    hostname = new URL(`http://${text}`).hostname;
  } catch {
    hostname = undefined;
  }
  if (!hostname || hostname !== text.toLowerCase()) throw new UsageError(`--public-host takes a host name such as warden.example.com (no scheme, port or path), got "${text}"\n${USAGE}`);
  return hostname;
}

function redisUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--redis must be a URL such as redis://127.0.0.1:6379, got "${text}"\n${USAGE}`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new UsageError(`--redis must be a redis:// or rediss:// URL, got "${text}"\n${USAGE}`);
  return text;
}
