// The HTTP listener's plain answers: JSON bodies, JSON-RPC errors, and refusals, which may close a
// connection whose body is not read without resetting it before the client has read the answer.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { ErrorCode, errorFrame, type Frame, type RequestId } from './jsonrpc';
import type { Refusal } from './listener-guard';

export function trimNewline(line: Buffer | string): string {
  const text = typeof line === 'string' ? line : line.toString('utf8');
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}

export function frameText(frame: Frame): string {
  return trimNewline(frame.line);
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function accepts(req: IncomingMessage, type: string): boolean {
  const accept = req.headers.accept;
  return accept === undefined || accept.includes(type) || accept.includes('*/*');
}

export function sendJson(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
}

export function sendJsonError(res: ServerResponse, status: number, id: RequestId | null, code: number, message: string): void {
  sendJson(res, status, trimNewline(errorFrame(id, code, message).line));
}

export function sendRefusal(res: ServerResponse, refusal: Refusal, code: number = ErrorCode.InvalidRequest): void {
  for (const [name, value] of Object.entries(refusal.headers ?? {})) res.setHeader(name, value);
  // A refusal that closes the connection does so even while the client is still sending: its body is not read.
  const socket = res.socket; // detached from the response by the time it has finished
  if (refusal.headers?.connection === 'close' && socket) {
    // Node ends a `connection: close` response with socket.destroySoon(), which destroys the socket as
    // soon as the answer is flushed: with the client's unread bytes still queued, that is a reset, and a
    // client still writing can see the reset before it reads the answer.
    socket.destroySoon = () => closeUnread(socket);
    res.once('finish', () => closeUnread(socket));
  }
  sendJsonError(res, refusal.status, null, code, refusal.message);
}

/** How long a refused connection may stay half-closed so that its client reads the answer. */
const REFUSED_LINGER_MS = 2000;

/**
 * Ends a connection whose request body is not read: reading stops, the answer goes out followed by a
 * FIN, and only later is the socket destroyed. Destroying it at once, with the client's unread bytes
 * in its receive buffer, makes the kernel reset the connection and drop the answer still queued.
 */
function closeUnread(socket: Socket): void {
  if (lingering.has(socket)) return;
  lingering.add(socket);
  socket.pause();
  socket.end();
  setTimeout(() => socket.destroy(), REFUSED_LINGER_MS).unref();
}

const lingering = new WeakSet<Socket>();
