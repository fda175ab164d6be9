// A minimal MCP client for `mcp-warden tools`, `pin` and `scan`: initialise a server, page through tools/list, close.
// It reuses the proxy's upstream transports, so stdio, Streamable HTTP and legacy SSE all work.
import type { ToolInfo } from '../policy/model';
import { isTool } from './interception';
import { frameOf, type JsonRpcMessage, type RequestId } from './jsonrpc';
import type { Upstream } from './upstream';

const PROTOCOL_VERSION = '2025-06-18';

export async function listServerTools(upstream: Upstream, clientVersion: string, timeoutMs = 30_000): Promise<ToolInfo[]> {
  return (await listServerDefinitions(upstream, clientVersion, timeoutMs)).tools;
}

/** What a server lists: its info and instructions (from initialize) and every page of its tools. */
export interface ServerListing {
  serverInfo?: unknown;
  instructions?: unknown;
  tools: ToolInfo[];
}

export async function listServerDefinitions(upstream: Upstream, clientVersion: string, timeoutMs = 30_000): Promise<ServerListing> {
  const waiting = new Map<RequestId, (msg: JsonRpcMessage) => void>();
  let closedBecause: string | undefined;
  let failAll: (reason: string) => void = () => undefined;
  upstream.onmessage = (frame) => {
    if (frame.kind !== 'response') return;
    const resolve = waiting.get(frame.msg.id as RequestId);
    waiting.delete(frame.msg.id as RequestId);
    resolve?.(frame.msg);
  };
  upstream.onclose = (reason) => {
    closedBecause = reason;
    failAll(reason);
  };
  let nextId = 1;
  const request = (method: string, params: Record<string, unknown>): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      if (closedBecause) return reject(new Error(`the server ${closedBecause}`));
      const id = nextId++;
      const timer = setTimeout(() => reject(new Error(`the server did not answer ${method} within ${timeoutMs / 1000} s`)), timeoutMs);
      failAll = (reason) => {
        clearTimeout(timer);
        reject(new Error(`the server ${reason}`));
      };
      waiting.set(id, (msg) => {
        clearTimeout(timer);
        if (msg.error) reject(new Error(`${method} failed: ${msg.error.message}`));
        else resolve((msg.result ?? {}) as Record<string, unknown>);
      });
      upstream.send(frameOf({ jsonrpc: '2.0', id, method, params }));
    });

  await upstream.start();
  try {
    const initialized = await request('initialize', { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'mcp-warden', version: clientVersion } });
    upstream.send(frameOf({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    const tools: ToolInfo[] = [];
    let cursor: string | undefined;
    do {
      const page = await request('tools/list', cursor ? { cursor } : {});
      if (Array.isArray(page.tools)) tools.push(...page.tools.filter(isTool));
      cursor = typeof page.nextCursor === 'string' && page.nextCursor ? page.nextCursor : undefined;
    } while (cursor);
    return { serverInfo: initialized.serverInfo, instructions: initialized.instructions, tools };
  } finally {
    await upstream.close();
  }
}
