// The last policy text a person approved, per policy file (its absolute path), kept in the extension's
// global storage: outside the workspace, so nothing that writes files there can change it.
import type * as vscode from 'vscode';

const KEY = 'mcpWarden.approvedPolicies';

export class ApprovedStore {
  constructor(private readonly memento: vscode.Memento) {}

  get(file: string): string | undefined {
    const all = this.all();
    return Object.hasOwn(all, file) && typeof all[file] === 'string' ? all[file] : undefined;
  }

  /** The memento reads the new value at once; the returned promise settles when it is stored. */
  set(file: string, text: string): Thenable<void> {
    return this.memento.update(KEY, { ...this.all(), [file]: text });
  }

  private all(): Record<string, string> {
    const value = this.memento.get<unknown>(KEY);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, string>) : {};
  }
}
