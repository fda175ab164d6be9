// The environment an upstream server starts with: the proxy's own, less what is the proxy's alone.
// The control channel's ticket is burnt before the server starts (and /proc/<proxy pid>/environ shows
// it anyway), so this is hygiene, not the protection: the server is not handed the channel's socket
// or ticket. ELECTRON_RUN_AS_NODE is how the editor runs the proxy, not something the server asked for.
import { CONTROL_SOCKET_ENV, CONTROL_TICKET_ENV } from './control-protocol';

const PROXY_ONLY = [CONTROL_SOCKET_ENV, CONTROL_TICKET_ENV, 'ELECTRON_RUN_AS_NODE'];

export function upstreamEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const result: NodeJS.ProcessEnv = { ...env };
  for (const name of PROXY_ONLY) delete result[name];
  return result;
}
