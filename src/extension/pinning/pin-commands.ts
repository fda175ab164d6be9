// The pinning commands of the Servers tree. "Review change…" on a changed, new or flagged tool opens the
// diff of its pinned definition against the live one and asks, in Warden's own modal, Accept (the lockfile
// takes the live definition and it becomes the approved one: the answer is a person's) or Keep blocked.
// "Pin tools" on a server and "Pin all" in the view's title pin what the servers list now: "Pin tools" run
// on a server's node is a person's click; run any other way ("Pin all", which VS Code runs with no
// argument, or a name: another extension, a keybinding, an agent through run_vscode_command) whatever would
// let a tool through is first put to the same modal, and nothing is written unless a person accepts.
import * as vscode from 'vscode';
import { compareLockTexts } from '../../pinning/lock-compare';
import { formatLockfile, parseLockfile, pinServer, type Lockfile, type LiveServer } from '../../pinning/lockfile';
import { liveDefinition } from '../../pinning/tool-marks';
import type { ToolReport, ToolsMessage } from '../../proxy/control-protocol';
import type { ProxyStatus } from '../../workbench/proxy-status';
import type { PolicyLoosening } from '../leash/policy-review';
import { reviewLoosening } from '../leash/review-loosening';
import type { ServersTree } from '../tree/servers-tree';
import { toolTarget } from '../tree/tool-commands';
import { isTreeNode } from '../trust/tree-nodes';
import type { PolicyState } from '../wiring/policy-state';
import { serverName } from '../wiring/protect-commands';
import type { DefinitionDocuments } from './definition-documents';
import type { LockState } from './lock-state';
import { currentLock, writeLock, type LockEdit } from './lock-writer';
import type { PinMarks } from './pin-marks';

export interface PinCommandDependencies {
  tree: ServersTree;
  policy: PolicyState;
  proxies: ProxyStatus;
  locks: LockState;
  marks: PinMarks;
  documents: DefinitionDocuments;
}

export function registerPinCommands(deps: PinCommandDependencies): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('mcpWarden.reviewToolChange', (target?: unknown) => reviewToolChange(deps, target)),
    vscode.commands.registerCommand('mcpWarden.pinServerTools', async (target?: unknown) => {
      const name = serverName(target as never) ?? (await pickServer(deps));
      return name === undefined ? false : pinServers(deps, target, [name]);
    }),
    vscode.commands.registerCommand('mcpWarden.pinAllTools', (target?: unknown) => pinServers(deps, target, deps.policy.protectedServers.map((server) => server.name))),
  ];
}

/** "Review change…": the diff of pinned against live, then Accept or Keep blocked in Warden's modal. */
async function reviewToolChange(deps: PinCommandDependencies, target: unknown): Promise<boolean> {
  await deps.locks.ready;
  const resolved = toolTarget(target) ?? (await pickMarkedTool(deps));
  if (!resolved) return false;
  const report = deps.proxies.reported(resolved.server)?.find((tool) => tool.name === resolved.tool);
  if (!report) {
    void vscode.window.showInformationMessage(`MCP Warden: ${resolved.server} has not listed ${resolved.tool} through Warden's proxy in this window; start the server first.`);
    return false;
  }
  const lockFile = deps.locks.uri?.fsPath;
  if (!lockFile) return false;
  const approved = approvedLock(deps.locks);
  const pinned = approved?.servers.get(resolved.server)?.tools.get(resolved.tool)?.definition;
  await deps.documents.showDiff(resolved.server, resolved.tool, pinned, liveDefinition(report));
  const edit: LockEdit = (lockfile) => pinServer(lockfile, resolved.server, liveOf(lockfile, resolved.server, [report]), [resolved.tool]).lockfile;
  const mark = deps.marks.mark(resolved.server, resolved.tool);
  const loosened: PolicyLoosening[] = [{
    server: resolved.server,
    tool: resolved.tool,
    what: 'pin',
    before: pinned ? 'pinned' : 'not pinned',
    after: pinned ? `the live definition (changed: ${mark?.fields?.join(', ') ?? 'definition'})` : 'pinned as listed now',
  }];
  for (const finding of (mark?.findings ?? []).filter((item) => item.severity === 'error').slice(0, 5)) {
    loosened.push({ server: resolved.server, tool: resolved.tool, what: `finding ${finding.code}`, before: finding.field, after: finding.excerpt });
  }
  const proposed = proposedText(approved, edit);
  if ((await reviewLoosening(lockFile, loosened, new AbortController().signal, proposed, 'lockfile')) !== 'apply') return false;
  const done = await writeLock(deps.locks, edit);
  if (done) deps.tree.refresh();
  return done;
}

