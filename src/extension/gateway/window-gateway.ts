// The window's one gateway: started when the first protected server is needed, told over the control
// channel which servers to serve (each entry resolved, secrets included: never on a command line, in its
// environment or in a file), and restarted with backoff when it dies. Its hello says where it listens and
// the token it made for its listener; the token stays in this process's memory. A gateway whose hello came
// but that does not answer on loopback from this extension host is not used: VS Code's MCP client opens an
// extension's HTTP definitions from the extension host, so what this host cannot reach VS Code cannot either.
import type * as vscode from 'vscode';
import { CONTROL_TICKET_ENV, type ServedServer } from '../../proxy/control-protocol';
import type { ControlConnection, GatewayEndpoint, ProxyIdentity } from '../../workbench/control-connection';
import { GATEWAY_HOLDER } from '../../workbench/control-connection';
import { gatewayInvocation, RestartBackoff, type GatewayOptions } from '../../workbench/gateway-launch';
import type { ControlService } from '../control/control-service';
import { Disposable } from '../lifecycle';
import { GatewayProcess, type GatewayExit } from './gateway-process';

/** How long a started gateway has to say hello and answer `/healthz`. */
const READY_TIMEOUT_MS = 15_000;

interface Run {
  process: GatewayProcess;
  /** The command line it was started with: other options need another gateway. */
  key: string;
  ready: Promise<GatewayEndpoint | undefined>;
  endpoint?: GatewayEndpoint;
  connection?: ControlConnection;
  welcomed?: (endpoint: GatewayEndpoint) => void;
}

export class WindowGateway extends Disposable {
  private run: Run | undefined;
  private options: GatewayOptions | undefined;
  private readonly served = new Map<string, ServedServer>();
  private readonly backoff = new RestartBackoff();
  private restartTimer: NodeJS.Timeout | undefined;
  /** A start waiting for the control channel's ticket, so concurrent starts share one gateway. */
  private starting: Promise<void> | undefined;
  private readonly restartedListeners = new Set<() => void>();
  /** Why the last start failed (no hello, not reachable), for the mode's fallback. */
  unusable: string | undefined;
  /** How many times a gateway that died was replaced: part of each definition's version. */
  generation = 0;

  constructor(
    private readonly control: ControlService,
    private readonly log: vscode.LogOutputChannel,
    private readonly cwd: () => string | undefined,
  ) {
    super();
    this.register({ dispose: () => this.shutDown() });
  }

  /** Called (by the control hub) when a gateway is welcomed: it must be the one this window started. */
  welcomed(gateway: ProxyIdentity, connection: ControlConnection): void {
    const run = this.run;
    if (!run || !gateway.gateway || gateway.pid !== run.process.pid) {
      this.log.error(`a gateway this window did not start (pid ${gateway.pid}) connected; it is given no servers`);
      return;
    }
    run.connection = connection;
    run.process.conceal(gateway.gateway.token);
    connection.sendServers([...this.served.values()]);
    run.welcomed?.(gateway.gateway);
  }

  /** The gateway's control connection closed (it may reconnect; its process ending is what restarts it). */
  closed(gateway: ProxyIdentity): void {
    if (this.run?.process.pid === gateway.pid) this.run.connection = undefined;
  }

  /** Heard when a gateway that served ended, and again once another serves: its old address and token are gone. */
  onDidRestart(listener: () => void): vscode.Disposable {
    this.restartedListeners.add(listener);
    return { dispose: () => this.restartedListeners.delete(listener) };
  }

  /** The gateway's url while one runs (not secret: VS Code is also given the token, in the resolved definition only). */
  get url(): string | undefined {
    return this.run?.endpoint?.url;
  }

  /** The running gateway's pid, if any. */
  get pid(): number | undefined {
    return this.run?.endpoint ? this.run.process.pid : undefined;
  }

  /**
   * Serves `server` (fully resolved) at the gateway started with `options`, starting or restarting it as
   * needed; resolves with where VS Code reaches it, or undefined when no gateway could be had.
   */
  async serve(server: ServedServer, options: GatewayOptions): Promise<GatewayEndpoint | undefined> {
    this.served.set(server.name, server);
    const endpoint = await this.ensure(options);
    if (endpoint) this.run?.connection?.sendServers([...this.served.values()]);
    return endpoint;
  }

  /** Stops serving the servers `keep` refuses (their entry changed, or is no longer approved). */
  prune(keep: (name: string) => boolean): void {
    const dropped = [...this.served.keys()].filter((name) => !keep(name));
    if (dropped.length === 0) return;
    for (const name of dropped) this.served.delete(name);
    this.log.info(`gateway: no longer serving ${dropped.join(', ')}`);
    this.run?.connection?.sendServers([...this.served.values()]);
  }

  /** Serves nothing and ends the gateway (the window now runs a proxy per server). */
  async stop(): Promise<void> {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.served.clear();
    if (this.run) this.log.info('gateway stopped: protected servers run behind their own proxies now');
    await this.replace();
  }

