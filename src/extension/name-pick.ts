// A pick list of known names that also takes a name typed by hand (a server not declared yet, a tool
// not listed yet): what the person typed is offered as the first item.
import * as vscode from 'vscode';

export function pickName(title: string, known: readonly string[], detail: (name: string) => string | undefined = () => undefined): Promise<string | undefined> {
  const items = (names: readonly string[]): vscode.QuickPickItem[] => names.map((name) => ({ label: name, description: detail(name) }));
  const pick = vscode.window.createQuickPick();
  pick.title = title;
  pick.placeholder = known.length > 0 ? 'Pick one, or type a name' : 'Type a name';
  pick.items = items(known);
  return new Promise((resolve) => {
    pick.onDidChangeValue((value) => {
      const typed = value.trim();
      pick.items = typed && !known.includes(typed) ? [{ label: typed, description: 'as typed' }, ...items(known)] : items(known);
    });
    pick.onDidAccept(() => {
      resolve(pick.selectedItems[0]?.label ?? (pick.value.trim() || undefined));
      pick.hide();
    });
    pick.onDidHide(() => {
      resolve(undefined);
      pick.dispose();
    });
    pick.show();
  });
}
