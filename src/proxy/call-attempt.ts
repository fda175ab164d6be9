// What a server could run as a tool call. Only a well-formed `tools/call` request is decided by the
// policy; anything else that a lenient server might still take for one (sent as a notification, the
// method spelled in another case, with spaces or look-alike characters, positional params, an id it
// cannot answer) is refused: never forwarded, and audited as refused.
import type { Frame, JsonRpcMessage, RequestId } from './jsonrpc';

export const TOOLS_CALL = 'tools/call';

/** A call that is refused without asking the policy: what it names, and why. */
export interface RefusedCall {
  tool: string;
  args: unknown;
  why: string;
}

/**
 * True when a server that folds case, trims, drops separators or normalises Unicode could read
 * `method` as `tools/call`.
 */
export function readsAsToolCall(method: string): boolean {
  if (method === TOOLS_CALL) return true;
  return method.normalize('NFKC').toLowerCase().replace(/[^a-z0-9]/g, '') === 'toolscall';
}

/**
 * For a client message that reads as a tool call: undefined when it is a well-formed `tools/call`
 * request for the policy to decide, else the refusal. Messages that do not read as a call: undefined.
 */
export function refusedCall(frame: Frame, inFlight: (id: RequestId) => boolean): RefusedCall | undefined {
  const msg = frame.msg;
  if (msg.method === undefined || !readsAsToolCall(msg.method)) return undefined;
  const { tool, args } = namedIn(msg.params);
  const refuse = (why: string): RefusedCall => ({ tool, args, why });
  if (msg.method !== TOOLS_CALL) return refuse(`the method ${JSON.stringify(msg.method)} is not exactly "${TOOLS_CALL}"`);
  if (frame.kind !== 'request') return refuse('a tools/call sent as a notification (without an id) cannot be decided and answered');
  if (!msg.params || Array.isArray(msg.params)) return refuse('tools/call needs "params", an object');
  if (typeof (msg.params as { name?: unknown }).name !== 'string') return refuse('tools/call needs "params.name", a string');
  if (inFlight(msg.id as RequestId)) return refuse(`a request with the id ${JSON.stringify(msg.id)} is still in flight`);
  return undefined;
}

/**
 * For a message the parser refused (bad id, bad params, too deep...): the call it attempted, when it
 * has a member that reads as "method" and names a tool call.
 */
export function attemptedCall(value: unknown, why: string): RefusedCall | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const msg = value as Record<string, unknown>;
  for (const key of Object.keys(msg)) {
    const method = msg[key];
    if (typeof method !== 'string' || key.trim().toLowerCase() !== 'method' || !readsAsToolCall(method)) continue;
    return { ...namedIn(msg.params), why };
  }
  return undefined;
}

/** The tool and arguments a call names, by name or by position. */
function namedIn(params: JsonRpcMessage['params'] | unknown): { tool: string; args: unknown } {
  if (Array.isArray(params)) return { tool: typeof params[0] === 'string' ? params[0] : '', args: params };
  if (!params || typeof params !== 'object') return { tool: '', args: params };
  const { name, arguments: args } = params as { name?: unknown; arguments?: unknown };
  return { tool: typeof name === 'string' ? name : '', args };
}
