// Runs the control socket for the editor session: started at activation (listening costs a few
// milliseconds), handed to every proxy VS Code starts for a protected server, closed on deactivation.
import type * as vscode from 'vscode';
import { controlHandlers, type HubSinks } from '../../workbench/control-hub';
import { ApprovedPolicies } from '../../workbench/control-policies';
import { ControlServer } from '../../workbench/control-server';
import { Disposable } from '../lifecycle';

export class ControlService extends Disposable {
  /** The running server; undefined when it could not start (proxies then ask by elicitation, or deny). */
  readonly ready: Promise<ControlServer | undefined>;
  /** What each policy file's proxies enforce: set before or after the server starts. A policy waits for its lockfile. */
  private readonly policies = new ApprovedPolicies({ awaitLocks: true });

  constructor(directory: string, sinks: HubSinks, log: vscode.LogOutputChannel) {
    super();
    this.ready = ControlServer.start({ directory, policies: this.policies, handlers: (id, connection) => controlHandlers(id, connection, sinks) }).then(
      (server) => {
        log.info(`control channel listening on ${server.socketPath}`);
        if (this.isDisposed) void server.close();
        else this.register({ dispose: () => void server.close() });
        return server;
      },
      (error: Error) => {
        log.error(`control channel could not start: ${error.message}; approvals fall back to the agent's client`);
        return undefined;
      },
    );
  }

  /**
   * Records `text` as the approved policy of `file` (its absolute path): the connected proxies of that file
   * enforce it from their next call, and proxies started later get it when they connect. Until a file has
   * one, its proxies refuse every call.
   */
  setApprovedPolicy(file: string, text: string): void {
    this.policies.set(file, text);
  }

  /**
   * Records the approved lockfile beside the policy `file` (undefined: none, nothing pinned). A policy is
   * sent to its proxies only once its lockfile has been recorded, so they never run without their pins.
   */
  setApprovedLock(file: string, lock: string | undefined): void {
    this.policies.setLock(file, lock);
  }

  /** The approved policy text of `file`, as last set. */
  approvedPolicy(file: string): string | undefined {
    return this.policies.get(file);
  }

  /** The environment one launch of `server`'s proxy needs to reach this editor, with its own ticket (empty when the channel is down). */
  async env(server: string): Promise<Record<string, string>> {
    return (await this.ready)?.env(server) ?? {};
  }
}
