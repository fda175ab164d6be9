// A gateway the editor launched gets a pipe for stdin whose write end only the editor holds. That end
// closes when the editor's process ends, however it ends (a crash or SIGKILL included): the gateway then
// stops, with its servers, rather than run on with nobody to answer its approvals or to stop it. A stdin
// that is no pipe (a terminal, /dev/null) says nothing about the editor and is not watched.
import { fstatSync } from 'node:fs';

/** Calls `gone` once when stdin, a pipe or socket, reaches its end; returns whether it is watched. */
export function whenEditorGone(gone: () => void): boolean {
  let piped: boolean;
  try {
    const stat = fstatSync(0);
    piped = stat.isFIFO() || stat.isSocket();
  } catch {
    return false;
  }
  if (!piped) return false;
  let called = false;
  const once = (): void => {
    if (called) return;
    called = true;
    gone();
  };
  // Already ended (the editor went while the gateway started and read its ticket): gone now.
  if (process.stdin.readableEnded) {
    once();
    return true;
  }
  // Nothing is expected on it: reading is only how its end is noticed.
  process.stdin.on('data', () => undefined);
  process.stdin.once('end', once);
  process.stdin.once('close', once);
  process.stdin.once('error', once);
  return true;
}