/** "Pin tools" (one server) and "Pin all": what the servers' proxies report now becomes their pins. */
async function pinServers(deps: PinCommandDependencies, target: unknown, servers: readonly string[]): Promise<boolean> {
  await deps.locks.ready;
  const lockFile = deps.locks.uri?.fsPath;
  if (!lockFile) {
    void vscode.window.showWarningMessage('MCP Warden: open a folder first; the lockfile lives beside the policy.');
    return false;
  }
  const reported = servers.map((server) => ({ server, reports: deps.proxies.reported(server) })).filter((entry): entry is { server: string; reports: readonly ToolReport[] } => entry.reports !== undefined);
  const missing = servers.filter((server) => !reported.some((entry) => entry.server === server));
  if (reported.length === 0) {
    void vscode.window.showInformationMessage(`MCP Warden: no tools to pin: ${servers.length === 0 ? 'no server is protected' : `${servers.join(', ')} has not listed its tools through Warden's proxy in this window; start it first`}.`);
    return false;
  }
  const edit: LockEdit = (lockfile) => reported.reduce((lock, entry) => pinServer(lock, entry.server, liveOf(lock, entry.server, entry.reports, deps.proxies.servedDefinitions(entry.server))).lockfile, lockfile);
  // A click on a server in the tree (its node) is the person's act. Anything else that would let a tool
  // through is asked about in Warden's modal first: the title button too, since a command run with no
  // argument cannot be told from one an agent ran.
  if (!isTreeNode(target)) {
    const current = await currentLock(deps.locks);
    if ('problem' in current) {
      void vscode.window.showErrorMessage(`MCP Warden: ${current.problem}.`);
      return false;
    }
    const approvedText = deps.locks.approvedText();
    const proposed = proposedText(approvedLock(deps.locks), edit);
    const compared = compareLockTexts(approvedText, proposed, lockFile);
    const loosened = compared.ok ? compared.loosened : [{ server: '*', what: 'lockfile', before: 'approved', after: compared.reason }];
    if (loosened.length > 0 && (await reviewLoosening(lockFile, loosened, new AbortController().signal, proposed, 'lockfile')) !== 'apply') {
      void vscode.window.showInformationMessage('MCP Warden: nothing was pinned; the approved pins stay.');
      return false;
    }
  }
  const done = await writeLock(deps.locks, edit);
  if (done) {
    deps.tree.refresh();
    const skipped = missing.length > 0 ? ` (not running here, so not pinned: ${missing.join(', ')})` : '';
    void vscode.window.showInformationMessage(`MCP Warden: pinned the tools of ${reported.map((entry) => entry.server).join(', ')}${skipped}.`);
  }
  return done;
}

/**
 * What a server lists now, as pinServer takes it: the reported tools, with the instructions and info its
 * proxy reported when `served` is given (Pin Tools), else those pinned before (Accept of one tool).
 */
function liveOf(lockfile: Lockfile, server: string, reports: readonly ToolReport[], served?: Pick<ToolsMessage, 'instructions' | 'serverInfo'>): LiveServer {
  const pinned = lockfile.servers.get(server);
  const { serverInfo, instructions } = served ?? { serverInfo: pinned?.serverInfo, instructions: pinned?.instructions };
  return { serverInfo, instructions, tools: reports.map((report) => ({ name: report.name, ...liveDefinition(report) })) };
}

function approvedLock(locks: LockState): Lockfile | undefined {
  const text = locks.approvedText();
  return text === undefined ? undefined : parseLockfile(text).lockfile;
}

/** The lockfile that accepting would approve: the edit applied to the approved one (what Show diff shows). */
function proposedText(approved: Lockfile | undefined, edit: LockEdit): string {
  return formatLockfile(edit(approved ?? { version: 1, servers: new Map() }));
}

/** From the palette: which protected server (its tools are reported once it runs behind Warden). */
async function pickServer(deps: PinCommandDependencies): Promise<string | undefined> {
  const names = deps.policy.protectedServers.map((server) => server.name);
  if (names.length === 0) {
    void vscode.window.showInformationMessage('MCP Warden: no server is protected, so none has tools to pin.');
    return undefined;
  }
  return vscode.window.showQuickPick(names, { placeHolder: 'Pin the tools of which server?' });
}

async function pickMarkedTool(deps: PinCommandDependencies): Promise<{ server: string; tool: string } | undefined> {
  const items = deps.tree.model().servers.flatMap((server) =>
    server.tools
      .map((tool) => ({ server: server.name, tool: tool.name, mark: deps.marks.mark(server.name, tool.name) }))
      .filter((entry) => entry.mark && (entry.mark.state === 'changed' || entry.mark.state === 'new' || entry.mark.flagged))
      .map((entry) => ({ label: entry.tool, description: `${entry.server} · ${entry.mark!.state}${entry.mark!.flagged ? ' · flagged' : ''}`, target: { server: entry.server, tool: entry.tool } })),
  );
  if (items.length === 0) {
    void vscode.window.showInformationMessage('MCP Warden: no tool has changed since it was pinned.');
    return undefined;
  }
  return (await vscode.window.showQuickPick(items, { placeHolder: 'Review which tool?' }))?.target;
}
