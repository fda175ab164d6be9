// "Try a call…" on a tool of a protected server: a form for its arguments (from its input schema); Send
// calls the tool through VS Code's MCP client (vscode.lm.invokeTool), so the call reaches Warden's proxy
// as an agent's does: the policy decides it (an ask rule asks the person), the audit log records it and
// the Decisions view lists it. Nothing here decides or forwards a call itself. Only the person's Send on
// the page (or the extension's API) sends: the command, which an agent could run, only opens the form.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { MemoryCatalogue } from '../../language/catalogue';
import type { DecisionEntry, DecisionLog } from '../../workbench/decision-log';
import type { ToolRow } from '../../workbench/tree-model';
import { callForm, callInput, type CallForm, type FormValues } from '../../workbench/try-call-form';
import { tryCallHtml, type SendMessage, type ShowMessage } from '../../workbench/try-call-html';
import { findVscodeTool, type ToolLookup } from '../../workbench/vscode-tool-name';
import { visibleName } from '../../proxy/visible-text';
import type { ServersTree } from './servers-tree';
import { toolTarget, type ToolTarget } from './tool-commands';

/** How long after the answer the proxy's decision may still be on its way over the control channel. */
const DECISION_GRACE_MS = 3_000;

export interface TryCallApi {
  /** Opens (or shows again) the form for a tool of a protected server; undefined when it cannot be tried. */
  open(target: ToolTarget): TryCallPanel | undefined;
}

export function registerTryCall(tree: ServersTree, catalogue: MemoryCatalogue, decisions: DecisionLog): { api: TryCallApi; disposables: vscode.Disposable[] } {
  const panels = new Map<string, TryCallPanel>();
  const open = (target: ToolTarget): TryCallPanel | undefined => {
    const row = tree.model().servers.find((server) => server.name === target.server)?.tools.find((tool) => tool.name === target.tool);
    if (!row) {
      void vscode.window.showWarningMessage(`MCP Warden: ${visibleName(target.tool)} of ${visibleName(target.server)} is not among the tools Warden knows.`);
      return undefined;
    }
    if (!row.enforced) {
      void vscode.window.showWarningMessage(`MCP Warden: ${visibleName(target.server)} is not protected, so a call would not pass Warden. Protect it first, then try a call.`);
      return undefined;
    }
    const key = JSON.stringify([row.server, row.name]);
    const existing = panels.get(key);
    if (existing) {
      existing.reveal();
      return existing;
    }
    const panel = new TryCallPanel(row, catalogue, decisions);
    panels.set(key, panel);
    panel.onDidDispose(() => panels.delete(key));
    return panel;
  };
  const command = vscode.commands.registerCommand('mcpWarden.tryToolCall', async (target?: unknown) => {
    // A pick list only from the palette (no argument); anything else must name a tool.
    const resolved = target === undefined ? await pickProtectedTool(tree) : toolTarget(target);
    if (resolved) open(resolved);
  });
  return { api: { open }, disposables: [command, { dispose: () => [...panels.values()].forEach((panel) => panel.dispose()) }] };
}

export class TryCallPanel {
  readonly server: string;
  readonly tool: string;
  private readonly form: CallForm;
  private readonly panel: vscode.WebviewPanel;
  private readonly cancel = new vscode.CancellationTokenSource();
  private readonly shownEmitter = new vscode.EventEmitter<ShowMessage>();
  /** Fires with each state the page is told. */
  readonly onDidShow = this.shownEmitter.event;
  private shownLast: ShowMessage | undefined;
  private sending = false;
  private closed = false;

