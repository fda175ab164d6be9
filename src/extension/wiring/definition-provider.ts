// Gives VS Code's MCP client the protected servers: each one is Warden's proxy, run by the editor's own
// Node (process.execPath with ELECTRON_RUN_AS_NODE=1) from the bundled dist/cli.js, with the server's entry
// from the policy's `launch`; or, in gateway mode (`mcpWarden.proxyMode`), an HTTP definition at the
// window's one gateway, which is given the resolved entry over the control channel and whose token VS Code
// gets in the resolved definition only (the offered one, which VS Code caches, carries none). A server starts only once a person approved its exact entry on this machine
// (LaunchApprovals); inputs are asked (and the control channel attached) only when VS Code starts it; in an
// untrusted workspace no server is offered at all. Settings come from user settings only (warden-settings).
import { mkdir, readFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ToolCatalogue } from '../../language/catalogue';
import { parseDotenv } from '../../workbench/dotenv';
import type { LaunchEntry, ProtectedServer } from '../../workbench/launch-entry';
import { chooseMode, gatewayServerUrl, servedServer, type ProxyMode } from '../../workbench/gateway-launch';
import { definitionVersion, PROXY_NODE_OPTIONS, proxyInvocation } from '../../workbench/proxy-launch';
import type { ProxyStatus } from '../../workbench/proxy-status';
import { inputIds, resolveEntry, resolveText, type VariableContext } from '../../workbench/variables';
import type { ControlService } from '../control/control-service';
import type { WindowGateway } from '../gateway/window-gateway';
import { Disposable } from '../lifecycle';
import { LAUNCH_NOT_APPROVED, WORKSPACE_NOT_TRUSTED, type LaunchApprovals } from '../trust/launch-approvals';
import { wardenSetting } from '../trust/warden-settings';
import type { InputSecrets } from './input-secrets';
import type { PolicyState } from './policy-state';

export const DEFINITION_PROVIDER_ID = 'mcpWarden.protectedServers';

type Definition = vscode.McpStdioServerDefinition | vscode.McpHttpServerDefinition;

interface Prepared {
  server: ProtectedServer;
  /** The entry with everything but `${input:...}` resolved. */
  entry: LaunchEntry;
}

