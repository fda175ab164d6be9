// An upstream server run as a child process, spoken to over its stdin/stdout (newline-delimited
// JSON-RPC). Its stderr goes to the proxy's stderr, where the editor shows server logs.
import type { ChildProcess } from 'node:child_process';
import spawn from 'cross-spawn';
import { holdsSeveralLines, LineSplitter, lineText } from './framing';
import { ErrorCode, errorFrame, parseFrames, reserialised, type Frame, type RequestId } from './jsonrpc';
import { LineWriter } from './line-writer';
import { plainResponseId } from './plain-response';
import type { Upstream } from './upstream';
import { upstreamEnvironment } from './upstream-env';

export interface StdioUpstreamOptions {
  command: string;
  args: string[];
  maxFrameBytes: number;
  log: (message: string) => void;
  env?: NodeJS.ProcessEnv;
  /** The server's working folder; the proxy's own when not given. */
  cwd?: string;
}

/** How long a child may take to exit after its stdin closes, then after SIGTERM. */
const EXIT_GRACE_MS = 1000;

export class StdioUpstream implements Upstream {
  onmessage?: (frame: Frame) => void;
  onclose?: (reason: string) => void;
  onoversized?: (id: RequestId | null, size: number) => void;
  onresponse?: (id: RequestId, line: Buffer) => boolean;
  onchunk?: (deliver: () => void) => void;
  private child: ChildProcess | undefined;
  private closing = false;
  private readonly writer = new LineWriter((data) => this.child?.stdin?.write(data));

  constructor(private readonly options: StdioUpstreamOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): Promise<void> {
    const { command, args, log } = this.options;
    // cross-spawn, as the MCP SDK's own stdio client does: on Windows it finds `npx.cmd` for `npx` and
    // runs .cmd and .bat files through cmd.exe with their arguments escaped, which Node's spawn refuses.
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'], env: upstreamEnvironment(this.options.env ?? process.env), ...(this.options.cwd ? { cwd: this.options.cwd } : {}) });
    this.child = child;
    const splitter = new LineSplitter(this.options.maxFrameBytes, {
      line: (bytes, end) => {
        // One line at a time: whatever a line does, the lines after it are still read.
        try {
          const id = plainResponseId(bytes, end);
          if (id !== undefined && this.onresponse?.(id, bytes)) return;
          for (const parsed of parseFrames(lineText(bytes, end), bytes)) {
            // Only a plain response goes on as received; anything else goes on as parsed, so that no
            // client's parser (first key wins, say) reads it as a message the relay did not see.
            if (parsed.ok) this.onmessage?.(id !== undefined ? parsed.frame : reserialised(parsed.frame));
            else this.refused(parsed);
          }
        } catch (error) {
          log(`upstream sent a message that could not be read; dropped (${(error as Error).message})`);
        }
      },
      oversized: (size, id) => {
        log(`upstream sent a ${size}-byte message, over the ${this.options.maxFrameBytes}-byte limit; dropped`);
        this.onoversized?.(id, size);
      },
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      if (this.onchunk && holdsSeveralLines(chunk)) this.onchunk(() => splitter.push(chunk));
      else splitter.push(chunk);
    });
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

  /** A server message the parser refused: dropped; one too deep to read fails the request it answers. */
  private refused(parsed: { error: Frame; tooDeep?: true }): void {
    const why = parsed.error.msg.error?.message;
    this.options.log(`upstream sent a message that is not JSON-RPC; dropped (${why})`);
    const id = parsed.error.msg.id;
    if (parsed.tooDeep && id !== null && id !== undefined) this.onmessage?.(errorFrame(id, ErrorCode.InvalidRequest, `The server's answer was refused: ${why}`));
  }

  send(frame: Frame): void {
    this.writer.send(frame.line);
  }

  cork(): void {
    this.writer.cork();
  }

  uncork(): void {
    this.writer.uncork();
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
