// Commands that work on the workspace policy. Each takes its input as arguments too, so
// keybindings, other extensions and tests can run it without prompts.
import * as vscode from 'vscode';
import type { Decision } from '../policy/model';
import { parsePolicy } from '../policy/parse';
import { previewCall } from '../policy/preview';
import type { PolicyDiagnostics } from './policy-diagnostics';
import { exists, policyUri } from './policy-location';
import { readPolicyText } from './wiring/policy-reader';

export function registerPolicyCommands(diagnostics: PolicyDiagnostics): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('mcpWarden.openPolicy', openPolicy),
    vscode.commands.registerCommand('mcpWarden.checkPolicy', (uri?: vscode.Uri) => checkPolicy(diagnostics, uri)),
    vscode.commands.registerCommand('mcpWarden.explainTool', explainTool),
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

/** What the workspace policy decides for one tool of one server (without counting rate limits). */
async function explainTool(target?: { server?: string; tool?: string; args?: unknown }): Promise<Decision | undefined> {
  const server = target?.server ?? (await vscode.window.showInputBox({ prompt: 'Server name (as in mcp.json)' }));
  const tool = server && (target?.tool ?? (await vscode.window.showInputBox({ prompt: `Tool of ${server}` })));
  const uri = policyUri();
  if (!server || !tool || !uri) return undefined;
  const read = await readPolicyText(uri);
  const parsed = 'text' in read ? parsePolicy(read.text, uri.fsPath) : undefined;
  const { decision } = previewCall(parsed, uri.fsPath, { server, tool, args: target?.args });
  const where = decision.line ? ` (line ${decision.line})` : '';
  void vscode.window.showInformationMessage(`MCP Warden: ${server}/${tool}: ${decision.decision}${where}${decision.reason ? ` — ${decision.reason}` : ''}`);
  return decision;
}

function activePolicyUri(): vscode.Uri | undefined {
  const document = vscode.window.activeTextEditor?.document;
  return document?.languageId === 'mcp-policy' ? document.uri : undefined;
}
