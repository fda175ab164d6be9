// The MCP SDK's client, built as its own file (dist/mcp-client.js) and required only when a discovery
// runs: with zod, it is a third of what the extension would otherwise compile at every activation.
export { Client } from '@modelcontextprotocol/sdk/client/index.js';
export { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
