// Shared parts of the proxy tests: paths of the bundle and the real servers, temporary policies, and
// SDK clients connected through `dist/cli.js proxy` over stdio or Streamable HTTP.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { ClientCapabilities, JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

export const ROOT = resolve(__dirname, '../../..');
export const CLI = join(ROOT, 'dist', 'cli.js');
export const EVERYTHING = join(ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
export const FILESYSTEM = join(ROOT, 'node_modules/@modelcontextprotocol/server-filesystem/dist/index.js');
export const RECORDING = join(ROOT, 'test/fixtures/recording-server.js');
export const SCANNER = join(ROOT, 'test/fixtures/security-scanner.js');

export function requireBundle(): void {
  assert.ok(existsSync(CLI), `${CLI} is missing: run \`node scripts/build.mjs\` before the proxy tests`);
}

/** A fresh directory, removed by `cleanup`. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'warden-proxy-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function yaml(...lines: string[]): string {
  return lines.join('\n') + '\n';
}

export function writePolicy(dir: string, text: string, name = 'policy.yaml'): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/**
 * The lines the recording server received, parsed. Only whole lines count: read while the server is
 * still appending a long one, the file ends in part of it.
 */
export function recorded(file: string): { method?: string; params?: { name?: string; arguments?: unknown }; id?: unknown }[] {
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.pop(); // '' after the last newline, or a line not yet written whole
  return lines
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as { method?: string });
}

export function recordedCalls(file: string): string[] {
  return recorded(file)
    .filter((m) => m.method === 'tools/call')
    .map((m) => m.params!.name!);
}

export function auditLines(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

export interface ProxyOptions {
  policy: string;
  server: string;
  upstream: string[];
  audit?: string;
  extraArgs?: string[];
  env?: Record<string, string>;
}

export function proxyArgs(options: ProxyOptions): string[] {
  return [
    CLI,
    'proxy',
    '--policy',
    options.policy,
    '--server',
    options.server,
    ...(options.audit ? ['--audit', options.audit] : []),
    ...(options.extraArgs ?? []),
    ...(options.upstream.length > 0 ? ['--', ...options.upstream] : []),
  ];
}

export interface Connected {
  client: Client;
  transport: Transport;
  stderr: () => string;
  pid: number | null;
  close: () => Promise<void>;
}

/** An SDK client talking to the proxy over stdio. */
export async function connectStdio(options: ProxyOptions, capabilities: ClientCapabilities = {}): Promise<Connected> {
  requireBundle();
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: proxyArgs(options),
    env: { ...(process.env as Record<string, string>), ...options.env },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: 'warden-test', version: '1.0.0' }, { capabilities });
  await client.connect(transport);
  return { client, transport, stderr: () => stderr, pid: transport.pid, close: () => client.close() };
}

/** A child process that serves MCP over HTTP at `url`. */
export interface ListeningServer {
  url: URL;
  child: ChildProcess;
  stderr: () => string;
  close: () => Promise<void>;
}

/** The proxy listening over HTTP, with the bearer token its requests need. */
export type HttpProxy = ListeningServer & { token: string; auth: { authorization: string } };

/** The proxy with `--listen 127.0.0.1:0`; resolves once it says where it listens, with the token it printed. */
export async function startHttpProxy(options: ProxyOptions): Promise<HttpProxy> {
  requireBundle();
  const args = proxyArgs({ ...options, extraArgs: ['--listen', '127.0.0.1:0', ...(options.extraArgs ?? [])] });
  const server = await startListening('the proxy', args, options.env);
  const token = /bearer token for this listener .*: (\S+)$/m.exec(server.stderr())?.[1];
  if (!token) {
    await server.close();
    throw new Error(`the proxy printed no bearer token:\n${server.stderr()}`);
  }
  return { ...server, token, auth: { authorization: `Bearer ${token}` } };
}

/** `node ARGS`, resolved once it prints `listening on http://…/mcp` on stderr (within 15 s). */
export function startListening(what: string, args: string[], env: Record<string, string> = {}): Promise<ListeningServer> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start listening:\n${stderr}`)), 15_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /listening on (http:\/\/\S+\/mcp)/.exec(stderr);
      if (match && timer) {
        clearTimeout(timer);
        resolvePromise({ url: new URL(match[1]), child, stderr: () => stderr, close: () => stopChild(child) });
      }
    });
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}):\n${stderr}`)));
  });
}

/** SIGTERM, then SIGKILL after a grace period; resolves when the process is gone. */
export function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(kill);
      resolvePromise();
    });
    child.kill('SIGTERM');
  });
}

