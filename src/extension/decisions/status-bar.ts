// A shield in the status bar with the number of protected servers, on a warning colour while the policy
// has errors (in the editor's reading, or in a proxy's report) or a change that loosens it (or its
// lockfile) waits for a person. A click shows the Servers view, or reviews the waiting change.
import * as vscode from 'vscode';
import type { ProxyStatus } from '../../workbench/proxy-status';
import { REVIEW_LOCK_CHANGE_COMMAND, REVIEW_POLICY_CHANGE_COMMAND } from '../../workbench/tree-model';
import { Disposable } from '../lifecycle';
import type { PolicyState } from '../wiring/policy-state';

export class WardenStatusBar extends Disposable {
  readonly item: vscode.StatusBarItem;

  constructor(
    private readonly policy: PolicyState,
    private readonly status: ProxyStatus,
    /** A change of the lockfile waiting for a person (src/extension/pinning/pin-marks.ts). */
    private readonly lock?: { waiting(): number | undefined; onDidChange(listener: () => void): { dispose(): void } },
  ) {
    super();
    this.item = this.register(vscode.window.createStatusBarItem('mcpWarden.status', vscode.StatusBarAlignment.Left, 50));
    this.item.name = 'MCP Warden';
    this.item.command = 'mcpWarden.servers.focus';
    this.register(policy.onDidChange(() => this.update()));
    this.register(status.onDidChange(() => this.update()));
    if (lock) this.register(lock.onDidChange(() => this.update()));
    this.update();
  }

  private update(): void {
    const count = this.policy.protectedServers.length;
    const running = this.status.running().length;
    const problems = this.status.policyProblems();
    const invalid = this.policy.view.state === 'invalid' || problems.length > 0;
    const waiting = this.policy.waitingChange;
    const lockWaiting = this.lock?.waiting();
    this.item.text = `$(shield) ${count}${invalid ? ' $(warning)' : ''}${waiting || lockWaiting ? ' $(bell-dot) change waiting' : ''}`;
    const lines = [`MCP Warden: ${count} protected ${count === 1 ? 'server' : 'servers'}, ${running} running behind Warden's proxy.`];
    if (this.policy.view.state === 'invalid') lines.push(`The policy has errors: ${this.policy.view.problem}`);
    for (const problem of problems) lines.push(`A proxy reports the policy ${problem.status}${problem.keptLastGood ? ' (it keeps the last good version)' : ' (it refuses every call)'}.`);
    if (waiting) lines.push(`A change to the policy loosens what is enforced (${waiting.loosened.length} ${waiting.loosened.length === 1 ? 'item' : 'items'}) and waits for your review; the proxies keep the approved policy. Click to review it.`);
    if (lockWaiting) lines.push(`A change to the lockfile lets tools through that the approved pins hold back (${lockWaiting} ${lockWaiting === 1 ? 'item' : 'items'}) and waits for your review; the proxies keep the approved pins.${waiting ? '' : ' Click to review it.'}`);
    this.item.tooltip = lines.join('\n');
    this.item.command = waiting ? REVIEW_POLICY_CHANGE_COMMAND : lockWaiting ? REVIEW_LOCK_CHANGE_COMMAND : 'mcpWarden.servers.focus';
    this.item.backgroundColor = invalid || waiting || lockWaiting ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }
}
