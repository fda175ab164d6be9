// "Approve Launch" on a held server in the Servers view: shows the launch entry's full command line and
// asks (Warden's modal, whatever argument the command was given: the answer is the person's act).
// Also the gate that Discover Tools passes before it starts a server, and the approval of the launch
// entries a person applied through the policy review (that review showed them).
import * as vscode from 'vscode';
import { parsePolicy } from '../../policy/parse';
import type { ServerInfo } from '../../language/catalogue';
import { protectedServers, toServerLaunch } from '../../workbench/launch-entry';
import type { AppliedChange } from '../leash/policy-leash';
import type { PolicyState } from '../wiring/policy-state';
import { serverName, type ServerTarget } from '../wiring/protect-commands';
import { setDiscoveryGate } from './discovery-gate';
import { LAUNCH_NOT_APPROVED, type LaunchApprovals } from './launch-approvals';

export function registerLaunchCommands(policy: PolicyState, launches: LaunchApprovals): vscode.Disposable[] {
  setDiscoveryGate(async (server) => {
    if (!vscode.workspace.isTrusted) return 'the workspace is not trusted';
    if (!server.launch?.command) return undefined; // Nothing is started.
    // What must be approved is what would run: the catalogue's entry. The policy's launch entry when that
    // is it; any other (an mcp.json entry, even one named like a protected server) under its own file.
    const guarded = policy.protectedServer(server.name);
    const file = policy.uri?.fsPath;
    const approved =
      guarded && file && JSON.stringify(toServerLaunch(guarded.entry)) === JSON.stringify(server.launch)
        ? await launches.ensure(file, server.name, guarded.entry, new AbortController().signal)
        : await launches.ensure(declaredIn(server), server.name, { ...server.launch }, new AbortController().signal);
    return approved ? undefined : LAUNCH_NOT_APPROVED;
  });
  return [
    { dispose: () => setDiscoveryGate(undefined) },
    vscode.commands.registerCommand('mcpWarden.approveLaunch', (target?: ServerTarget) => approveLaunch(policy, launches, serverName(target))),
  ];
}

/** The file that declares a server, as approvals are keyed (a name alone when the catalogue knows no file). */
function declaredIn(server: ServerInfo): string {
  return server.source.uri ? vscode.Uri.parse(server.source.uri).fsPath : `(${server.source.origin})`;
}

async function approveLaunch(policy: PolicyState, launches: LaunchApprovals, name: string | undefined): Promise<boolean> {
  await policy.ready;
  const file = policy.uri?.fsPath;
  name ??= await vscode.window.showQuickPick(policy.protectedServers.map((server) => server.name), { placeHolder: 'Approve the launch entry of which server?' });
  const guarded = name === undefined ? undefined : policy.protectedServer(name);
  if (!guarded || !file) return false;
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('MCP Warden: this workspace is not trusted, so no launch entry runs. Trust the workspace first.');
    return false;
  }
  return launches.ensure(file, guarded.name, guarded.entry, new AbortController().signal);
}

/** A launch entry added or changed in a change the person applied through the policy review is approved. */
export function approveReviewedLaunches(change: AppliedChange, launches: LaunchApprovals): Promise<void> {
  const servers = new Set(change.loosened.filter((item) => item.what === 'launch').map((item) => item.server));
  if (servers.size === 0 || change.text === undefined) return Promise.resolve();
  const parsed = parsePolicy(change.text, change.file);
  if (parsed.document.errors.length > 0) return Promise.resolve();
  const entries = protectedServers(parsed.document, parsed.lineCounter).filter((server) => servers.has(server.name));
  return entries.reduce((done, server) => done.then(() => launches.approve(change.file, server.name, server.entry)), Promise.resolve());
}