  private async ensure(options: GatewayOptions): Promise<GatewayEndpoint | undefined> {
    const key = JSON.stringify(gatewayInvocation(options));
    this.options = options;
    if (this.run && this.run.key !== key) {
      this.log.info('gateway: its options changed (audit folder, approval timeout or annotations); starting a new one');
      await this.replace();
    }
    if (!this.run) {
      this.starting ??= this.control.env(GATEWAY_HOLDER).then((env) => {
        this.starting = undefined;
        if (!this.run && !this.isDisposed) this.start(options, env);
      });
      await this.starting;
    }
    return this.run?.ready;
  }

  /** Starts a gateway; `controlEnv` carries the socket and a fresh ticket (empty when the channel is down). */
  private start(options: GatewayOptions, controlEnv: Record<string, string>): void {
    const invocation = gatewayInvocation(options);
    const key = JSON.stringify(invocation);
    // Without the channel a gateway would read the policy file and its launch entries: never start one so.
    if (controlEnv[CONTROL_TICKET_ENV] === undefined) {
      this.unusable = 'the control channel is not running';
      this.log.error(`gateway not started: ${this.unusable}`);
      return;
    }
    let welcomed: (endpoint: GatewayEndpoint) => void = () => undefined;
    const hello = new Promise<GatewayEndpoint>((resolve) => (welcomed = resolve));
    const process = new GatewayProcess(invocation, controlEnv, this.cwd(), (line) => this.log.debug(`[gateway] ${line}`));
    const run: Run = { process, key, welcomed, ready: Promise.resolve(undefined) };
    this.run = run;
    this.log.info(`gateway starting (pid ${process.pid ?? '?'})`);
    run.ready = this.whenReady(run, hello);
    void process.exited.then((exit) => this.ended(run, exit));
  }

  private async whenReady(run: Run, hello: Promise<GatewayEndpoint>): Promise<GatewayEndpoint | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), READY_TIMEOUT_MS)));
    const first = await Promise.race([hello, timeout, run.process.exited.then(() => 'exited' as const)]);
    clearTimeout(timer);
    if (first === 'timeout') return this.unready(run, `no hello within ${READY_TIMEOUT_MS / 1000} s`);
    if (first === 'exited') return this.unready(run, 'it exited before its hello');
    const reachable = await healthy(first);
    if (reachable !== true) return this.unready(run, `${first.url}/healthz did not answer from this extension host (${reachable})`);
    run.endpoint = first;
    this.unusable = undefined;
    this.log.info(`gateway ready at ${first.url} (pid ${run.process.pid})`);
    return first;
  }

  private async unready(run: Run, why: string): Promise<undefined> {
    const said = run.process.recentStderr.length > 0 ? `; it last said: ${run.process.recentStderr.join(' | ')}` : '';
    why += said;
    this.unusable = why;
    this.log.error(`gateway not usable: ${why}`);
    if (this.run === run) this.run = undefined;
    await run.process.stop();
    return undefined;
  }

  private ended(run: Run, exit: GatewayExit): void {
    if (run.process.isStopping) return;
    const how = exit.error ?? (exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`);
    if (this.run !== run) return;
    this.run = undefined;
    if (!run.endpoint) return;
    const delay = this.backoff.next(exit.ranMs);
    const said = run.process.recentStderr.length > 0 ? `; it last said: ${run.process.recentStderr.join(' | ')}` : '';
    this.log.error(`gateway (pid ${run.process.pid}) ended (${how}) after ${(exit.ranMs / 1000).toFixed(1)} s: calls in flight failed; restarting in ${delay} ms${said}`);
    // VS Code is told at once that the old address is gone: until then it would reconnect to the freed
    // port, which any local process (a server that killed the gateway) could have taken meanwhile.
    this.generation++;
    for (const listener of [...this.restartedListeners]) listener();
    this.restartTimer = setTimeout(() => void this.restart(), delay);
  }

  private async restart(): Promise<void> {
    this.restartTimer = undefined;
    if (this.isDisposed || this.run || !this.options || this.served.size === 0) return;
    const endpoint = await this.ensure(this.options);
    if (!endpoint) {
      const delay = this.backoff.next(0);
      this.log.error(`gateway did not come back; trying again in ${delay} ms`);
      this.restartTimer = setTimeout(() => void this.restart(), delay);
      return;
    }
    this.generation++;
    this.log.info(`gateway restarted at ${endpoint.url}; VS Code is told its servers' definitions changed`);
    for (const listener of [...this.restartedListeners]) listener();
  }

  private async replace(): Promise<void> {
    const run = this.run;
    this.run = undefined;
    await run?.process.stop();
  }

  private shutDown(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    void this.replace();
  }
}

/** Whether the gateway answers `/healthz` from here, with its token; else why not. */
async function healthy(endpoint: GatewayEndpoint): Promise<true | string> {
  try {
    const response = await fetch(`${endpoint.url}/healthz`, { headers: { authorization: `Bearer ${endpoint.token}` }, signal: AbortSignal.timeout(5000) });
    await response.body?.cancel();
    return response.ok ? true : `status ${response.status}`;
  } catch (error) {
    return (error as Error).message;
  }
}
