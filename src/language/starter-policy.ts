// A commented starter policy written from the servers and tools Warden knows: destructive tools denied
// (critical) or asked, execute tools asked and rate-limited, everything else left to the default and
// listed in a comment, and servers whose tools are unknown asking for every call until they are known.
import type { RiskAssessment, ToolInfo } from '../policy/model';
import type { CataloguedTool, ServerInfo, ToolCatalogue } from './catalogue';
import { firstSentence } from './policy-schema';
import { riskLabel, riskSourceText } from './tool-docs';
import { yamlKey } from './yaml-text';

const HEADER = [
  '# MCP Warden policy: decides every tool call an agent makes through a protected MCP server.',
  '# Written by "MCP Warden: Create Policy" from the servers and tools Warden knew; edit freely.',
  '# Hover any key for its meaning. For a call, an exact tool name beats a glob, the more specific',
  "# glob beats the less, and when no rule matches the server's default decides, then the top-level one.",
  'version: 1',
  'default: allow          # when no rule matches: allow | ask | deny',
  '',
];

const EXAMPLE = [
  'servers: {}',
  '  # my-server:          # the server\'s name as in .vscode/mcp.json',
  '  #   default: ask',
  '  #   tools:',
  '  #     delete_*:',
  '  #       action: deny',
  '  #       reason: Deleting is not for agents.',
];

type Treatment = { action: 'deny' | 'ask'; reason: string; rateLimit: boolean };

function treatmentOf(risk: RiskAssessment): Treatment | undefined {
  if (risk.category === 'destructive') {
    return risk.level === 'critical'
      ? { action: 'deny', reason: 'Destructive and cannot be undone: not for an agent to do.', rateLimit: false }
      : { action: 'ask', reason: 'Destructive: a person approves each call.', rateLimit: false };
  }
  if (risk.category === 'execute') return { action: 'ask', reason: 'Runs something: a person approves each call.', rateLimit: true };
  return undefined;
}

export function starterPolicy(catalogue: ToolCatalogue): string {
  const servers = [...catalogue.servers()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (servers.length === 0) return [...HEADER, ...EXAMPLE].join('\n') + '\n';
  const lines = [...HEADER, 'servers:'];
  for (const server of servers) lines.push(...serverLines(server, catalogue));
  return lines.join('\n') + '\n';
}

function serverLines(server: ServerInfo, catalogue: ToolCatalogue): string[] {
  const key = `  ${yamlKey(server.name)}:`;
  const where = server.source.origin === 'seen' ? 'seen by Warden' : `from the ${server.source.origin === 'workspace' ? "workspace's" : "user's"} mcp.json`;
  const transport = server.transport ? `${server.transport}, ` : '';
  if (!catalogue.tools(server.name)) {
    return [
      `${key.padEnd(24)} # ${transport}${where}`,
      '    # Its tools have not been listed yet: every call is asked until rules say otherwise.',
      '    default: ask',
    ];
  }
  const tools = catalogue.rankedTools(server.name);
  const ruled = tools.filter((t) => treatmentOf(t.risk));
  const rest = tools.filter((t) => !treatmentOf(t.risk));
  const lines = [`${key.padEnd(24)} # ${transport}${where}, ${tools.length} tools`];
  if (ruled.length === 0) {
    lines.push('    tools: {}');
  } else {
    lines.push('    tools:');
    for (const tool of ruled) lines.push(...ruleLines(tool));
  }
  if (rest.length > 0) lines.push(...allowedComment(rest));
  return lines;
}

function ruleLines({ info, risk }: CataloguedTool): string[] {
  const treatment = treatmentOf(risk)!;
  const lines = [`      # ${riskLabel(risk)} (from ${plain(riskSourceText(risk.source))})${describe(info)}`, `      ${yamlKey(info.name)}:`, `        action: ${treatment.action}`, `        reason: ${JSON.stringify(treatment.reason)}`];
  if (treatment.rateLimit) lines.push('        rate_limit: { max: 10, window: 1m }');
  return lines;
}

function allowedComment(tools: readonly CataloguedTool[]): string[] {
  const names = tools.map((t) => `${t.info.name} (${riskLabel(t.risk)})`);
  const lines = ['    # Allowed by the default:'];
  let line = '    #  ';
  for (const name of names) {
    if (line.length + name.length > 100) {
      lines.push(line.replace(/,$/, ''));
      line = '    #  ';
    }
    line += ` ${name},`;
  }
  lines.push(line.replace(/,$/, ''));
  return lines;
}

function describe(tool: ToolInfo): string {
  const sentence = firstSentence(tool.description).replace(/[\r\n]+/g, ' ');
  return sentence ? `: ${sentence}` : '';
}

/** Markdown code marks read badly in a YAML comment. */
function plain(text: string): string {
  return text.replaceAll('`', '');
}
