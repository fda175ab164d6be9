// The description findings of a known tool, for its hover in the policy: what the agent reads in the
// tool's description, title and input schema that the user rarely does (src/pinning/findings.ts).
import { findingsFor } from '../pinning/findings';
import type { ToolInfo } from '../policy/model';

const LISTED = 8;

/** A Markdown section listing the findings (error and warning level), or '' when there are none; `siblings`: the server's tool names. */
export function findingsMarkdown(server: string, tool: ToolInfo, siblings: readonly string[] = []): string {
  const findings = findingsFor({ name: server, tools: [tool] }, { ownTools: siblings }).filter((finding) => finding.severity !== 'info');
  if (findings.length === 0) return '';
  const lines = findings.slice(0, LISTED).map((finding) => `- ⚠ \`${finding.code}\` (${finding.severity}) in ${codeSpan(finding.field)}: ${codeSpan(finding.excerpt)}`);
  if (findings.length > LISTED) lines.push(`- … and ${findings.length - LISTED} more`);
  return `**Description findings** — text aimed at the agent rather than the user:\n\n${lines.join('\n')}`;
}

/** Text from the server in a code span: backticks and line breaks cannot end it early. */
function codeSpan(text: string): string {
  return `\`${text.replace(/[`\r\n]/g, ' ').slice(0, 160)}\``;
}