/** An SDK client over Streamable HTTP: to a proxy (with its token), or to a bare URL. */
export async function connectHttp(to: URL | HttpProxy, capabilities: ClientCapabilities = {}): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = to instanceof URL ? new StreamableHTTPClientTransport(to) : new StreamableHTTPClientTransport(to.url, { requestInit: { headers: to.auth } });
  const client = new Client({ name: 'warden-test', version: '1.0.0' }, { capabilities });
  await client.connect(transport);
  return { client, transport };
}

/** The text of a tool result's first content item. */
export function textOf(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content[0]?.text ?? '';
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitFor(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Records every message the client's transport receives, before the SDK handles it. (The SDK runs
 * notification handlers a microtask late, so it can drop the last progress notification of a call
 * whose answer follows at once; the wire is the honest witness.)
 */
export function tapIncoming(transport: Transport): JSONRPCMessage[] {
  const seen: JSONRPCMessage[] = [];
  const original = transport.onmessage!;
  transport.onmessage = (message, extra) => {
    seen.push(message);
    original.call(transport, message, extra);
  };
  return seen;
}

export interface RawProxy {
  child: ChildProcess;
  /** Writes text as is (add the newline yourself). */
  write: (text: string | Buffer) => void;
  request: (message: Record<string, unknown>) => void;
  /** Every JSON message the proxy wrote to stdout, in order. */
  received: Record<string, unknown>[];
  waitForId: (id: unknown, timeoutMs?: number) => Promise<Record<string, unknown>>;
  stderr: () => string;
  close: () => Promise<void>;
}

/** The proxy over stdio with no client library in between: for malformed input and crash tests. */
export function spawnRawProxy(options: ProxyOptions): RawProxy {
  requireBundle();
  return rawProxyOver(spawn(process.execPath, proxyArgs(options), { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...options.env } }));
}

/** A RawProxy over a proxy process started elsewhere (with its stdio piped). */
export function rawProxyOver(child: ChildProcess): RawProxy {
  const received: Record<string, unknown>[] = [];
  let stderr = '';
  let buffered = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    buffered += chunk;
    let newline: number;
    while ((newline = buffered.indexOf('\n')) !== -1) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (line.trim()) received.push(JSON.parse(line) as Record<string, unknown>);
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin!.on('error', () => undefined);
  const write = (text: string | Buffer): void => {
    child.stdin!.write(text);
  };
  return {
    child,
    write,
    request: (message) => write(JSON.stringify({ jsonrpc: '2.0', ...message }) + '\n'),
    received,
    waitForId: async (id, timeoutMs = 10_000) => {
      let found: Record<string, unknown> | undefined;
      await waitFor(() => (found = received.find((m) => m.id === id && !('method' in m))) !== undefined, timeoutMs, `the answer to ${JSON.stringify(id)}:\n${stderr}`);
      return found!;
    },
    stderr: () => stderr,
    close: async () => {
      child.stdin!.end();
      await waitFor(() => child.exitCode !== null || child.signalCode !== null, 4000, 'the proxy to exit').catch(() => undefined);
      await stopChild(child);
    },
  };
}

export const INITIALIZE = {
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw-test', version: '1' } },
};

/** A port that was free a moment ago, on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolvePromise(port));
    });
  });
}

/** server-everything over HTTP (`streamableHttp` or `sse`) on a free port; resolves once it answers. */
export async function startEverythingHttp(mode: 'streamableHttp' | 'sse'): Promise<{ port: number; child: ChildProcess; close: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [EVERYTHING, mode], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PORT: String(port) } });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(500) });
      break;
    } catch {
      if (Date.now() > deadline || child.exitCode !== null) {
        child.kill('SIGKILL');
        throw new Error(`server-everything ${mode} did not start:\n${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return { port, child, close: () => stopChild(child) };
}

/** A TCP relay in front of `target` whose connections the test can cut, and that notes each request head. */
export async function cuttableRelay(target: URL): Promise<{ url: URL; cut: () => void; heads: string[]; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const heads: string[] = [];
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.on('data', (chunk: Buffer) => {
      const text = chunk.toString('latin1');
      if (/^(GET|POST|DELETE) /.test(text)) heads.push(text.slice(0, text.indexOf('\r\n\r\n')));
    });
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: new URL(`http://127.0.0.1:${port}${target.pathname}`),
    heads,
    cut: () => {
      for (const socket of sockets) socket.destroy();
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
