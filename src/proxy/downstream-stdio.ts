// The agent's side over stdio: the proxy's own stdin and stdout, one session for the process's life.
// Bad input (not JSON, not JSON-RPC, nested too deep, over the size limit) is answered with a JSON-RPC
// error and never reaches the server; no input ends the process.
import { holdsSeveralLines, LineSplitter, lineText } from './framing';
import { ErrorCode, errorFrame, parseFrames } from './jsonrpc';
import { LineWriter } from './line-writer';
import type { Downstream, ProxySession } from './relay';

export interface StdioDownstreamOptions {
  maxFrameBytes: number;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

/** Relays between stdin/stdout and a session; resolves when the client closes its end. */
export function serveStdio(createSession: (downstream: Downstream) => ProxySession, options: StdioDownstreamOptions): Promise<void> {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  let writable = true;
  const writer = new LineWriter((data) => {
    if (writable) output.write(data);
  });
  const downstream: Downstream = {
    send: (frame) => writer.send(frame.line),
    cork: () => writer.cork(),
    uncork: () => writer.uncork(),
  };
  const session = createSession(downstream);
  const splitter = new LineSplitter(options.maxFrameBytes, {
    line: (bytes, end) => {
      // One line at a time (the session catches per message): nothing in a line stops the next one.
      try {
        for (const parsed of parseFrames(lineText(bytes, end), bytes)) {
          if (parsed.ok) session.receive(parsed.frame);
          else session.reject(parsed.error, parsed.refused);
        }
      } catch (error) {
        process.stderr.write(`mcp-warden: a message from the client could not be read; dropped (${(error as Error).message})\n`);
      }
    },
    oversized: (size, id) => {
      session.reject(errorFrame(id, ErrorCode.RequestTooLarge, `Message of ${size} bytes is over the proxy's limit of ${options.maxFrameBytes} bytes`));
    },
  });

  return new Promise<void>((resolve) => {
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      splitter.end();
      void session.close().then(resolve);
    };
    output.on('error', () => {
      // The client closed its reading end: nothing more can be answered.
      writable = false;
      end();
    });
    input.on('data', (chunk: Buffer) => {
      if (holdsSeveralLines(chunk)) session.together(() => splitter.push(chunk));
      else splitter.push(chunk);
    });
    input.on('end', end);
    input.on('close', end);
    session.start();
  });
}
