// The gateway as the tests run it: `dist/cli.js gateway` in a child process, its address and token read
// from its stderr (or, launched by a fake editor, from its hello), and SDK clients for its servers.
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CLI, requireBundle, stopChild } from '../proxy/helpers';

export interface Gateway {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** The token it printed; empty when it printed none (launched by the editor). */
  token: string;
  child: ChildProcess;
  stderr: () => string;
  close: () => Promise<void>;
}

/** `dist/cli.js gateway ARGS`, resolved once it says where it listens (within 15 s). */
export function startGateway(args: string[], env: Record<string, string> = {}): Promise<Gateway> {
  requireBundle();
  const child = spawn(process.execPath, [CLI, 'gateway', ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the gateway did not start listening:\n${stderr}`)), 15_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /gateway listening on (http:\/\/\S+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        const token = /bearer token for this gateway .*: (\S+)$/m.exec(stderr)?.[1] ?? '';
        resolve({ url: match[1], token, child, stderr: () => stderr, close: () => stopChild(child) });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the gateway exited (${code}):\n${stderr}`));
    });
  });
}

/** Runs the gateway to its exit: its code and stderr (for a gateway that must refuse to start). */
export function runGatewayToExit(args: string[]): Promise<{ code: number | null; stderr: string }> {
  requireBundle();
  const child = spawn(process.execPath, [CLI, 'gateway', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
}

export function serverUrl(gateway: { url: string }, name: string): URL {
  return new URL(`${gateway.url}/servers/${encodeURIComponent(name)}/mcp`);
}

/** An SDK client for one server of the gateway, with the token in its headers. */
export async function connectServer(gateway: { url: string }, name: string, token: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(serverUrl(gateway, name), { requestInit: { headers: { authorization: `Bearer ${token}` } } });
  const client = new Client({ name: 'warden-gateway-test', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

/** One raw HTTP request: status, headers and body. */
export function fetchRaw(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

export const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});

/** A POST of an initialize to one server of the gateway. */
export function initializeRaw(gateway: { url: string }, name: string, token: string) {
  return fetchRaw(serverUrl(gateway, name).href, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: INITIALIZE,
  });
}
