// An upstream server run as a child process, spoken to over its stdin/stdout (newline-delimited
// JSON-RPC). Its stderr goes to the proxy's stderr, where the editor shows server logs.
import { spawn, type ChildProcess } from 'node:child_process';
import { LineSplitter } from './framing';
import { parseFrames, type Frame, type RequestId } from './jsonrpc';
import type { Upstream } from './upstream';
import { upstreamEnvironment } from './upstream-env';

export interface StdioUpstreamOptions {
  command: string;
  args: string[];
  maxFrameBytes: number;
  log: (message: string) => void;
  env?: NodeJS.ProcessEnv;
}

/** How long a child may take to exit after its stdin closes, then after SIGTERM. */
const EXIT_GRACE_MS = 1000;

export class StdioUpstream implements Upstream {
  onmessage?: (frame: Frame) => void;
  onclose?: (reason: string) => void;
  onoversized?: (id: RequestId | null, size: number) => void;
  private child: ChildProcess | undefined;
  private closing = false;

  constructor(private readonly options: StdioUpstreamOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): Promise<void> {
    const { command, args, log } = this.options;
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'], env: upstreamEnvironment(this.options.env ?? process.env) });
    this.child = child;
    const splitter = new LineSplitter(this.options.maxFrameBytes, {
      line: (bytes, text) => {
        for (const parsed of parseFrames(text, bytes)) {
          if (parsed.ok) this.onmessage?.(parsed.frame);
          else log(`upstream sent a message that is not JSON-RPC; dropped (${parsed.error.msg.error?.message})`);
        }
      },
      oversized: (size, id) => {
        log(`upstream sent a ${size}-byte message, over the ${this.options.maxFrameBytes}-byte limit; dropped`);
        this.onoversized?.(id, size);
      },
    });
    child.stdout!.on('data', (chunk: Buffer) => splitter.push(chunk));
    child.stdout!.on('end', () => splitter.end());
    // A server that stops reading must not crash the proxy with EPIPE; its exit is reported below.
    child.stdin!.on('error', () => undefined);

    return new Promise<void>((resolve, reject) => {
      let started = false;
      child.once('spawn', () => {
        started = true;
        resolve();
      });
      child.once('error', (error) => {
        if (!started) reject(new Error(`cannot start "${command}": ${error.message}`));
        else log(`upstream process error: ${error.message}`);
      });
      child.once('exit', (code, signal) => {
        this.child = undefined;
        if (!started || this.closing) return;
        this.onclose?.(signal ? `was killed by ${signal}` : `exited with code ${code}`);
      });
    });
  }

  send(frame: Frame): void {
    this.child?.stdin?.write(frame.line);
  }

  cork(): void {
    this.child?.stdin?.cork();
  }

  uncork(): void {
    this.child?.stdin?.uncork();
  }

  /** Closes stdin, then SIGTERM, then SIGKILL, as the MCP stdio transport asks of clients. */
  close(): Promise<void> {
    const child = this.child;
    this.closing = true;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const term = setTimeout(() => child.kill('SIGTERM'), EXIT_GRACE_MS);
      const kill = setTimeout(() => child.kill('SIGKILL'), 2 * EXIT_GRACE_MS);
      child.once('exit', () => {
        clearTimeout(term);
        clearTimeout(kill);
        resolve();
      });
      child.stdin?.end();
    });
  }

  /** Kills the child at once (proxy shutdown on a signal). */
  kill(): void {
    this.closing = true;
    this.child?.kill('SIGKILL');
  }
}
