// Shared steps of the Warden suites inside VS Code: the extension's API, files of the sample workspace kept
// and restored, VS Code's own MCP client started and its tools called, and an approver the tests script.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { PolicyLanguageApi } from '../../src/extension/language/policy-language';
import type { WardenApi } from '../../src/extension/warden';
import type { PolicyChange, PolicyReviewer, ReviewAnswer } from '../../src/extension/leash/policy-review';
import type { LaunchRequest, LaunchReviewer, LaunchVerdict } from '../../src/extension/trust/launch-approvals';
import type { ApprovalChoice, ApprovalPrompt, Approver } from '../../src/workbench/approval-broker';

export type Api = PolicyLanguageApi & WardenApi;
export const EXTENSION_ID = 'mcp-warden.mcp-warden';
export const SCANNER = 'security-scanner';
/** VS Code's id of a server that an extension's provider gives: `<extension id>/<label>`. */
export const SCANNER_DEFINITION_ID = `${EXTENSION_ID}/${SCANNER}`;

export async function wardenApi(): Promise<Api> {
  const extension = vscode.extensions.getExtension<Api>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not installed in the host`);
  const api = await extension.activate();
  await api.catalogueLoaded;
  await api.policy.ready;
  return api;
}

export function workspaceUri(...parts: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test host opens examples/workspace');
  return vscode.Uri.joinPath(folder.uri, ...parts);
}

export const policyFile = () => workspaceUri('.vscode', 'mcp-policy.yaml');
export const mcpJsonFile = () => workspaceUri('.vscode', 'mcp.json');

export async function readFile(uri: vscode.Uri): Promise<string> {
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
}

/** Remembers the files' texts; the returned function writes them back (and waits for the policy put back to be approved). */
export async function keepFiles(api: Api, ...uris: vscode.Uri[]): Promise<() => Promise<void>> {
  const texts = await Promise.all(uris.map(readFile));
  return async () => {
    // Putting the policy back may loosen what is approved: the person at the editor applies it, through the review.
    const person = api.policyChanges.use({ review: () => Promise.resolve('apply') });
    try {
      for (const [index, uri] of uris.entries()) {
        if ((await readFile(uri).catch(() => undefined)) !== texts[index]) await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(texts[index]));
      }
      await api.policy.reload();
      const policy = api.policy.uri;
      const kept = policy ? uris.findIndex((uri) => uri.toString() === policy.toString()) : -1;
      if (policy && kept >= 0) {
        await waitFor(() => api.policyChanges.approvedText(policy.fsPath) === texts[kept] && !api.policyChanges.waiting(), 'the policy put back to be approved');
      }
    } finally {
      person.dispose();
    }
    api.tree.refresh();
  };
}

export async function waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** VS Code's tool for an MCP server's tool: tagged `mcp`, named `mcp_<server prefix>_<tool>`. */
export function mcpTool(tool: string): vscode.LanguageModelToolInformation | undefined {
  return vscode.lm.tools.find((candidate) => candidate.tags.includes('mcp') && candidate.name.endsWith(`_${tool}`));
}

/**
 * Starts VS Code's MCP servers until `tool` is live; the provider's definitions may arrive after activation.
 * A person approves the launch entries asked about meanwhile (the sample's own, once per host: the approval
 * is kept); `launchesAsked` lists what was asked.
 */
export async function startServersUntil(tool: string, ms = 60_000): Promise<vscode.LanguageModelToolInformation> {
  const api = await wardenApi();
  const person = new ScriptedLaunchReviewer('allow');
  const seat = api.launches.use(person);
  try {
    return await waitFor(async () => {
      await vscode.commands.executeCommand('workbench.mcp.startServer', '*', { waitForLiveTools: true });
      return mcpTool(tool);
    }, `VS Code's MCP client to list ${tool}`, ms);
  } finally {
    seat.dispose();
    launchesAsked.push(...person.asked);
  }
}

export const launchesAsked: LaunchRequest[] = [];

