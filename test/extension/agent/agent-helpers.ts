// Copilot's real agent mode in the test host, driven by the project's scripted model (test/agent-model):
// the model is planned turn by turn through its extension's exports, Copilot runs the planned tool calls
// through VS Code's own tool flow, and the security scanner records every line it receives.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { PolicyChange, PolicyReviewer, ReviewAnswer } from '../../../src/extension/leash/policy-review';
import { waitFor } from '../warden-helpers';

export const AGENT_MODEL_ID = 'mcp-warden-test.agent-model';
/** Registered by Copilot Chat at the moment its agent is ready for a model that is not its own. */
const COPILOT_AGENT_READY = 'github.copilot.interactiveSession.feedback';

export interface AgentCall {
  /** The tool's name as the agent offers it, or its end (`stop_scan` matches `mcp_<server>_stop_scan`). */
  tool: string;
  input: object;
}

export interface AgentResult {
  callId: string;
  /** The full name the call was made with. */
  tool: string;
  input: object;
  /** What the agent handed back to the model. */
  text: string;
}

export interface AgentModel {
  selector: { vendor: string; id: string };
  /** The next turn: these calls, each once the previous one's result is back, then a closing text. */
  plan(calls: AgentCall[], done?: (results: AgentResult[]) => string): void;
  results: AgentResult[];
  /** The tools offered in the last turn. */
  offered(): string[];
  /** How many turns have ended. */
  turnsDone(): number;
}

export async function agentModel(): Promise<AgentModel> {
  const extension = vscode.extensions.getExtension<AgentModel>(AGENT_MODEL_ID);
  assert.ok(extension, `${AGENT_MODEL_ID} is not loaded: the launcher loads test/agent-model beside Warden`);
  const model = await extension.activate();
  await waitFor(async () => (await vscode.lm.selectChatModels(model.selector)).length > 0, 'the scripted model to be registered', 15_000);
  return model;
}

/** A fresh profile has the built-in Copilot Chat disabled until chat is set up: enable it, wait for its agent. */
export async function turnOnCopilotAgent(): Promise<void> {
  if ((await vscode.commands.getCommands(true)).includes(COPILOT_AGENT_READY)) return;
  await vscode.commands.executeCommand('workbench.extensions.action.enableAll');
  await waitFor(async () => (await vscode.commands.getCommands(true)).includes(COPILOT_AGENT_READY), "Copilot's agent", 60_000);
}

/** VS Code's approvals off, as Autopilot runs: no confirmation before any tool. */
export async function approvalsOff(off: boolean): Promise<void> {
  await vscode.workspace.getConfiguration('chat').update('permissions.default', off ? 'autoApprove' : undefined, vscode.ConfigurationTarget.Global);
}

export interface ToolConfirmation {
  type: 'confirmation';
  /** Before the call (`toolInvocation`), or of its result before the model gets it (`toolPostApproval`). */
  kind: 'toolInvocation' | 'toolPostApproval';
  toolId: string;
}

/**
 * Sends `query` to the agent in a new conversation with the scripted model. Resolves when the response is
 * complete, or with the confirmation VS Code waits on.
 */
export async function askAgent(model: AgentModel, query: string, ms = 60_000): Promise<ToolConfirmation | undefined> {
  await vscode.commands.executeCommand('workbench.action.chat.newChat');
  const sent = vscode.commands.executeCommand<unknown>('workbench.action.chat.open', { query, mode: 'agent', modelSelector: model.selector, blockOnResponse: true });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`the agent did not finish "${query}" within ${ms / 1000} s`)), ms)));
  try {
    const outcome = await Promise.race([sent, timeout]);
    const confirmation = outcome as Partial<ToolConfirmation> | undefined;
    return confirmation?.type === 'confirmation' ? (confirmation as ToolConfirmation) : undefined;
  } finally {
    clearTimeout(timer);
  }
}

export interface ReceivedCall {
  tool: string;
  arguments: Record<string, unknown>;
}

/** The tools/call messages the security scanner received, oldest first (the launcher names its record file). */
export function scannerCalls(): ReceivedCall[] {
  const file = process.env.SECURITY_SCANNER_RECORD_FILE;
  assert.ok(file, 'SECURITY_SCANNER_RECORD_FILE is not set: the launcher sets it for the host');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean)
    .map((line) => JSON.parse(line) as { method?: string; params?: { name?: string; arguments?: Record<string, unknown> } })
    .filter((message) => message.method === 'tools/call')
    .map((message) => ({ tool: String(message.params?.name), arguments: message.params?.arguments ?? {} }));
}

/**
 * The policy-changes reviewer, played by the test: each review is written down and held until `answer`
 * (or answered at once with `standing`). A review the file's next change makes moot is kept.
 */
export class HeldReviewer implements PolicyReviewer {
  readonly asked: PolicyChange[] = [];
  standing: ReviewAnswer | undefined;
  private readonly held: Array<(answer: ReviewAnswer) => void> = [];

  review(change: PolicyChange, signal: AbortSignal): Promise<ReviewAnswer> {
    this.asked.push(change);
    if (this.standing) return Promise.resolve(this.standing);
    return new Promise((resolve) => {
      this.held.push(resolve);
      signal.addEventListener('abort', () => resolve('keep'), { once: true });
    });
  }

  /** Answers every review still held. */
  answer(answer: ReviewAnswer): number {
    const held = this.held.splice(0);
    for (const resolve of held) resolve(answer);
    return held.length;
  }
}
