// The Servers view: the tree model rebuilt whenever the catalogue, the policy or a proxy's status changes,
// turned into tree items by one function per node kind.
import * as vscode from 'vscode';
import type { MemoryCatalogue } from '../../language/catalogue';
import type { ProxyStatus } from '../../workbench/proxy-status';
import { buildTreeModel, type TreeModel } from '../../workbench/tree-model';
import { Disposable } from '../lifecycle';
import type { PolicyState } from '../wiring/policy-state';
import { treeNode, treeNodes } from '../trust/tree-nodes';
import { hintTreeItem, noticeTreeItem } from './notice-node';
import { RiskDecorations } from './risk-decorations';
import { serverTreeItem } from './server-node';
import { toolTreeItem } from './tool-node';
import type { TreeElement } from './tree-elements';
import type { ToolMark } from '../../pinning/tool-marks';

export const SERVERS_VIEW_ID = 'mcpWarden.servers';
const REBUILD_DELAY_MS = 30;

/** The pin mark of each reported tool (src/extension/pinning/pin-marks.ts). */
export interface ToolPinMarks {
  mark(server: string, tool: string): ToolMark | undefined;
  /** A change of the lockfile waiting for a person: how many items would let tools through. */
  waiting(): number | undefined;
  onDidChange(listener: () => void): { dispose(): void };
}

/** Why protected servers are held back (launch not approved, workspace not trusted). */
export interface LaunchHolds {
  holdReason(server: string): string | undefined;
  readonly onDidChange: vscode.Event<void>;
}

export class ServersTree extends Disposable implements vscode.TreeDataProvider<TreeElement> {
  private readonly changed = this.register(new vscode.EventEmitter<TreeElement | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<TreeElement>;
  readonly decorations = new RiskDecorations();
  private current: TreeModel | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly rebuilt = this.register(new vscode.EventEmitter<TreeModel>());
  /** Fires after each rebuild, with the new model. */
  readonly onDidRebuild = this.rebuilt.event;

  constructor(
    private readonly catalogue: MemoryCatalogue,
    private readonly policy: PolicyState,
    private readonly status: ProxyStatus,
    private readonly holds?: LaunchHolds,
    private readonly pins?: ToolPinMarks,
  ) {
    super();
    this.view = this.register(vscode.window.createTreeView(SERVERS_VIEW_ID, { treeDataProvider: this, showCollapseAll: true }));
    this.register(vscode.window.registerFileDecorationProvider(this.decorations));
    this.register(catalogue.onDidChange(() => this.later()));
    this.register(policy.onDidChange(() => this.later()));
    this.register(status.onDidChange(() => this.later()));
    if (holds) this.register(holds.onDidChange(() => this.later()));
    if (pins) this.register(pins.onDidChange(() => this.later()));
    this.register(vscode.workspace.onDidGrantWorkspaceTrust(() => this.later()));
    this.register({ dispose: () => clearTimeout(this.timer) });
  }

  /** The model as the tree shows it now. */
  model(): TreeModel {
    this.current ??= this.build();
    return this.current;
  }

  /** Rebuilds now (commands call this after writing, so a test or a person sees the result at once). */
  refresh(): TreeModel {
    clearTimeout(this.timer);
    this.current = this.build();
    this.changed.fire(undefined);
    this.rebuilt.fire(this.current);
    return this.current;
  }

  /** The nodes VS Code receives (and passes back to commands run from the tree) are marked as the tree's own. */
  getChildren(element?: TreeElement): TreeElement[] {
    return treeNodes(this.children(element));
  }

  private children(element?: TreeElement): TreeElement[] {
    const model = this.model();
    if (!element) return [...model.notices, ...model.servers];
    if (element.kind !== 'server') return [];
    if (element.tools.length > 0) return element.tools;
    const message = element.transport === 'stdio'
      ? 'Tools not listed yet: click to discover them'
      : element.isProtected
        ? 'Tools are listed once the server runs behind Warden'
        : 'Protect it to see its tools: Warden lists them when its proxy runs';
    return [{ kind: 'hint', server: element.name, message }];
  }

  getTreeItem(element: TreeElement): vscode.TreeItem {
    switch (element.kind) {
      case 'server':
        return serverTreeItem(element);
      case 'tool':
        return toolTreeItem(element, this.pins?.mark(element.server, element.name));
      case 'notice':
        return noticeTreeItem(element);
      case 'hint':
        return hintTreeItem(element);
    }
  }

  getParent(element: TreeElement): TreeElement | undefined {
    if (element.kind === 'tool' || element.kind === 'hint') return treeNode(this.model().servers.find((server) => server.name === element.server));
    return undefined;
  }

  private later(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), REBUILD_DELAY_MS);
  }

  private build(): TreeModel {
    const waiting = this.policy.waitingChange;
    return buildTreeModel({
      ...(waiting ? { waitingChange: { loosened: waiting.loosened.length } } : {}),
      ...(this.pins?.waiting() ? { waitingLockChange: { loosened: this.pins.waiting()! } } : {}),
      servers: this.catalogue.servers(),
      protectedServers: this.policy.protectedServers,
      listed: (server) => {
        const listed = this.catalogue.tools(server);
        return listed && { tools: this.catalogue.rankedTools(server), origin: listed.origin, updated: listed.updated };
      },
      policy: this.policy.view,
      runtime: (server) => this.status.runtime(server),
      ...(this.holds ? { held: (server: string) => this.holds!.holdReason(server) } : {}),
      trusted: vscode.workspace.isTrusted,
      now: Date.now(),
    });
  }
}