/**
 * Sets `mcpWarden.proxyMode` (user settings) for suites that check one mode's launch, such as the proxy's
 * command line; the returned function puts the earlier value back.
 */
export async function useProxyMode(mode: 'auto' | 'gateway' | 'perServer' | undefined): Promise<() => Promise<void>> {
  const settings = () => vscode.workspace.getConfiguration('mcpWarden');
  const before = settings().inspect<string>('proxyMode')?.globalValue;
  await settings().update('proxyMode', mode, vscode.ConfigurationTarget.Global);
  return async () => settings().update('proxyMode', before, vscode.ConfigurationTarget.Global);
}

/** A definition offered as Warden's stdio proxy (the per-server mode). */
export function stdioDefinition(definition: vscode.McpServerDefinition | undefined): vscode.McpStdioServerDefinition {
  assert.ok(definition instanceof vscode.McpStdioServerDefinition, `not a stdio definition: ${JSON.stringify(definition)}`);
  return definition;
}

/** Answers launch approvals from a script ('never' leaves the prompt open until the start is cancelled). */
export class ScriptedLaunchReviewer implements LaunchReviewer {
  readonly asked: LaunchRequest[] = [];
  readonly answers: Array<LaunchVerdict | 'never'> = [];

  constructor(private readonly otherwise: LaunchVerdict | 'never' = 'never') {}

  review(request: LaunchRequest, signal: AbortSignal): Promise<LaunchVerdict | undefined> {
    this.asked.push(request);
    const answer = this.answers.shift() ?? this.otherwise;
    if (answer !== 'never') return Promise.resolve(answer);
    return new Promise((resolve) => signal.addEventListener('abort', () => resolve(undefined), { once: true }));
  }
}

/** Calls a tool the way an agent does, without a dialog; returns the text of its result (or of its error). */
export async function invoke(tool: string, input: Record<string, unknown>): Promise<string> {
  const info = mcpTool(tool);
  assert.ok(info, `no MCP tool ${tool} in vscode.lm.tools`);
  try {
    const result = await vscode.lm.invokeTool(info.name, { input, toolInvocationToken: undefined }, new vscode.CancellationTokenSource().token);
    return result.content.map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : '')).join('');
  } catch (error) {
    return `threw: ${(error as Error).message}`;
  }
}

/** Answers approval prompts from a script; 'never' leaves a prompt open until the proxy withdraws it. */
export class ScriptedApprover implements Approver {
  readonly asked: ApprovalPrompt[] = [];
  readonly answers: Array<ApprovalChoice | 'never'> = [];
  withdrawn = 0;

  ask(prompt: ApprovalPrompt, signal: AbortSignal): Promise<ApprovalChoice | undefined> {
    this.asked.push(prompt);
    const answer = this.answers.shift() ?? 'never';
    if (answer !== 'never') return Promise.resolve(answer);
    return new Promise((resolve) => signal.addEventListener('abort', () => {
      this.withdrawn++;
      resolve(undefined);
    }, { once: true }));
  }
}

/** Answers policy-change reviews from a script; 'never' holds the answer until `release` (or the review is aborted). */
export class ScriptedPolicyReviewer implements PolicyReviewer {
  readonly asked: PolicyChange[] = [];
  readonly answers: Array<ReviewAnswer | 'never'> = [];
  private readonly held: Array<(answer: ReviewAnswer) => void> = [];

  constructor(private readonly otherwise: ReviewAnswer | 'never' = 'never') {}

  review(change: PolicyChange, signal: AbortSignal): Promise<ReviewAnswer> {
    this.asked.push(change);
    const answer = this.answers.shift() ?? this.otherwise;
    if (answer !== 'never') return Promise.resolve(answer);
    return new Promise((resolve) => {
      this.held.push(resolve);
      signal.addEventListener('abort', () => resolve('keep'), { once: true });
    });
  }

  /** Answers the oldest review still held. */
  release(answer: ReviewAnswer): void {
    this.held.shift()?.(answer);
  }
}