  constructor(
    row: ToolRow,
    private readonly catalogue: MemoryCatalogue,
    private readonly decisions: DecisionLog,
  ) {
    this.server = row.server;
    this.tool = row.name;
    // The schema VS Code's client has (what an agent is given), else the one Warden's catalogue kept.
    const lookup = this.lookup();
    this.form = callForm((lookup.ok ? vscode.lm.tools.find((tool) => tool.name === lookup.name)?.inputSchema : undefined) ?? row.info.inputSchema);
    this.panel = vscode.window.createWebviewPanel('mcpWarden.tryCall', `Try ${visibleName(row.name)}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, { enableScripts: true, localResourceRoots: [], retainContextWhenHidden: true });
    this.panel.webview.html = tryCallHtml(
      { server: row.server, tool: row.name, ...(row.info.description ? { description: row.info.description } : {}), summary: row.description, form: this.form },
      { nonce: randomBytes(16).toString('base64'), cspSource: this.panel.webview.cspSource },
    );
    this.panel.webview.onDidReceiveMessage((message: Partial<SendMessage>) => {
      if (message?.type === 'send' && Array.isArray(message.values)) void this.send(this.byName(message.values));
    });
    this.panel.onDidDispose(() => {
      this.closed = true;
      this.cancel.cancel();
      this.cancel.dispose();
      this.shownEmitter.dispose();
    });
  }

  /** The last state the page was told. */
  get shown(): ShowMessage | undefined {
    return this.shownLast;
  }

  readonly onDidDispose = (listener: () => void): vscode.Disposable => this.panel.onDidDispose(listener);

  reveal(): void {
    this.panel.reveal(vscode.ViewColumn.Beside);
  }

  dispose(): void {
    this.panel.dispose();
  }

  /** Sends the call with the form's values (by field name), as the page's Send does; resolves with what the page shows. */
  async send(values: FormValues): Promise<ShowMessage> {
    if (this.sending) return this.show({ type: 'show', state: 'problem', headline: 'A call is on its way already: wait for its answer.' });
    const input = callInput(this.form, values);
    if (!input.ok) return this.show({ type: 'show', state: 'problem', headline: 'Nothing was sent: the form has mistakes.', body: input.problems.join('\n') });
    const lookup = this.lookup();
    if (!lookup.ok) return this.show({ type: 'show', state: 'problem', headline: 'Nothing was sent.', body: lookup.problem });

    this.sending = true;
    try {
      const since = this.decisions.entries()[0]?.id ?? 0;
      this.show({ type: 'show', state: 'sending', headline: 'Sent: Warden decides (a tool that asks waits for your answer)…' });
      let answer: string;
      try {
        const result = await vscode.lm.invokeTool(lookup.name, { input: input.input, toolInvocationToken: undefined }, this.cancel.token);
        answer = resultText(result.content);
      } catch (error) {
        answer = error instanceof Error ? error.message : String(error);
      }
      const decision = await this.decisionAfter(since);
      if (!decision) return this.show({ type: 'show', state: 'problem', headline: 'Warden reported no decision for this call: it may not have passed its proxy.', body: answer });
      return this.show({ type: 'show', state: decision.decision === 'allow' ? 'allowed' : 'refused', headline: headline(decision), body: answer });
    } finally {
      this.sending = false;
    }
  }

  /** VS Code's tool for this one, when no other server could own its name. */
  private lookup(): ToolLookup {
    const others = this.catalogue.servers().filter((server) => server.name !== this.server || server.source.origin !== 'seen').map((server) => server.name);
    const mcpTools = vscode.lm.tools.filter((tool) => tool.tags.includes('mcp')).map((tool) => tool.name);
    return findVscodeTool(this.server, this.tool, mcpTools, others);
  }

  private byName(values: unknown[]): FormValues {
    const named: FormValues = {};
    this.form.fields.forEach((field, index) => {
      const value = values[index];
      if (typeof value === 'string' || typeof value === 'boolean') Object.defineProperty(named, field.name, { value, enumerable: true });
    });
    return named;
  }

  /** The first decision on this tool reported after `since`: already in the log, or arriving within the grace. */
  private decisionAfter(since: number): Promise<DecisionEntry | undefined> {
    const matches = (entry: DecisionEntry | undefined): entry is DecisionEntry => entry !== undefined && entry.id > since && entry.server === this.server && entry.tool === this.tool;
    const found = this.decisions.entries().filter(matches).at(-1);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => {
      const listener = this.decisions.onDidChange((entry) => {
        if (matches(entry)) done(entry);
      });
      const timer = setTimeout(() => done(undefined), DECISION_GRACE_MS);
      const done = (entry: DecisionEntry | undefined) => {
        clearTimeout(timer);
        listener.dispose();
        resolve(entry);
      };
    });
  }

  private show(message: ShowMessage): ShowMessage {
    this.shownLast = message;
    if (this.closed) return message;
    void this.panel.webview.postMessage(message);
    this.shownEmitter.fire(message);
    return message;
  }
}

async function pickProtectedTool(tree: ServersTree): Promise<ToolTarget | undefined> {
  const items = tree.model().servers.filter((server) => server.isProtected).flatMap((server) => server.tools.map((tool) => ({ label: tool.name, description: `${server.name} · ${tool.description}`, target: { server: server.name, tool: tool.name } })));
  return (await vscode.window.showQuickPick(items, { title: 'Try a call', placeHolder: items.length > 0 ? 'Which tool of a protected server?' : 'No protected server has listed its tools yet' }))?.target;
}

function headline(entry: DecisionEntry): string {
  const by = entry.rule ? ` by rule "${entry.rule}"${entry.line ? ` (line ${entry.line})` : ''}` : entry.line ? ` by the default (line ${entry.line})` : '';
  const approval = entry.approval ? `; ${entry.approval.answer} by ${entry.approval.by}` : '';
  if (entry.decision === 'allow') return `Warden allowed the call${by}${approval}. The server answered:`;
  const reason = entry.reason ? `: ${entry.reason.replace(/\.+$/, '')}` : '';
  return `Warden refused the call${by}${approval}${reason}. The server never saw it. The agent would read:`;
}

function resultText(parts: readonly unknown[]): string {
  return parts.map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : `[${part?.constructor?.name ?? 'part'}]`)).join('\n');
}
