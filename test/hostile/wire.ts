// The proxy on each of its transports with nothing in between: raw text in from the client's side,
// what the client received out, what the server received (its own record) and the audit log. The
// client side is stdio or Streamable HTTP (--listen); the server is a child process over stdio or an
// HTTP server (--url). The servers here run a script: `handle(msg, send)` per message received, where
// `send(text)` writes one raw line back (over HTTP, an event of the open POST's stream).
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  auditLines,
  INITIALIZE,
  RECORDING,
  spawnRawProxy,
  startHttpProxy,
  startListening,
  tempDir,
  waitFor,
  writePolicy,
} from '../proxy/helpers';

export type Transport = 'stdio' | 'listen' | 'url';
export const TRANSPORTS: Transport[] = ['stdio', 'listen', 'url'];

/** A server script: the body of `function handle(msg, send, line)`; `TOOLS` is the recording server's kind of list. */
export type Script = string;

/** Answers like the recording fixture server: initialize, ping, tools/list, tools/call (echo, slow {ms}); notifications and responses ignored. */
export const RECORDING_SCRIPT: Script = `
  if (msg === null || Array.isArray(msg) || msg.id === undefined || msg.method === undefined) return;
  if (msg.method === 'initialize') return send(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: { protocolVersion: msg.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'scripted', version: '1' } } }));
  if (msg.method === 'tools/list') return send(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: { tools: TOOLS } }));
  if (msg.method === 'tools/call' && msg.params.name === 'slow') return setTimeout(() => send(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: { content: [{ type: 'text', text: 'waited ' + msg.params.arguments.ms + ' ms' }] } })), msg.params.arguments.ms);
  if (msg.method === 'tools/call') return send(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: { content: [{ type: 'text', text: 'Echo: ' + (msg.params.arguments || {}).message }] } }));
  send(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: {} }));
`;

const TOOLS = [
  { name: 'echo', description: 'Echo the message back', inputSchema: { type: 'object' }, annotations: { readOnlyHint: true } },
  { name: 'delete_everything', description: 'Delete every file in the workspace', inputSchema: { type: 'object' } },
  { name: 'secret_debug', description: 'Dump internal state', inputSchema: { type: 'object' } },
];

function prelude(record: string): string {
  return `
const fs = require('node:fs');
const TOOLS = ${JSON.stringify(TOOLS)};
const RECORD = ${JSON.stringify(record)};
const note = (line) => fs.appendFileSync(RECORD, line.replace(/\\n/g, ' ') + '\\n');
`;
}

/** The script as a stdio server: one line in, recorded, handled. */
function stdioServer(script: Script, record: string): string {
  return `${prelude(record)}
function handle(msg, send, line) { ${script} }
const send = (text) => process.stdout.write(text + '\\n');
let buffered = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffered += chunk;
  let newline;
  while ((newline = buffered.indexOf('\\n')) !== -1) {
    const line = buffered.slice(0, newline);
    buffered = buffered.slice(newline + 1);
    if (!line.trim()) continue;
    note(line);
    let msg;
    try { msg = JSON.parse(line); } catch { continue; }
    for (const one of Array.isArray(msg) ? msg : [msg]) handle(one, send, line);
  }
});
process.stdin.on('end', () => process.exit(0));
`;
}

/**
 * The script as a Streamable HTTP server: each POST body recorded; a POST with requests is answered
 * with an event stream that stays open until each of its requests has been answered.
 */
