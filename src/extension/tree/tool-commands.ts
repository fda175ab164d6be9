// The actions on tools and servers. Each command takes its target as an argument ({ server, tool }, a
// server name, or the tree node it was run on), so keybindings, other extensions and tests can run it.
// Run from the tree, a click is the person's act; run with any other argument, an edit that loosens the
// approved policy (Allow, Ask instead of Deny, a rate limit removed or raised) waits for the review.
import * as vscode from 'vscode';
import { parseDuration, DURATION_HELP } from '../../policy/duration';
import { findToolRule, setRateLimit, setToolAction } from '../../policy/edits';
import type { Action } from '../../policy/model';
import type { ServerRow, ToolRow } from '../../workbench/tree-model';
import { editPolicy } from '../wiring/policy-writer';
import type { PolicyState } from '../wiring/policy-state';
import { readText } from '../wiring/text-files';
import { serverName, type ServerTarget } from '../wiring/protect-commands';
import { mayEdit, type KnownTools } from '../trust/reviewed-edit';
import type { ServersTree } from './servers-tree';

export interface ToolTarget {
  server: string;
  tool: string;
}

export interface RateLimitTarget extends ToolTarget {
  max?: number;
  window?: string | number;
}

/** `{ server, tool }`, or a tool node of the tree. */
export function toolTarget(target: unknown): ToolTarget | undefined {
  const value = target as Partial<ToolTarget & ToolRow> | undefined;
  const server = value?.server;
  const tool = value?.tool ?? (value?.kind === 'tool' ? value.name : undefined);
  return typeof server === 'string' && typeof tool === 'string' ? { server, tool } : undefined;
}

export function registerToolCommands(tree: ServersTree, policy: PolicyState): vscode.Disposable[] {
  const setAction = (action: Action) => async (target?: unknown): Promise<boolean> => {
    const resolved = toolTarget(target) ?? (await pickTool(tree));
    if (!resolved) return false;
    const edit = (text: string) => setToolAction(text, resolved.server, resolved.tool, action);
    if (!(await mayEdit(policy, { target, edit, knownTools: () => knownTools(tree) }))) return false;
    const done = await editPolicy(policy, edit);
    if (done) tree.refresh();
    return done;
  };
  return [
    vscode.commands.registerCommand('mcpWarden.denyTool', setAction('deny')),
    vscode.commands.registerCommand('mcpWarden.allowTool', setAction('allow')),
    vscode.commands.registerCommand('mcpWarden.askTool', setAction('ask')),
    vscode.commands.registerCommand('mcpWarden.rateLimitTool', (target?: unknown) => rateLimit(tree, policy, target)),
    vscode.commands.registerCommand('mcpWarden.revealRule', (target?: unknown) => revealRule(tree, policy, target)),
    // The tree passes its node; Discover Tools takes a server name.
    vscode.commands.registerCommand('mcpWarden.discoverServerTools', (target?: ServerTarget) => vscode.commands.executeCommand('mcpWarden.discoverTools', serverName(target))),
    vscode.commands.registerCommand('mcpWarden.openServerConfiguration', (target?: ServerTarget) => openServerConfiguration(tree, policy, serverName(target))),
    vscode.commands.registerCommand('mcpWarden.refresh', async () => {
      await policy.reload();
      return tree.refresh();
    }),
  ];
}

async function rateLimit(tree: ServersTree, policy: PolicyState, target: unknown): Promise<boolean> {
  const resolved = toolTarget(target) ?? (await pickTool(tree));
  if (!resolved) return false;
  const given = target as RateLimitTarget | undefined;
  const max = given?.max ?? (await askNumber(`At most how many calls of ${resolved.tool}?`));
  if (max === undefined) return false;
  const window = given?.window ?? (await vscode.window.showInputBox({
    title: `Rate limit for ${resolved.tool}`,
    prompt: `${max} calls per what window? (${DURATION_HELP})`,
    value: '1m',
    validateInput: (value) => (parseDuration(value.trim()) === undefined ? DURATION_HELP : undefined),
  }))?.trim();
  if (window === undefined) return false;
  const edit = (text: string) => setRateLimit(text, resolved.server, resolved.tool, { max, window });
  if (!(await mayEdit(policy, { target, edit, knownTools: () => knownTools(tree) }))) return false;
  const done = await editPolicy(policy, edit);
  if (done) tree.refresh();
  return done;
}

/** The tools the tree knows, by server: what the comparison checks besides the policy's own rule keys. */
export function knownTools(tree: ServersTree): KnownTools {
  return new Map(tree.model().servers.map((server) => [server.name, server.tools.map((tool) => tool.name)]));
}

async function askNumber(prompt: string): Promise<number | undefined> {
  const text = await vscode.window.showInputBox({
    title: 'Rate limit',
    prompt,
    value: '10',
    validateInput: (value) => (/^[1-9][0-9]*$/.test(value.trim()) ? undefined : 'A whole number of at least 1'),
  });
  return text === undefined ? undefined : Number(text.trim());
}

/** Opens the policy at the rule that decides the tool (an exact rule, a glob, or the default). */
async function revealRule(tree: ServersTree, policy: PolicyState, target: unknown): Promise<boolean> {
  const resolved = toolTarget(target);
  const uri = policy.uri;
  if (!resolved || !uri) return false;
  const row = tree.model().servers.find((s) => s.name === resolved.server)?.tools.find((t) => t.name === resolved.tool);
  let line = row?.decision.line ?? undefined;
  if (line === undefined) {
    const text = await readText(uri);
    line = text === undefined ? undefined : findToolRule(text, resolved.server, resolved.tool)?.line;
  }
  if (line === undefined) {
    void vscode.window.showInformationMessage(`MCP Warden: no rule decides ${resolved.tool} of ${resolved.server}; the policy's default does.`);
    return false;
  }
  await showAt(uri, line);
  return true;
}

async function openServerConfiguration(tree: ServersTree, policy: PolicyState, name: string | undefined): Promise<boolean> {
  const row: ServerRow | undefined = tree.model().servers.find((s) => s.name === name);
  if (!row) return false;
  if (row.isProtected && policy.uri) {
    await showAt(policy.uri, row.launchLine ?? 1);
    return true;
  }
  if (row.configUri) {
    const start = row.configRange?.start;
    const position = start ? new vscode.Position(start.line, start.character) : new vscode.Position(0, 0);
    await vscode.window.showTextDocument(vscode.Uri.parse(row.configUri), { selection: new vscode.Range(position, position) });
    return true;
  }
  return false;
}

async function showAt(uri: vscode.Uri, oneBasedLine: number): Promise<void> {
  const line = Math.max(0, oneBasedLine - 1);
  await vscode.window.showTextDocument(uri, { selection: new vscode.Range(line, 0, line, 0) });
}

async function pickTool(tree: ServersTree): Promise<ToolTarget | undefined> {
  const items = tree.model().servers.flatMap((server) => server.tools.map((tool) => ({ label: tool.name, description: `${server.name} · ${tool.description}`, target: { server: server.name, tool: tool.name } })));
  return (await vscode.window.showQuickPick(items, { placeHolder: 'Which tool?' }))?.target;
}
