// Activation stays small: register the policy diagnostics and the commands; everything else is lazy.
import * as vscode from 'vscode';
import { registerPolicyCommands } from './commands';
import { PolicyDiagnostics } from './policy-diagnostics';

export function activate(context: vscode.ExtensionContext): void {
  const diagnostics = new PolicyDiagnostics();
  context.subscriptions.push(diagnostics, ...registerPolicyCommands(diagnostics));
}

export function deactivate(): void {}
