// The environment an upstream server starts with: the proxy's own, less what is the proxy's alone.
// The control channel's socket and token would let the server talk to the editor as if it were
// Warden (fake approval prompts, tool lists, decisions); ELECTRON_RUN_AS_NODE is how the editor runs
// the proxy, not something the server asked for.
import { CONTROL_SOCKET_ENV, CONTROL_TOKEN_ENV } from './control-protocol';

const PROXY_ONLY = [CONTROL_SOCKET_ENV, CONTROL_TOKEN_ENV, 'ELECTRON_RUN_AS_NODE'];

export function upstreamEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const result: NodeJS.ProcessEnv = { ...env };
  for (const name of PROXY_ONLY) delete result[name];
  return result;
}
