// The last policy text a person approved, per policy file (its absolute path), kept in the extension's
// global storage: outside the workspace, so nothing that writes files there can change it. `null` records
// that a person approved the file's removal (so a file that appears later is not trusted on first use).
import type * as vscode from 'vscode';

const KEY = 'mcpWarden.approvedPolicies';

export type ApprovedRecord = string | null;

export class ApprovedStore {
  constructor(private readonly memento: vscode.Memento) {}

  /** The record of `file`: its approved text, `null` (approved: no policy), or undefined (never seen). */
  record(file: string): ApprovedRecord | undefined {
    const all = this.all();
    if (!Object.hasOwn(all, file)) return undefined;
    const value = all[file];
    return typeof value === 'string' || value === null ? value : undefined;
  }

  /** The approved text of `file`, if there is one. */
  get(file: string): string | undefined {
    return this.record(file) ?? undefined;
  }

  /** The memento reads the new value at once; the returned promise settles when it is stored. */
  set(file: string, record: ApprovedRecord): Thenable<void> {
    return this.memento.update(KEY, { ...this.all(), [file]: record });
  }

  private all(): Record<string, unknown> {
    const value = this.memento.get<unknown>(KEY);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  }
}
