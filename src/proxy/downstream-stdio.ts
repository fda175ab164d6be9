// The agent's side over stdio: the proxy's own stdin and stdout, one session for the process's life.
// Bad input (not JSON, not JSON-RPC, over the size limit) is answered with a JSON-RPC error and never
// reaches the server.
import { LineSplitter } from './framing';
import { ErrorCode, errorFrame, parseFrames } from './jsonrpc';
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
  const downstream: Downstream = {
    send: (frame) => {
      if (writable) output.write(frame.line);
    },
  };
  const session = createSession(downstream);
  const splitter = new LineSplitter(options.maxFrameBytes, {
    line: (bytes, text) => {
      for (const parsed of parseFrames(text, bytes)) {
        if (parsed.ok) session.receive(parsed.frame);
        else session.reject(parsed.error);
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
    input.on('data', (chunk: Buffer) => splitter.push(chunk));
    input.on('end', end);
    input.on('close', end);
    session.start();
  });
}
