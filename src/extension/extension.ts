// Activation stays small: register the policy diagnostics and the commands; everything else is lazy.
import * as vscode from 'vscode';
import { registerPolicyCommands } from './commands';
import { registerPolicyLanguage, type PolicyLanguageApi } from './language/policy-language';
import { PolicyDiagnostics } from './policy-diagnostics';

export function activate(context: vscode.ExtensionContext): PolicyLanguageApi {
  const diagnostics = new PolicyDiagnostics();
  context.subscriptions.push(diagnostics, ...registerPolicyCommands(diagnostics));
  return registerPolicyLanguage(context);
}

export function deactivate(): void {}
