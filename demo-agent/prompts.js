// @ts-check
// What the Warden demo agent understands and how it puts what came back into words. Plain logic, no
// `vscode`, so it is tested on its own (test/demo-agent/prompts.test.ts).
'use strict';

/** The tools of the sample workspace's security scanner that the demo calls. */
const TOOLS = ['stop_scan', 'start_security_scan', 'get_scan_status', 'delete_finding'];

const HELP = [
  "I am the Warden demo agent: a scripted stand-in for a real model, so you can watch MCP Warden decide an agent's " +
  "tool calls. I understand these prompts (in agent mode), each a call to the sample workspace's security-scanner:",
  '',
  '- **stop scan S-1**: `stop_scan`, which the sample policy denies: Warden answers with its reason',
  '- **start a scan of staging**: `start_security_scan`, on `ask`: Warden asks you in the editor first',
  '- **show scan S-1**: `get_scan_status`, allowed',
  '- **delete finding F-1**: `delete_finding`, denied by the `delete_*` rule',
  '',
  "Each call lands in MCP Warden's Decisions view. The rules are in `.vscode/mcp-policy.yaml`: edit one and ask again.",
].join('\n');

/**
 * The call a prompt asks for, or undefined (then the help is the answer).
 * @param {string} prompt
 * @returns {{ tool: string, input: Record<string, string> } | undefined}
 */
function matchPrompt(prompt) {
  const text = prompt.toLowerCase().replace(/\s+/g, ' ').trim();
  const scan = /\bscan (s-\d+)\b/.exec(text)?.[1]?.toUpperCase();
  const finding = /\bfinding (f-\d+)\b/.exec(text)?.[1]?.toUpperCase();
  if (/\bstop\b/.test(text) && scan) return { tool: 'stop_scan', input: { scan_id: scan } };
  if (/\bdelete\b/.test(text) && finding) return { tool: 'delete_finding', input: { finding_id: finding } };
  if (/\b(show|status|get)\b/.test(text) && scan) return { tool: 'get_scan_status', input: { scan_id: scan } };
  if (/\bstart\b.*\bscan\b/.test(text)) {
    const target = /\bscan (?:of|on|against) ([\w.:/@-]+)/.exec(prompt.replace(/\s+/g, ' '))?.[1] ?? 'staging';
    return { tool: 'start_security_scan', input: { target } };
  }
  return undefined;
}

const REFUSAL = /^Blocked by policy: ([\s\S]*) \(([^()]*)\)$/;
const SKIPPED = /^The user chose to skip the tool call|denied permission/;
/** Warden's reasons when the person answered its approval prompt with Deny (the editor's, or the proxy's own word). */
const PERSON_SAID_NO = /^(Denied in the editor|declined in the editor|the user declined the call)$/i;

/**
 * What came back from a call, in plain words.
 * @param {string} calledName  the tool's name as the agent offered it (`mcp_<server>_stop_scan`)
 * @param {string} text  the tool result's text
 */
function report(calledName, text) {
  const tool = TOOLS.find((name) => calledName.endsWith(name)) ?? calledName;
  const refusal = REFUSAL.exec(text.trim());
  if (refusal) {
    const [, reason, where] = refusal;
    if (PERSON_SAID_NO.test(reason)) {
      return `You denied \`${tool}\` in MCP Warden's approval prompt, so the security scanner never received the call.`;
    }
    return [
      `**MCP Warden blocked \`${tool}\`:** ${reason}`,
      '',
      `The security scanner never received the call. The rule is in \`${shortPath(where)}\`; MCP Warden's Decisions view lists the call.`,
    ].join('\n');
  }
  if (SKIPPED.test(text.trim())) return `You skipped \`${tool}\` in VS Code's confirmation, so the call was not made.`;
  const scan = parseScan(text);
  if (scan) {
    const what = { stop_scan: 'Stopped', start_security_scan: 'Started', get_scan_status: 'Scan status' }[tool] ?? 'The scanner answered';
    return `${what}: scan ${scan.id} of \`${scan.target}\` is ${scan.status} (${scan.progress}%). MCP Warden allowed \`${tool}\`.`;
  }
  return `\`${tool}\` returned:\n\n\`\`\`\n${text}\n\`\`\``;
}

/** `…/.vscode/mcp-policy.yaml:23` as `.vscode/mcp-policy.yaml:23`, a path the person finds in the workspace. */
function shortPath(where) {
  const at = where.lastIndexOf('/.vscode/');
  return at >= 0 ? where.slice(at + 1) : where;
}

/** @returns {{ id: string, target: string, status: string, progress: number } | undefined} */
function parseScan(text) {
  try {
    const value = JSON.parse(text);
    return value && typeof value.id === 'string' && typeof value.status === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

module.exports = { HELP, TOOLS, matchPrompt, report };
