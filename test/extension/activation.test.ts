// The extension, as packaged by package.json, loads and activates in a real VS Code extension host.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'mcp-warden.mcp-warden';

interface DeclaredCommand {
  command: string;
}

suite('Extension activation', () => {
  let extension: vscode.Extension<unknown>;

  suiteSetup(() => {
    const found = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(found, `${EXTENSION_ID} is not among the host's extensions`);
    extension = found;
  });

  test('activates without throwing', async () => {
    // activate() rejects with the error that the extension's activate() threw.
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  test('registers every command that package.json contributes', async () => {
    await extension.activate();
    const declared = declaredCommands(extension);
    assert.ok(declared.length > 0, 'package.json contributes no commands');
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = declared.filter((command) => !registered.has(command));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });
});

function declaredCommands(extension: vscode.Extension<unknown>): string[] {
  const commands: DeclaredCommand[] = extension.packageJSON?.contributes?.commands ?? [];
  return commands.map((entry) => entry.command);
}
