import { MemoryCatalogue } from '../../src/language/catalogue';
import { readMcpConfig } from '../../src/language/mcp-config';
import { PolicyDocuments, type PolicySnapshot } from '../../src/language/policy-documents';
import type { Position, ToolInfo } from '../../src/policy/model';

/** Joins lines, so YAML in tests keeps its indentation readable. */
export function yaml(...lines: string[]): string {
  return lines.join('\n') + '\n';
}

/** Text with the cursor written as `‸`: the text without it, and the cursor's position. */
export function cursor(textWithCursor: string): { text: string; position: Position } {
  const offset = textWithCursor.indexOf('‸');
  if (offset < 0) throw new Error('no ‸ cursor in the text');
  const before = textWithCursor.slice(0, offset);
  const line = before.split('\n').length - 1;
  const character = offset - (before.lastIndexOf('\n') + 1);
  return { text: before + textWithCursor.slice(offset + 1), position: { line, character } };
}

let version = 0;
export function snapshotOf(text: string, uri = 'file:///w/.vscode/mcp-policy.yaml'): PolicySnapshot {
  return new PolicyDocuments().get(uri, ++version, text);
}

export const MCP_JSON = `{
  // Servers of the test workspace
  "servers": {
    "security-agent": { "type": "stdio", "command": "npx", "args": ["-y", "security-agent-mcp"] },
    "github": { "url": "https://api.example.test/mcp", },
    "files": { "command": "node", "args": ["files.js"] }
  },
  "inputs": []
}`;

export const SECURITY_TOOLS: ToolInfo[] = [
  { name: 'list_findings', description: 'Lists the findings of the last scan.', annotations: { readOnlyHint: true, openWorldHint: false } },
  {
    name: 'delete_finding',
    description: 'Deletes a finding for good.',
    annotations: { destructiveHint: true },
    inputSchema: { type: 'object', required: ['finding_id'], properties: { finding_id: { type: 'string', description: 'The finding, e.g. F-12.' }, force: { type: 'boolean' } } },
  },
  { name: 'start_security_scan', description: 'Starts a scan of the repository.', inputSchema: { type: 'object', properties: { target: { type: 'string' }, depth: { type: 'integer', enum: [1, 2, 3] } } } },
  { name: 'stop_scan', description: 'Stops the running scan.' },
  { name: 'get_finding', description: 'Returns one finding.', annotations: { readOnlyHint: true, openWorldHint: false }, inputSchema: { type: 'object', properties: { finding_id: { type: 'string' } } } },
];

export const FILE_TOOLS: ToolInfo[] = [
  { name: 'read_file', description: 'Reads a file.', annotations: { readOnlyHint: true, openWorldHint: false } },
  { name: 'write_file', description: 'Writes a file.', annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false } },
  { name: 'run_command', description: 'Runs a shell command.', inputSchema: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] } },
];

/** The workspace's servers, with the tools of security-agent and files listed. */
export function testCatalogue(): MemoryCatalogue {
  const catalogue = new MemoryCatalogue();
  catalogue.setServers('workspace', readMcpConfig(MCP_JSON, 'file:///w/.vscode/mcp.json', 'workspace').servers);
  catalogue.setTools('security-agent', SECURITY_TOOLS, 'proxy');
  catalogue.setTools('files', FILE_TOOLS, 'discovery');
  return catalogue;
}
