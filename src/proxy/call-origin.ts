// Where a tools/call came from in the agent's client: VS Code puts the chat conversation, the chat request
// and the trace context in the call's `_meta`. The conversation is the session that `scope: session` rate
// limits and "allow for this session" count in (the connection's own session when there is none); all three
// go into the audit line and the editor's decision. Only short strings of visible ASCII are taken: anything
// else is ignored, as if absent.
import type { CallOrigin } from './control-protocol';

/** The longest id taken (VS Code's are UUIDs and a W3C traceparent, under 100 characters). */
export const MAX_ORIGIN_ID_LENGTH = 256;
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

export function callOrigin(params: unknown): CallOrigin {
  const meta = params && typeof params === 'object' ? (params as { _meta?: unknown })._meta : undefined;
  if (!meta || typeof meta !== 'object' || Array.isArray(meta)) return {};
  const fields = meta as Record<string, unknown>;
  const origin: CallOrigin = {};
  const conversation = idOf(fields['vscode.conversationId']);
  const request = idOf(fields['vscode.requestId']);
  const traceparent = idOf(fields.traceparent);
  if (conversation !== undefined) origin.conversation = conversation;
  if (request !== undefined) origin.request = request;
  if (traceparent !== undefined) origin.traceparent = traceparent;
  return origin;
}

/** The session a call counts in: its conversation when it names one, else the connection's session. */
export function countingSession(origin: CallOrigin, connectionSession: string): string {
  return origin.conversation === undefined ? connectionSession : `conversation:${origin.conversation}`;
}

function idOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= MAX_ORIGIN_ID_LENGTH && VISIBLE_ASCII.test(value) ? value : undefined;
}
