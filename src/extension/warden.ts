// Puts the Servers tree, the wiring into VS Code's MCP configuration, the control channel, approvals and
// the Decisions view together, and returns what the extension's API exposes of them.
import { mkdtempSync } from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import * as vscode from 'vscode';
import type { MemoryCatalogue } from '../language/catalogue';
import { ApprovalBroker, type ApprovalPrompt, type Approver } from '../workbench/approval-broker';
import { DecisionLog } from '../workbench/decision-log';
import { ProxyStatus } from '../workbench/proxy-status';
import { REVIEW_POLICY_CHANGE_COMMAND } from '../workbench/tree-model';
import { ApprovalPanelApprover } from './approval/approval-panel';
import { ApproverSeat } from './approval/approver-seat';
import { ControlService } from './control/control-service';
import { WindowGateway } from './gateway/window-gateway';
import { DecisionsView } from './decisions/decisions-view';
import { WardenStatusBar } from './decisions/status-bar';
import { registerToolCommands } from './tree/tool-commands';
import { registerTryCall, type TryCallApi } from './tree/try-call';
import { ServersTree } from './tree/servers-tree';
import { ProtectedServerDefinitions } from './wiring/definition-provider';
import { ApprovedDocuments } from './leash/approved-documents';
import { ApprovedStore } from './leash/approved-store';
import { ModalPolicyReviewer } from './leash/modal-reviewer';
import { comparePolicyTexts } from '../policy/policy-compare';
import { PolicyLeash, type KnownTools, type WaitingChange } from './leash/policy-leash';
import type { PolicyReviewer, ReviewAnswer } from './leash/policy-review';
import { setReviewSeat } from './leash/review-loosening';
import { PolicyReviewerSeat } from './leash/reviewer-seat';
import { InputSecrets } from './wiring/input-secrets';
import { PolicyState } from './wiring/policy-state';
import { registerProtectCommands } from './wiring/protect-commands';
import { LaunchApprovals, type LaunchReviewer } from './trust/launch-approvals';
import { approveReviewedLaunches, registerLaunchCommands } from './trust/launch-commands';
import { guardPolicyFilesFromAgentEdits } from './trust/agent-edit-guard';
import { registerPinning, type PinningApi } from './pinning/pinning';

export interface WardenApi {
  /** The Servers view's data: `tree.model()` is what it shows. */
  tree: ServersTree;
  /** The decisions the proxies reported, latest first. */
  decisions: DecisionLog;
  /** The Decisions view's data and its badge. */
  decisionsView: DecisionsView;
  /** What the connected proxies say about their servers. */
  proxies: ProxyStatus;
  /** The shield in the status bar. */
  statusBar: vscode.StatusBarItem;
  /** The workspace policy as saved, with its protected servers. */
  policy: PolicyState;
  /** Who answers approval requests: `approvals.use(approver)` takes the seat until disposed. */
  approvals: {
    use(approver: Approver): vscode.Disposable;
    waiting(): ApprovalPrompt[];
    allowances(): string[];
  };
  /** Who reviews policy changes that loosen: `policyChanges.use(reviewer)` takes the seat until disposed. */
  policyChanges: {
    use(reviewer: PolicyReviewer): vscode.Disposable;
    /** The change of the policy file that loosens it and waits for a person, if any. */
    waiting(): WaitingChange | undefined;
    /** The approved text of a policy file (absolute path): what its proxies enforce. */
    approvedText(file: string): string | undefined;
    /** Asks the reviewer again about the waiting change. */
    review(): Promise<ReviewAnswer>;
  };
  /** Answers for `${input:ID}` variables (`inputs.store(id, value)` skips the prompt). */
  inputs: InputSecrets;
  /** The MCP server definition provider (what VS Code is offered for each protected server). */
  definitions: ProtectedServerDefinitions;
  /**
   * Who approves a protected server's launch entry before it first runs on this machine (and after each
   * change): `launches.use(reviewer)` takes the seat from Warden's modal until disposed.
   */
  launches: {
    use(reviewer: LaunchReviewer): vscode.Disposable;
    isApproved(file: string, server: string, entry: Record<string, unknown>): boolean;
  };
  /** The lockfile beside the policy: the approved one (what the proxies enforce) and a change waiting for a person. */
  pinning: PinningApi;
  /** The window's gateway (gateway mode): its pid and url while it runs. */
  gateway: Pick<WindowGateway, 'pid' | 'url'>;
  /** Resolves with the control socket's path once it listens (undefined if it could not start). */
  controlSocket: Promise<string | undefined>;
  /** "Try a call…": `tryCall.open({ server, tool })` opens the form; its `send(values)` is the page's Send. */
  tryCall: TryCallApi;
}

