// Reads Warden's security settings through `inspect()` (user and default values only): see secure-settings.ts.
import * as vscode from 'vscode';
import { secureValue, type SecureSetting } from './secure-settings';

export function wardenSetting<T>(key: SecureSetting): T | undefined {
  return secureValue(vscode.workspace.getConfiguration('mcpWarden').inspect<T>(key));
}
