// The approver people see: a panel beside the editor with the call's server, tool, risk, reason and exact
// arguments, and [Allow once] [Allow for this session] [Deny]. It closes itself when the proxy stops
// waiting, which a modal dialog could not do.
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ApprovalChoice, ApprovalPrompt, Approver } from '../../workbench/approval-broker';
import { APPROVAL_BUTTONS, approvalHtml } from '../../workbench/approval-html';
import { visibleName } from '../../proxy/visible-text';

const CHOICES = new Set<string>(APPROVAL_BUTTONS.map((button) => button.choice));

export class ApprovalPanelApprover implements Approver {
  constructor(private readonly extensionUri: vscode.Uri) {}

  ask(prompt: ApprovalPrompt, signal: AbortSignal): Promise<ApprovalChoice | undefined> {
    if (signal.aborted) return Promise.resolve(undefined);
    const panel = vscode.window.createWebviewPanel(
      'mcpWarden.approval',
      `Approve ${visibleName(prompt.tool)}?`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
      { enableScripts: true, localResourceRoots: [], retainContextWhenHidden: true },
    );
    panel.iconPath = { light: vscode.Uri.joinPath(this.extensionUri, 'media', 'warden-light.svg'), dark: vscode.Uri.joinPath(this.extensionUri, 'media', 'warden-dark.svg') };
    panel.webview.html = approvalHtml(prompt, {
      nonce: randomBytes(16).toString('base64'),
      cspSource: panel.webview.cspSource,
      remainingMs: prompt.timeoutMs,
      ...(prompt.line ? { ruleLocation: `${path.basename(prompt.policyFile)}:${prompt.line}` } : {}),
    });
    return new Promise<ApprovalChoice | undefined>((resolve) => {
      let settled = false;
      const settle = (choice: ApprovalChoice | undefined) => {
        if (settled) return;
        settled = true;
        subscriptions.forEach((subscription) => subscription.dispose());
        signal.removeEventListener('abort', onAbort);
        resolve(choice);
        panel.dispose();
      };
      const onAbort = () => {
        settle(undefined);
        void vscode.window.showWarningMessage(`MCP Warden: the call of ${visibleName(prompt.tool)} (${visibleName(prompt.server)}) was not approved: ${String(signal.reason)}.`);
      };
      const subscriptions = [
        panel.webview.onDidReceiveMessage((message: { choice?: unknown }) => {
          if (typeof message?.choice === 'string' && CHOICES.has(message.choice)) settle(message.choice as ApprovalChoice);
        }),
        panel.onDidDispose(() => settle(undefined)),
      ];
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
