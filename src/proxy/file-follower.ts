// Follows a file through its symbolic links: the directory of the path itself, of every link on the way
// and of the file the links end at are watched, so an edit of the target, a save that replaces it by
// rename, and a link pointed elsewhere are all seen. The watched set is rebuilt after each change (the
// links may now lead somewhere else). Where a directory cannot be watched, the path is polled instead.
import { lstatSync, readlinkSync, statSync, watch, watchFile, unwatchFile, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

/** Links followed before giving up (the kernel's own limit is 40). */
const MAX_HOPS = 40;

/** The path, each link's target in turn, and the file they end at (which may not exist). */
export function linkChain(file: string): string[] {
  const chain = [resolve(file)];
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const current = chain[chain.length - 1];
    let next: string;
    try {
      if (!lstatSync(current).isSymbolicLink()) break;
      next = resolve(dirname(current), readlinkSync(current));
    } catch {
      break;
    }
    if (chain.includes(next)) break; // a loop: reading the file will say so
    chain.push(next);
  }
  return chain;
}

export class FileFollower {
  private readonly watchers = new Map<string, FSWatcher>();
  /** Watched directory -> the names in it that matter. */
  private names = new Map<string, Set<string>>();
  private polling = false;
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly onChange: () => void,
  ) {}

  /** Watches the current chain; call again after a change to follow where the links lead now. */
  follow(): void {
    if (this.closed) return;
    const names = new Map<string, Set<string>>();
    for (const path of linkChain(this.file)) {
      const dir = dirname(path);
      if (!names.has(dir)) names.set(dir, new Set());
      names.get(dir)!.add(basename(path));
    }
    this.names = names;
    for (const [dir, watcher] of this.watchers) {
      if (!names.has(dir)) {
        watcher.close();
        this.watchers.delete(dir);
      }
    }
    for (const dir of names.keys()) if (!this.watchers.has(dir)) this.watchDirectory(dir);
  }

  private watchDirectory(dir: string): void {
    try {
      if (!statSync(dir).isDirectory()) throw new Error('not a directory');
      const watcher = watch(dir, { persistent: false }, (_event, changed) => {
        if (changed === null || this.names.get(dir)?.has(changed.toString())) this.onChange();
      });
      watcher.on('error', () => {
        watcher.close();
        this.watchers.delete(dir);
        this.pollInstead();
      });
      this.watchers.set(dir, watcher);
    } catch {
      this.pollInstead();
    }
  }

  /** stat() polling of the path: it follows links and never opens the file, so a FIFO cannot block it. */
  private pollInstead(): void {
    if (this.polling) return;
    this.polling = true;
    watchFile(this.file, { interval: 100, persistent: false }, () => this.onChange());
  }

  close(): void {
    this.closed = true;
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
    if (this.polling) unwatchFile(this.file);
  }
}