export class ProtectedServerDefinitions extends Disposable implements vscode.McpServerDefinitionProvider<Definition> {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChangeMcpServerDefinitions = this.changed.event;
  private prepared = new Map<string, Prepared>();
  /** The tool names each definition's version was computed with. */
  private toolSignatures = new Map<string, string>();
  private lastOffered = '';
  private lastMode: ProxyMode | undefined;
  /** What each server the gateway serves was resolved from: its policy file and its entry as approved. */
  private readonly servedEntries = new Map<string, { policyFile: string; entry: string }>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly policy: PolicyState,
    private readonly catalogue: ToolCatalogue,
    private readonly control: ControlService,
    private readonly inputs: InputSecrets,
    private readonly proxies: ProxyStatus,
    private readonly log: vscode.LogOutputChannel,
    private readonly launches: LaunchApprovals,
    private readonly gateway: WindowGateway,
  ) {
    super();
    // A restarted gateway listens elsewhere: the new URL in the definitions makes VS Code drop the dead
    // connections and resolve its servers again.
    this.register(gateway.onDidRestart(() => this.changed.fire()));
    // A server stays served only while its entry is the one approved and resolved.
    const prune = () => this.pruneGateway();
    this.register(policy.onDidChange(prune));
    this.register(launches.onDidChange(prune));
    this.register(policy.onDidChange(() => this.offerIfChanged()));
    this.register(launches.onDidChange(() => this.changed.fire()));
    this.register(vscode.workspace.onDidGrantWorkspaceTrust(() => this.changed.fire()));
    this.register(vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('mcpWarden.proxyMode') || event.affectsConfiguration('mcpWarden.approvalTimeoutSeconds') || event.affectsConfiguration('mcpWarden.auditLogFolder') || event.affectsConfiguration('mcpWarden.rewriteAnnotations')) this.changed.fire();
    }));
    // A new version tells VS Code that its cached tools of a server are outdated. Not while the server
    // runs: VS Code has its live tools then, and a changed definition makes it stop the server.
    const offerNewTools = () => {
      if ([...this.toolSignatures].some(([name, signature]) => signature !== this.toolSignature(name))) this.changed.fire();
    };
    this.register(catalogue.onDidChange(offerNewTools));
    this.register(proxies.onDidChange(offerNewTools));
    this.register(vscode.lm.registerMcpServerDefinitionProvider(DEFINITION_PROVIDER_ID, this));
  }

  provideMcpServerDefinitions(): Definition[] {
    if (!vscode.workspace.isTrusted) {
      if (this.policy.protectedServers.length > 0) this.log.warn('the workspace is not trusted: protected servers are not offered to VS Code');
      return [];
    }
    const policyFile = this.policy.uri;
    if (!policyFile || policyFile.scheme !== 'file') return [];
    const prepared = new Map<string, Prepared>();
    const definitions: Definition[] = [];
    const mode = this.mode();
    if (mode === 'perServer') {
      this.servedEntries.clear();
      void this.gateway.stop();
    }
    for (const server of this.policy.protectedServers) {
      try {
        const entry = resolveEntry(server.entry, this.variables());
        if (mode === 'gateway') {
          definitions.push(this.gatewayDefinition(server, entry, policyFile.fsPath));
          prepared.set(server.name, { server, entry });
          continue;
        }
        const invocation = proxyInvocation(entry, this.proxyOptions(server.name, policyFile.fsPath));
        const signature = this.toolSignature(server.name);
        this.toolSignatures.set(server.name, signature);
        const version = definitionVersion(server.entry, invocation.args, signature, this.context.extension.packageJSON?.version);
        const definition = new vscode.McpStdioServerDefinition(server.name, process.execPath, invocation.args, invocation.env, version);
        const cwd = invocation.cwd ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
        if (cwd) definition.cwd = vscode.Uri.file(cwd);
        prepared.set(server.name, { server, entry });
        definitions.push(definition);
      } catch (error) {
        this.log.error(`[${server.name}] cannot be offered to VS Code: ${(error as Error).message}`);
      }
    }
    this.prepared = prepared;
    return definitions;
  }

  async resolveMcpServerDefinition(definition: Definition, token?: vscode.CancellationToken): Promise<Definition | undefined> {
    if (!vscode.workspace.isTrusted) {
      this.log.warn(`[${definition.label}] not started: the workspace is not trusted`);
      return undefined;
    }
    const prepared = this.prepared.get(definition.label);
    const policyFile = this.policy.uri;
    if (!prepared || !policyFile) {
      this.log.warn(`[${definition.label}] is no longer protected by the policy; not started`);
      return undefined;
    }
    // The entry as the policy has it now must be the one offered, and approved by a person on this machine.
    const current = this.policy.protectedServer(definition.label);
    if (!current || JSON.stringify(current.entry) !== JSON.stringify(prepared.server.entry)) {
      this.log.warn(`[${definition.label}] not started: its launch entry changed since it was offered`);
      this.changed.fire();
      return undefined;
    }
    if (!(await this.launches.ensure(policyFile.fsPath, definition.label, current.entry, abortSignal(token)))) {
      this.log.warn(`[${definition.label}] not started: ${LAUNCH_NOT_APPROVED} (run "Approve Launch" on it in the Servers view)`);
      return undefined;
    }
    const answers = await this.inputs.answers(inputIds(prepared.entry), definition.label);
    if (!answers) {
      this.log.warn(`[${definition.label}] not started: an input was not given`);
      return undefined;
    }
    const entry = resolveEntry(prepared.entry, this.variables(), answers);
    const fileEnv = typeof entry.envFile === 'string' ? await this.readEnvFile(entry.envFile, definition.label) : {};
    if (definition instanceof vscode.McpHttpServerDefinition) return this.resolveAtGateway(definition, entry, fileEnv, policyFile.fsPath);
    if (this.mode() === 'gateway') {
      // Offered as a proxy before the window changed to the gateway: VS Code is told to ask again.
      this.changed.fire();
      return undefined;
    }
    const options = this.proxyOptions(definition.label, policyFile.fsPath);
    if (options.auditFile) await mkdir(path.dirname(options.auditFile), { recursive: true });
    const invocation = proxyInvocation(entry, options, fileEnv);
    definition.args = invocation.args;
    // Last, so the ticket (single-use, short-lived) is issued right before VS Code starts the proxy.
    definition.env = { ...invocation.env, ...(await this.control.env(definition.label)) };
    this.log.info(`[${definition.label}] starting behind Warden's proxy`);
    return definition;
  }

  /** The window's mode, from `mcpWarden.proxyMode` and what this host can do; a change is logged once. */
  mode(): ProxyMode {
    const chosen = chooseMode({ setting: wardenSetting<string>('proxyMode'), httpDefinitions: typeof vscode.McpHttpServerDefinition === 'function', gatewayUnusable: this.gateway.unusable });
    if (chosen.mode !== this.lastMode) {
      this.lastMode = chosen.mode;
      this.log.info(chosen.mode === 'gateway' ? `protected servers run in one gateway for this window (${chosen.why})` : `each protected server runs behind its own proxy (${chosen.why})`);
    }
    return chosen.mode;
  }

  /**
   * The offered definition, which VS Code keeps: no token, and the gateway's address only as a placeholder
   * (the resolved definition has the real one), so the first start changes nothing VS Code was offered. A
   * gateway restarted after it died is a new version: VS Code drops its dead connections and resolves again.
   */
  private gatewayDefinition(server: ProtectedServer, entry: LaunchEntry, policyFile: string): vscode.McpHttpServerDefinition {
    // Checked here, so an entry that cannot be served is reported when offered, as for a proxy.
    servedServer(server.name, entry);
    const signature = this.toolSignature(server.name);
    this.toolSignatures.set(server.name, signature);
    const version = definitionVersion(server.entry, 'gateway', this.gateway.generation, this.gatewayOptions(policyFile), signature, this.context.extension.packageJSON?.version);
    return new vscode.McpHttpServerDefinition(server.name, vscode.Uri.parse(gatewayServerUrl('http://127.0.0.1', server.name)), {}, version);
  }

  /** Serves the resolved entry at the window's gateway (started if need be) and points VS Code at it. */
  private async resolveAtGateway(definition: vscode.McpHttpServerDefinition, entry: LaunchEntry, fileEnv: Record<string, string>, policyFile: string): Promise<Definition | undefined> {
    const options = this.gatewayOptions(policyFile);
    if (options.auditFile) await mkdir(path.dirname(options.auditFile), { recursive: true });
    const served = servedServer(definition.label, entry, fileEnv, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath);
    this.servedEntries.set(definition.label, { policyFile, entry: JSON.stringify(this.policy.protectedServer(definition.label)?.entry) });
    const endpoint = await this.gateway.serve(served, options);
    if (!endpoint) {
      this.servedEntries.delete(definition.label);
      this.gateway.prune((name) => this.servedEntries.has(name));
      if (this.mode() === 'perServer') {
        this.log.warn(`[${definition.label}] not started: the gateway cannot be used in this window; its servers are offered behind their own proxies from now on (set mcpWarden.proxyMode to choose)`);
        this.changed.fire();
      } else {
        this.log.error(`[${definition.label}] not started: the gateway did not start (mcpWarden.proxyMode is gateway)`);
      }
      return undefined;
    }
    definition.uri = vscode.Uri.parse(gatewayServerUrl(endpoint.url, definition.label));
    definition.headers = { ...definition.headers, Authorization: `Bearer ${endpoint.token}` };
    this.log.info(`[${definition.label}] starting behind Warden's gateway`);
    return definition;
  }

  /** Drops from the gateway each server whose entry changed, is no longer approved, or is no longer protected. */
  private pruneGateway(): void {
    this.gateway.prune((name) => {
      const served = this.servedEntries.get(name);
      const current = this.policy.protectedServer(name);
      const keep = !!served && !!current && vscode.workspace.isTrusted && served.policyFile === this.policy.uri?.fsPath
        && served.entry === JSON.stringify(current.entry) && this.launches.isApproved(served.policyFile, name, current.entry);
      if (!keep) this.servedEntries.delete(name);
      return keep;
    });
  }

  private gatewayOptions(policyFile: string) {
    const { server: _server, auditFile: _auditFile, ...options } = this.proxyOptions('gateway', policyFile);
    const auditFolder = this.auditFolder(wardenSetting<string>('auditLogFolder')?.trim());
    return { ...options, ...(auditFolder ? { auditFile: path.join(auditFolder, 'gateway.jsonl') } : {}) };
  }

  /** Why a protected server does not start, for the tree: untrusted workspace, or an entry nobody approved. */
  holdReason(server: string): string | undefined {
    const guarded = this.policy.protectedServer(server);
    const policyFile = this.policy.uri;
    if (!guarded || !policyFile) return undefined;
    if (!vscode.workspace.isTrusted) return WORKSPACE_NOT_TRUSTED;
    return this.launches.isApproved(policyFile.fsPath, server, guarded.entry) ? undefined : LAUNCH_NOT_APPROVED;
  }

  private offerIfChanged(): void {
    const offered = JSON.stringify([this.policy.uri?.toString(), this.policy.protectedServers.map((s) => [s.name, s.entry])]);
    if (offered === this.lastOffered) return;
    this.lastOffered = offered;
    this.changed.fire();
  }

  private toolSignature(server: string): string {
    const offered = this.toolSignatures.get(server);
    if (offered !== undefined && this.proxies.running().includes(server)) return offered;
    return (this.catalogue.tools(server)?.tools.map((tool) => tool.name) ?? []).sort().join(',');
  }

  private proxyOptions(server: string, policyFile: string) {
    const auditFolder = this.auditFolder(wardenSetting<string>('auditLogFolder')?.trim());
    const auditFile = auditFolder ? path.join(auditFolder, `${server.replace(/[^A-Za-z0-9._-]/g, '_')}.jsonl`) : undefined;
    const seconds = wardenSetting<number>('approvalTimeoutSeconds');
    return {
      cliPath: path.join(this.context.extensionPath, 'dist', 'cli.js'),
      ...(process.versions.electron ? {} : { nodeOptions: PROXY_NODE_OPTIONS }),
      policyFile,
      server,
      ...(auditFile ? { auditFile } : {}),
      ...(typeof seconds === 'number' && seconds > 0 ? { approvalTimeoutSeconds: seconds } : {}),
      ...(wardenSetting<boolean>('rewriteAnnotations') === false ? { trustAnnotations: true } : {}),
    };
  }

  /** The `mcpWarden.auditLogFolder` setting (relative to the first folder), else the workspace storage. */
  private auditFolder(configured: string | undefined): string | undefined {
    const root = vscode.workspace.workspaceFolders?.[0]?.uri;
    if (configured && (path.isAbsolute(configured) || root?.scheme === 'file')) return path.resolve(root?.fsPath ?? '', configured);
    const storage = this.context.storageUri ?? this.context.globalStorageUri;
    return storage.scheme === 'file' ? path.join(storage.fsPath, 'audit') : undefined;
  }

  private variables(): VariableContext {
    return { workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath, userHome: os.homedir(), pathSeparator: path.sep, env: process.env };
  }

  private async readEnvFile(file: string, server: string): Promise<Record<string, string>> {
    const resolved = resolveText(file, this.variables());
    try {
      return parseDotenv(await readFile(path.resolve(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '', resolved), 'utf8'));
    } catch (error) {
      this.log.warn(`[${server}] envFile ${resolved} could not be read: ${(error as Error).message}`);
      return {};
    }
  }
}

function abortSignal(token: vscode.CancellationToken | undefined): AbortSignal {
  const controller = new AbortController();
  if (token?.isCancellationRequested) controller.abort();
  token?.onCancellationRequested(() => controller.abort());
  return controller.signal;
}
