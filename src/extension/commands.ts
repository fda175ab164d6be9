// Commands that work on the workspace policy. Each takes its input as arguments too, so
// keybindings, other extensions and tests can run it without prompts.
import * as vscode from 'vscode';
import type { ToolCatalogue } from '../language/catalogue';
import type { Decision, Policy } from '../policy/model';
import { parsePolicy } from '../policy/parse';
import { previewCall } from '../policy/preview';
import { unknownNameNotes, type KnownNames } from '../policy/unknown-names';
import { pickName } from './name-pick';
import type { PolicyDiagnostics } from './policy-diagnostics';
import { exists, policyUri } from './policy-location';
import { readPolicyText } from './wiring/policy-reader';

export function registerPolicyCommands(diagnostics: PolicyDiagnostics, catalogue: ToolCatalogue): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('mcpWarden.openPolicy', openPolicy),
    vscode.commands.registerCommand('mcpWarden.checkPolicy', (uri?: vscode.Uri) => checkPolicy(diagnostics, uri)),
    vscode.commands.registerCommand('mcpWarden.explainTool', (target?: ExplainTarget) => explainTool(catalogue, target)),
  ];
}

/** Opens the workspace policy; offers Create Policy (a starter from the known servers) when there is none. */
async function openPolicy(options?: { create?: boolean }): Promise<vscode.Uri | undefined> {
  const uri = policyUri();
  if (!uri) {
    void vscode.window.showWarningMessage('MCP Warden: open a folder first; the policy lives in the workspace.');
    return undefined;
  }
  if (!(await exists(uri))) {
    const create = options?.create ?? (await vscode.window.showInformationMessage(`No policy at ${vscode.workspace.asRelativePath(uri)}. Create one?`, 'Create')) === 'Create';
    return create ? vscode.commands.executeCommand<vscode.Uri | undefined>('mcpWarden.createPolicy', { uri, overwrite: false }) : undefined;
  }
  await vscode.window.showTextDocument(uri);
  return uri;
}

/** Checks a policy file (the active one, or the workspace policy) and says how it went. */
async function checkPolicy(diagnostics: PolicyDiagnostics, uri?: vscode.Uri): Promise<{ errors: number; warnings: number } | undefined> {
  const target = uri ?? activePolicyUri() ?? policyUri();
  if (!target || !(await exists(target))) {
    void vscode.window.showWarningMessage('MCP Warden: no policy file to check.');
    return undefined;
  }
  const document = await vscode.workspace.openTextDocument(target);
  const found = document.languageId === 'mcp-policy' ? diagnostics.refresh(document) : [];
  const errors = found.filter((d) => d.severity === vscode.DiagnosticSeverity.Error).length;
  const warnings = found.length - errors;
  const summary = errors === 0 && warnings === 0 ? 'no problems' : `${errors} error(s), ${warnings} other problem(s); see the Problems panel`;
  void vscode.window.showInformationMessage(`MCP Warden: ${vscode.workspace.asRelativePath(target)}: ${summary}.`);
  return { errors, warnings };
}

interface ExplainTarget {
  server?: string;
  tool?: string;
  args?: unknown;
}

/**
 * What the workspace policy decides for one tool of one server (without counting rate limits), shown whole
 * in a modal; a name neither the policy nor the editor knows is said to be unknown, with the closest one.
 */
async function explainTool(catalogue: ToolCatalogue, target?: ExplainTarget): Promise<(Decision & { notes: string[] }) | undefined> {
  const uri = policyUri();
  if (!uri) return undefined;
  const read = await readPolicyText(uri);
  const parsed = 'text' in read ? parsePolicy(read.text, uri.fsPath) : undefined;
  const known = knownNames(catalogue);
  const server = target?.server ?? (await pickName('Explain a tool\'s decision: server', [...new Set([...(parsed?.policy?.servers.keys() ?? []), ...known.servers])].sort()));
  const tool = server && (target?.tool ?? (await pickName(`Explain a tool's decision: tool of ${server}`, toolNames(parsed?.policy, server, known))));
  if (!server || !tool) return undefined;
  const { decision } = previewCall(parsed, uri.fsPath, { server, tool, args: target?.args });
  const notes = unknownNameNotes(parsed?.policy, { server, tool }, known);
  const by = decision.rule !== null ? `rule "${decision.rule}"` : 'the default';
  const where = decision.line ? ` (line ${decision.line})` : '';
  const detail = [decision.reason ?? `Decided by ${by}${where}.`, ...(decision.reason ? [`Decided by ${by}${where}.`] : []), ...notes].join('\n\n');
  void vscode.window.showInformationMessage(`MCP Warden: ${server} / ${tool}: ${decision.hidden ? 'hidden (deny)' : decision.decision}`, { modal: true, detail });
  return { ...decision, notes };
}

function knownNames(catalogue: ToolCatalogue): KnownNames {
  return { servers: catalogue.servers().map((server) => server.name), tools: (server) => catalogue.tools(server)?.tools.map((tool) => tool.name) };
}

/** The tools the server listed, then the exact names the policy's rules give it. */
function toolNames(policy: Policy | undefined, server: string, known: KnownNames): string[] {
  const rules = policy?.servers.get(server)?.tools.filter((rule) => !rule.isGlob).map((rule) => rule.pattern) ?? [];
  return [...new Set([...(known.tools(server) ?? []), ...rules])];
}

function activePolicyUri(): vscode.Uri | undefined {
  const document = vscode.window.activeTextEditor?.document;
  return document?.languageId === 'mcp-policy' ? document.uri : undefined;
}
