// A gateway the editor launched gets its control-channel ticket as the first line of its stdin, a pipe
// only the editor holds, not in its environment: any process of the same user can read a starting
// process's /proc/<pid>/environ and present the ticket first, while the pipe cannot be opened again
// through /proc/<pid>/fd. Read before the gateway connects; stdin is then paused, so the end of the pipe
// (the editor gone, editor-lifeline.ts) is noticed only once someone listens for it.
import { fstatSync } from 'node:fs';

/** The longest line taken as a ticket (a ticket is 64 hex characters). */
const MAX_TICKET_CHARS = 1024;

/** The first line of stdin when stdin is a pipe or socket; else, or when none comes within `timeoutMs`, why not. */
export function ticketFromStdin(timeoutMs: number): Promise<{ ticket: string } | { problem: string }> {
  let piped = false;
  try {
    const stat = fstatSync(0);
    piped = stat.isFIFO() || stat.isSocket();
  } catch {
    // no stdin at all
  }
  if (!piped) return Promise.resolve({ problem: 'its stdin is not the editor’s pipe' });
  return new Promise((resolve) => {
    let text = '';
    const done = (result: { ticket: string } | { problem: string }): void => {
      clearTimeout(timer);
      process.stdin.off('data', onData).off('end', onEnd);
      process.stdin.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('utf8');
      const newline = text.indexOf('\n');
      if (newline !== -1) done({ ticket: text.slice(0, newline).trim() });
      else if (text.length > MAX_TICKET_CHARS) done({ problem: 'its stdin did not start with a ticket' });
    };
    const onEnd = (): void => done({ problem: 'its stdin closed before a ticket came' });
    const timer = setTimeout(() => done({ problem: `no ticket came on its stdin within ${timeoutMs / 1000} s` }), timeoutMs);
    process.stdin.on('data', onData).once('end', onEnd);
  });
}
