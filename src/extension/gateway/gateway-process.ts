// One run of the window's gateway: the bundled CLI under the editor's own Node (ELECTRON_RUN_AS_NODE=1),
// with the control channel's socket in its environment, a fresh single-use ticket as the first line of its
// stdin, and nothing secret on its command line or in its environment. Its stderr goes to Warden's log at
// debug level (its messages reach the log over the channel), the last lines kept for when it dies, with its
// listener's token cut out should it ever appear there; its end is reported once, with how long it ran.
import { spawn, type ChildProcess } from 'node:child_process';
import { CONTROL_TICKET_ENV } from '../../proxy/control-protocol';
import type { GatewayInvocation } from '../../workbench/gateway-launch';

export interface GatewayExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when it could not be started at all. */
  error?: string;
  ranMs: number;
}

export class GatewayProcess {
  readonly exited: Promise<GatewayExit>;
  private readonly child: ChildProcess;
  private readonly started = performance.now();
  /** Text the log must never show (the listener's token, once known). */
  private secret: string | undefined;
  private stopping = false;
  private readonly lastLines: string[] = [];

  constructor(invocation: GatewayInvocation, controlEnv: Record<string, string>, cwd: string | undefined, private readonly log: (line: string) => void) {
    // The ticket goes down the stdin pipe, never into the environment: any process of this user can read
    // a starting process's /proc/<pid>/environ and race it to the editor, while the pipe is this
    // process's alone (a socket cannot be opened again through /proc/<pid>/fd).
    const { [CONTROL_TICKET_ENV]: ticket, ...channelEnv } = controlEnv;
    this.child = spawn(process.execPath, invocation.args, {
      env: { ...withoutTicket(process.env), ...invocation.env, ...channelEnv },
      ...(cwd ? { cwd } : {}),
      // stdin stays open as a pipe: it closes when this editor's process ends, whichever way.
      stdio: ['pipe', 'ignore', 'pipe'],
      windowsHide: true,
    });
    if (ticket !== undefined) this.child.stdin?.write(`${ticket}\n`);
    let buffered = '';
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) !== -1) {
        this.logLine(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
      }
      if (buffered.length > 64 * 1024) buffered = buffered.slice(-64 * 1024);
    });
    this.child.stdin?.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      let error: string | undefined;
      this.child.once('error', (failure) => (error = failure.message));
      this.child.once('close', (code, signal) => {
        if (buffered) this.logLine(buffered);
        resolve({ code, signal, ranMs: performance.now() - this.started, ...(error ? { error } : {}) });
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The last lines it wrote to stderr (token cut out). */
  get recentStderr(): readonly string[] {
    return this.lastLines;
  }

  /** True once `stop` was called: its end is then no failure. */
  get isStopping(): boolean {
    return this.stopping;
  }

  /** The listener's token, to keep out of the log. */
  conceal(token: string): void {
    this.secret = token;
  }

  /** Ends the gateway (its servers and open sessions with it); resolves when it has exited. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
      await this.exited;
      clearTimeout(timer);
    }
  }

  private logLine(line: string): void {
    const shown = this.secret ? line.split(this.secret).join('<token>') : line;
    if (!shown.trim()) return;
    const kept = shown.length > 2000 ? `${shown.slice(0, 2000)}…` : shown;
    this.lastLines.push(kept);
    if (this.lastLines.length > 5) this.lastLines.shift();
    this.log(kept);
  }
}

function withoutTicket(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { [CONTROL_TICKET_ENV]: _ticket, ...rest } = env;
  return rest;
}