export function registerWarden(context: vscode.ExtensionContext, catalogue: MemoryCatalogue): WardenApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('MCP Warden', { log: true });
  const decisions = new DecisionLog();
  const proxies = new ProxyStatus();
  const seat = new ApproverSeat(new ApprovalPanelApprover(context.extensionUri));
  const broker = new ApprovalBroker(() => seat);
  const control = new ControlService(controlDirectory(context), {
    catalogue,
    decisions,
    status: proxies,
    approvals: broker,
    log: (level, message) => log[level](message),
    alarm: (message) => void vscode.window.showErrorMessage(`MCP Warden refused a process that tried to speak for its proxy: ${message}.`),
    gateway: { welcomed: (identity, connection) => gateway.welcomed(identity, connection), closed: (identity) => gateway.closed(identity) },
  }, log);
  const gateway = new WindowGateway(control, log, () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath);
  const approved = new ApprovedStore(context.globalState);
  const approvedDocuments = new ApprovedDocuments(approved);
  const reviewers = new PolicyReviewerSeat(new ModalPolicyReviewer(approvedDocuments));
  setReviewSeat(reviewers);
  const leash = new PolicyLeash({
    store: approved,
    reviewers,
    compare: comparePolicyTexts,
    knownTools: () => knownTools(catalogue),
    trusted: () => vscode.workspace.isTrusted,
    enforce: (file, text) => {
      control.setApprovedPolicy(file, text);
      approvedDocuments.approvedChanged(file);
    },
  });
  const policy = new PolicyState(catalogue, leash);
  const pinning = registerPinning({ store: approved, reviewers, documents: approvedDocuments, policy, control, proxies, catalogue });
  const inputs = new InputSecrets(context.secrets);
  const launches = new LaunchApprovals(context.globalState);
  const tree = new ServersTree(catalogue, policy, proxies, { holdReason: (server) => definitions.holdReason(server), onDidChange: launches.onDidChange }, pinning.marks);
  const decisionsView = new DecisionsView(decisions);
  const statusBar = new WardenStatusBar(policy, proxies, pinning.marks);
  const definitions = new ProtectedServerDefinitions(context, policy, catalogue, control, inputs, proxies, log, launches, gateway);
  const tryCall = registerTryCall(tree, catalogue, decisions);
  context.subscriptions.push(
    log,
    approvedDocuments,
    { dispose: () => setReviewSeat(undefined) },
    leash,
    control,
    gateway,
    policy,
    ...pinning.disposables,
    tree,
    decisionsView,
    statusBar,
    definitions,
    ...registerToolCommands(tree, policy),
    ...pinning.commands(tree),
    ...tryCall.disposables,
    launches,
    ...registerProtectCommands(context, catalogue, policy, launches),
    ...registerLaunchCommands(policy, launches),
    leash.onDidApply((change) => void approveReviewedLaunches(change, launches)),
    vscode.commands.registerCommand('mcpWarden.showLog', () => log.show()),
    vscode.commands.registerCommand(REVIEW_POLICY_CHANGE_COMMAND, () => leash.reviewAgain()),
  );
  void guardPolicyFilesFromAgentEdits(context.globalState, log);
  log.info(`views, commands and the MCP server definition provider registered in ${(performance.now() - started).toFixed(1)} ms`);
  return {
    tree,
    decisions,
    decisionsView,
    proxies,
    statusBar: statusBar.item,
    policy,
    approvals: { use: (approver) => new vscode.Disposable(seat.use(approver).dispose), waiting: () => broker.waiting(), allowances: () => broker.allowances() },
    policyChanges: {
      use: (reviewer) => new vscode.Disposable(reviewers.use(reviewer).dispose),
      waiting: () => leash.waiting,
      approvedText: (file) => leash.approvedText(file),
      review: () => leash.reviewAgain(),
    },
    inputs,
    definitions,
    launches: { use: (reviewer) => launches.use(reviewer), isApproved: (file, server, entry) => launches.isApproved(file, server, entry) },
    gateway,
    controlSocket: control.ready.then((server) => server?.socketPath),
    tryCall: tryCall.api,
    pinning: pinning.api,
  };
}

/** The tool names the catalogue knows, by server: the comparison decides for each of them. */
function knownTools(catalogue: MemoryCatalogue): KnownTools {
  const names = new Set([...catalogue.servers().map((server) => server.name)]);
  return new Map([...names].map((server) => [server, (catalogue.tools(server)?.tools ?? []).map((tool) => tool.name)]));
}

/** The socket's folder: in the extension's storage when that is on this machine's disk. */
function controlDirectory(context: vscode.ExtensionContext): string {
  const storage = context.storageUri ?? context.globalStorageUri;
  return storage.scheme === 'file' ? path.join(storage.fsPath, 'control') : mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-'));
}
