// The variables the editor sets for a protected server reach the proxy in one variable,
// MCP_WARDEN_SERVER_ENV (a JSON object: a string sets a variable, null unsets it), never as the proxy's
// own environment: the entry's `envFile` is a workspace file no approval covers, and NODE_OPTIONS or
// LD_PRELOAD set there would otherwise run code inside Warden's process. The proxy applies them to the
// environment of the server it starts, and to nothing else.
export const SERVER_ENV_VAR = 'MCP_WARDEN_SERVER_ENV';

/** The carrier for `variables` (empty when there are none). */
export function carriedServerEnv(variables: Record<string, string | null>): Record<string, string> {
  return Object.keys(variables).length === 0 ? {} : { [SERVER_ENV_VAR]: JSON.stringify(variables) };
}

/**
 * Takes the carrier out of `env` and returns the server's environment: `env` with the carried variables
 * applied; undefined without a carrier. Throws with the reason when the carrier is not such an object.
 */
export function takeServerEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv | undefined {
  const carried = env[SERVER_ENV_VAR];
  if (carried === undefined) return undefined;
  delete env[SERVER_ENV_VAR];
  let variables: unknown;
  try {
    variables = JSON.parse(carried);
  } catch {
    throw new Error(`${SERVER_ENV_VAR} is not JSON`);
  }
  if (typeof variables !== 'object' || variables === null || Array.isArray(variables)) throw new Error(`${SERVER_ENV_VAR} is not a JSON object`);
  const result: NodeJS.ProcessEnv = { ...env };
  for (const [name, value] of Object.entries(variables)) {
    if (value === null) delete result[name];
    else if (typeof value === 'string') result[name] = value;
    else throw new Error(`${SERVER_ENV_VAR}: the value of ${name} is not a string or null`);
  }
  return result;
}