function httpServer(script: Script, record: string): string {
  return `${prelude(record)}
const http = require('node:http');
function handle(msg, send, line) { ${script} }
const streams = [];
// An answer goes on the stream of the POST that asked; anything else on the latest open stream.
const send = (text) => {
  let parsed;
  try { parsed = JSON.parse(text); } catch {}
  const key = parsed && parsed.method === undefined ? JSON.stringify(parsed.id) : undefined;
  const open = streams.find((s) => key !== undefined && s.waiting.has(key)) || streams[streams.length - 1];
  if (!open) return;
  open.res.write('event: message\\ndata: ' + text + '\\n\\n');
  if (key !== undefined && open.waiting.delete(key) && open.waiting.size === 0) {
    streams.splice(streams.indexOf(open), 1);
    open.res.end();
  }
};
http.createServer((req, res) => {
  if (req.method !== 'POST') return void res.writeHead(405).end();
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    note(body);
    let msg;
    try { msg = JSON.parse(body); } catch { return void res.writeHead(400).end(); }
    const all = Array.isArray(msg) ? msg : [msg];
    const requests = all.filter((m) => m && m.method !== undefined && m.id !== undefined);
    if (requests.length === 0) res.writeHead(202).end();
    else {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'mcp-session-id': 'scripted' });
      streams.push({ res, waiting: new Set(requests.map((m) => JSON.stringify(m.id))) });
    }
    for (const one of all) handle(one, send, body);
  });
}).listen(0, '127.0.0.1', function () { process.stderr.write('listening on http://127.0.0.1:' + this.address().port + '/mcp\\n'); });
`;
}

export interface WireOptions {
  policy: string;
  /** The server's script; the recording fixture server (stdio) or its likeness (url) when absent. */
  script?: Script;
  audit?: boolean;
  extraArgs?: string[];
  /** The client's capabilities in its initialize. */
  capabilities?: Record<string, unknown>;
  /** More environment for the proxy. */
  env?: Record<string, string>;
}

export interface Wire {
  transport: Transport;
  /** Sends raw text as one message: a line (stdio) or a POST body (listen). */
  send(text: string): Promise<void>;
  /** Sends without waiting for the POST to be taken (listen: a request that may never be answered). */
  post(text: string): void;
  /** Every message the client received, in order (batches flattened). */
  received: Record<string, unknown>[];
  /** The HTTP status of each POST (listen). */
  statuses: number[];
  /** Everything the client received, as the bytes came (what a first-key-wins parser would read). */
  rawReceived(): string;
  waitForId(id: unknown, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Everything the server received, as its raw lines or bodies. */
  serverRaw(): string;
  /** The server's received messages, parsed (batches flattened). */
  serverMessages(): Record<string, unknown>[];
  audit(): Record<string, unknown>[];
  stderr(): string;
  /** True while the proxy process runs. */
  alive(): boolean;
  /** A request the client sends and its answer; fails if no answer comes. */
  call(id: string, name: string, args?: Record<string, unknown>): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

/** The proxy on `transport`, initialised (initialize answered, initialized sent). */
export async function openWire(transport: Transport, options: WireOptions): Promise<Wire> {
  const tmp = tempDir();
  const record = join(tmp.dir, 'record.jsonl');
  const audit = join(tmp.dir, 'audit.jsonl');
  const policy = writePolicy(tmp.dir, options.policy);
  const stops: (() => Promise<void>)[] = [];
  const base = { policy, server: 'rec', audit: options.audit === false ? undefined : audit, env: { RECORD_FILE: record, ...options.env } };
  const upstreamArgs = (): string[] => (options.script === undefined ? [process.execPath, RECORDING] : [process.execPath, '-e', stdioServer(options.script, record)]);
  let send: (text: string) => Promise<void>;
  let received: Record<string, unknown>[];
  let stderr: () => string;
  let child: ChildProcess;
  const statuses: number[] = [];
  let raw = '';

  if (transport === 'listen') {
    const proxy = await startHttpProxy({ ...base, upstream: upstreamArgs(), extraArgs: options.extraArgs });
    stops.push(() => proxy.close());
    child = proxy.child;
    stderr = proxy.stderr;
    received = [];
    const auth = authHeaders(proxy);
    let session: string | undefined;
    send = async (text) => {
      const response = await fetch(proxy.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18', ...auth, ...(session ? { 'mcp-session-id': session } : {}) },
        body: text,
      });
      session ??= response.headers.get('mcp-session-id') ?? undefined;
      statuses.push(response.status);
      // The body is read on its own: a request the proxy never answers must not hold up the next one.
      const type = response.headers.get('content-type') ?? '';
      void response.text().then((body) => {
        raw += body + '\n';
        const texts = type.includes('text/event-stream') ? sseData(body) : body.trim() ? [body] : [];
        for (const one of texts) {
          const parsed = JSON.parse(one) as unknown;
          received.push(...((Array.isArray(parsed) ? parsed : [parsed]) as Record<string, unknown>[]));
        }
      }, () => undefined);
    };
  } else {
    let upstream = upstreamArgs();
    let extra = options.extraArgs ?? [];
    if (transport === 'url') {
      const server = await startListening('the scripted HTTP server', ['-e', httpServer(options.script ?? RECORDING_SCRIPT, record)]);
      stops.push(() => server.close());
      upstream = [];
      extra = [...extra, '--url', server.url.href];
    }
    const proxy = spawnRawProxy({ ...base, upstream, extraArgs: extra });
    stops.unshift(() => proxy.close());
    child = proxy.child;
    stderr = proxy.stderr;
    received = proxy.received;
    proxy.child.stdout!.on('data', (chunk: string | Buffer) => (raw += chunk.toString()));
    send = async (text) => proxy.write(text + '\n');
  }

  const waitForId = async (id: unknown, timeoutMs = 10_000): Promise<Record<string, unknown>> => {
    let found: Record<string, unknown> | undefined;
    await waitFor(() => (found = received.find((m) => m.id === id && !('method' in m))) !== undefined, timeoutMs, `the answer to ${JSON.stringify(id)}\n${stderr()}`);
    return found!;
  };
  const serverRaw = (): string => (existsSync(record) ? readFileSync(record, 'utf8') : '');
  const wire: Wire = {
    transport,
    send,
    post: (text) => void send(text).catch(() => undefined),
    received,
    statuses,
    rawReceived: () => raw,
    waitForId,
    serverRaw,
    serverMessages: () =>
      serverRaw()
        .split('\n')
        .filter((line) => line.trim())
        .flatMap((line) => {
          try {
            const parsed = JSON.parse(line) as unknown;
            return (Array.isArray(parsed) ? parsed : [parsed]) as Record<string, unknown>[];
          } catch {
            return [];
          }
        }),
    audit: () => (existsSync(audit) ? auditLines(audit) : []),
    stderr: () => stderr(),
    alive: () => child.exitCode === null && child.signalCode === null,
    call: async (id, name, args = {}) => {
      await send(JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } }));
      return waitForId(id);
    },
    close: async () => {
      for (const stop of stops) await stop().catch(() => undefined);
      tmp.cleanup();
    },
  };
  try {
    const init = { ...INITIALIZE, params: { ...INITIALIZE.params, capabilities: options.capabilities ?? {} } };
    await send(JSON.stringify({ jsonrpc: '2.0', id: 'init', ...init }));
    await waitForId('init', 15_000);
    await send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
  } catch (error) {
    await wire.close();
    throw error;
  }
  return wire;
}

