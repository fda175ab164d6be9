// Read-only documents of a tool's definition for the diff editor: as pinned in the approved lockfile and as
// the server lists it now, each as pretty JSON (keys sorted), so "Review change…" shows what changed.
import * as vscode from 'vscode';

export const DEFINITION_SCHEME = 'mcp-warden-definition';

export class DefinitionDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(DEFINITION_SCHEME, this);

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }

  /** Opens the diff of `pinned` (undefined: not pinned) against `live` for a tool. */
  async showDiff(server: string, tool: string, pinned: unknown, live: unknown): Promise<void> {
    const left = this.put(server, tool, 'pinned', pinned === undefined ? '// not pinned\n' : pretty(pinned));
    const right = this.put(server, tool, 'live', pretty(live));
    await vscode.commands.executeCommand('vscode.diff', left, right, `${server} › ${tool}: pinned ↔ live`, { preview: true });
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }

  private put(server: string, tool: string, side: string, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: DEFINITION_SCHEME, path: `/${encodeURIComponent(server)}/${encodeURIComponent(tool)}.${side}.json` });
    this.texts.set(uri.toString(), text);
    this.changed.fire(uri);
    return uri;
  }
}

/** JSON with sorted keys and two-space indent, ending in a newline. */
export function pretty(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2) + '\n';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(Object.keys(record).sort().map((key) => [key, sortKeys(record[key])]));
}
