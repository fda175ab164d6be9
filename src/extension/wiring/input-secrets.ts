// Answers for the `${input:ID}` variables of protected servers: asked once (as the workspace mcp.json's
// `inputs` describe them: promptString, password or not, pickString) and kept in VS Code's secret storage.
import * as vscode from 'vscode';
import { parse } from 'jsonc-parser';

interface InputDescription {
  id: string;
  type?: string;
  description?: string;
  password?: boolean;
  default?: string;
  options?: string[];
}

export class InputSecrets {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  /** The answers for `ids`, asking for the missing ones; undefined when the user cancelled a prompt. */
  async answers(ids: readonly string[], server: string): Promise<Map<string, string> | undefined> {
    const answers = new Map<string, string>();
    const descriptions = ids.length > 0 ? await workspaceInputs() : new Map<string, InputDescription>();
    for (const id of ids) {
      const key = this.key(id);
      let value = await this.secrets.get(key);
      if (value === undefined) {
        value = await ask(descriptions.get(id) ?? { id }, server);
        if (value === undefined) return undefined;
        await this.secrets.store(key, value);
      }
      answers.set(id, value);
    }
    return answers;
  }

  /** Stores an answer without asking (for scripted setups and tests). */
  store(id: string, value: string): Thenable<void> {
    return this.secrets.store(this.key(id), value);
  }

  forget(id: string): Thenable<void> {
    return this.secrets.delete(this.key(id));
  }

  /** Per workspace folder, as VS Code keeps the answers of its own mcp.json inputs. */
  private key(id: string): string {
    return `mcpWarden.input:${vscode.workspace.workspaceFolders?.[0]?.uri.toString() ?? ''}:${id}`;
  }
}

async function ask(input: InputDescription, server: string): Promise<string | undefined> {
  const prompt = input.description ?? `Value of \${input:${input.id}} for ${server}`;
  if (input.type === 'pickString' && Array.isArray(input.options)) {
    return vscode.window.showQuickPick(input.options.map(String), { title: `MCP Warden: ${server}`, placeHolder: prompt, ignoreFocusOut: true });
  }
  return vscode.window.showInputBox({ title: `MCP Warden: ${server}`, prompt, password: input.password === true, value: input.default, ignoreFocusOut: true });
}

/** The `inputs` of the first folder's .vscode/mcp.json, by id. */
async function workspaceInputs(): Promise<Map<string, InputDescription>> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const found = new Map<string, InputDescription>();
  if (!folder) return found;
  try {
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, '.vscode', 'mcp.json')));
    const inputs = (parse(text, [], { allowTrailingComma: true }) as { inputs?: unknown })?.inputs;
    if (Array.isArray(inputs)) for (const input of inputs) if (input && typeof input.id === 'string') found.set(input.id, input as InputDescription);
  } catch {
    // No mcp.json: inputs are asked with a generic prompt.
  }
  return found;
}