/** The bearer token a listening proxy asks for, when it asks for one. */
function authHeaders(proxy: object): Record<string, string> {
  const token = (proxy as { token?: unknown }).token;
  return typeof token === 'string' ? { authorization: `Bearer ${token}` } : {};
}

function sseData(body: string): string[] {
  return body
    .split(/\r?\n\r?\n/)
    .map((event) =>
      event
        .split(/\r?\n/)
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).replace(/^ /, ''))
        .join('\n'),
    )
    .filter((data) => data.trim() !== '');
}

/** Runs `body` with a wire on each transport, closing it after. */
export function onEach(transports: Transport[], options: WireOptions, body: (wire: Wire) => Promise<void>): Promise<void>[] {
  return transports.map(async (transport) => {
    const wire = await openWire(transport, options);
    try {
      await body(wire);
    } finally {
      await wire.close();
    }
  });
}

/** The audit lines of refusals that never asked the policy. */
export function refusals(wire: Wire): Record<string, unknown>[] {
  return wire.audit().filter((line) => typeof line.reason === 'string' && line.reason.startsWith('refused without asking the policy'));
}

/** Waits until the server has received a line that satisfies `check` (a sentinel sent after the case). */
export async function waitForServer(wire: Wire, check: (raw: string) => boolean, what: string): Promise<void> {
  await waitFor(() => check(wire.serverRaw()), 10_000, what);
}

