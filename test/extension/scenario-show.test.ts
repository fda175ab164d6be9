// Runs that put something on screen for a picture, so they run only when asked for by name:
//   node scripts/warden-screenshots.mjs tree approval      (out/screenshots/tree.png, approval.png)
//   MOCHA_GREP='warden latency' npm run test:vscode        (calls through VS Code's MCP client and the proxy)
// Each test logs a marker once its screen is ready and holds it while the script takes the picture:
// the extension's views vanish with its host when the suite ends.
import * as vscode from 'vscode';
import type { ServerRow, ToolRow } from '../../src/workbench/tree-model';
import { invoke, policyFile, SCANNER, startServersUntil, waitFor, wardenApi } from './warden-helpers';

function askedFor(name: string): boolean {
  return (process.env.MOCHA_GREP ?? '').includes(name);
}

suite('Warden views, on demand', () => {
  test('warden screenshot: tree', async function () {
    if (!askedFor('screenshot: tree')) this.skip();
    this.timeout(90_000);
    const api = await wardenApi();
    await startServersUntil('stop_scan');
    // A blocked call and an allowed one, so the Decisions view has something to show.
    await invoke('stop_scan', { scan_id: 'S-1' });
    await invoke('get_scan_status', { scan_id: 'S-1' });
    await waitFor(() => api.decisions.entries().length >= 2, 'two decisions');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.window.showTextDocument(policyFile(), { preview: false });
    await widenSideBar();
    await vscode.commands.executeCommand('mcpWarden.servers.focus');
    const scanner = await waitFor(() => api.tree.model().servers.find((s: ServerRow) => s.name === SCANNER && s.state === 'running'), 'the scanner running');
    const stop = scanner.tools.find((t: ToolRow) => t.name === 'stop_scan')!;
    await api.tree.view.reveal(stop, { select: true, focus: true });
    await holdForScreenshot();
  });

  test('warden latency', async function () {
    if (!askedFor('warden latency')) this.skip();
    this.timeout(120_000);
    const api = await wardenApi();
    await startServersUntil('get_scan_status');
    const timed = async (tool: string, input: Record<string, unknown>) => {
      const times: number[] = [];
      for (let i = 0; i < 60; i++) {
        const started = performance.now();
        await invoke(tool, input);
        if (i >= 10) times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      return `p50 ${times[25].toFixed(1)} ms, p90 ${times[45].toFixed(1)} ms`;
    };
    console.log(`      vscode.lm.invokeTool, allowed (get_scan_status, 50 calls): ${await timed('get_scan_status', { scan_id: 'S-1' })}`);
    console.log(`      vscode.lm.invokeTool, blocked (stop_scan, 50 calls): ${await timed('stop_scan', { scan_id: 'S-1' })}`);
    const decided = api.decisions.entries().slice(0, 100).map((e) => e.latencyMs).sort((a, b) => a - b);
    console.log(`      the proxy's decision time (its own report, ${decided.length} calls): p50 ${decided[Math.floor(decided.length / 2)].toFixed(2)} ms, max ${decided.at(-1)!.toFixed(2)} ms`);
    const started = performance.now();
    for (let i = 0; i < 100; i++) api.tree.refresh();
    console.log(`      rebuilding the tree model (2 servers, 5 tools): ${((performance.now() - started) / 100).toFixed(2)} ms`);
  });

  test('warden screenshot: approval', async function () {
    if (!askedFor('screenshot: approval')) this.skip();
    this.timeout(90_000);
    const api = await wardenApi();
    await vscode.workspace.getConfiguration('mcpWarden').update('approvalTimeoutSeconds', 300, vscode.ConfigurationTarget.Global);
    await startServersUntil('start_security_scan');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await widenSideBar();
    await vscode.commands.executeCommand('mcpWarden.servers.focus');
    // Not awaited: the call waits for the person, and the screenshot is taken while it does.
    void invoke('start_security_scan', { target: 'prod-db.internal', profile: 'full' });
    await waitFor(() => api.approvals.waiting().length === 1, 'the approval prompt');
    await waitFor(() => vscode.window.tabGroups.all.some((group) => group.tabs.some((tab) => tab.label === 'Approve start_security_scan?')), 'the approval panel');
    await holdForScreenshot();
  });
});

/** Room for the editor: the chat side bar closed (the screenshot script widens the primary side bar); the theme asked for. */
async function widenSideBar(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAuxiliaryBar');
  const theme = process.env.WARDEN_SCREENSHOT_THEME;
  if (theme) await vscode.workspace.getConfiguration('workbench').update('colorTheme', theme, vscode.ConfigurationTarget.Global);
}

/** Lets the screen settle, tells scripts/warden-screenshots.mjs to take its picture, and holds still meanwhile. */
async function holdForScreenshot(): Promise<void> {
  await pause(1500);
  console.log('[[warden-screenshot]]');
  await pause(3000);
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
