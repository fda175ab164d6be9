// Activation stays small: register the policy diagnostics and the commands; everything else is lazy.
import * as vscode from 'vscode';
import { registerPolicyCommands } from './commands';
import { registerPolicyLanguage, type PolicyLanguageApi } from './language/policy-language';
import { PolicyDiagnostics } from './policy-diagnostics';
import { registerWarden, type WardenApi } from './warden';

export function activate(context: vscode.ExtensionContext): PolicyLanguageApi & WardenApi {
  const diagnostics = new PolicyDiagnostics();
  const language = registerPolicyLanguage(context);
  context.subscriptions.push(diagnostics, ...registerPolicyCommands(diagnostics, language.catalogue));
  return { ...language, ...registerWarden(context, language.catalogue) };
}

export function deactivate(): void {}
