// Watches one file that Warden reads by the policy's rules (the policy, its lockfile) and reads it again
// when it changes: VS Code's watcher, the folder's own events, and, when the path is a link, the file it
// leads to. A burst of events makes one read.
import { watch as watchFolder, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';

/** Events of one write come in bursts: one read after the burst. Short, so a tightening applies within 250 ms. */
const BURST_MS = 20;

export class WatchedFile implements vscode.Disposable {
  private watcher: vscode.FileSystemWatcher | undefined;
  private folderWatcher: FSWatcher | undefined;
  /** When the path is a link: a watcher of the file it leads to, and that file. */
  private targetWatcher: { path: string; watcher: vscode.FileSystemWatcher } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private watched: vscode.Uri | undefined;
  private loading: Promise<void> = Promise.resolve();

  /** `read` reads the file as it is now (and calls `follow` with where a link led). */
  constructor(private readonly read: () => Promise<void>) {}

  /** The file watched now. */
  get uri(): vscode.Uri | undefined {
    return this.watched;
  }

  /** Resolves once the file as it is now has been read. */
  get ready(): Promise<void> {
    return this.loading;
  }

  /** Reads the file again now (after Warden wrote it, so nothing waits for the watcher). */
  reload(): Promise<void> {
    clearTimeout(this.timer);
    this.loading = this.read();
    return this.loading;
  }

  /** Watches and reads `uri` instead of what was watched (nothing: stops watching). */
  watch(uri: vscode.Uri | undefined): void {
    this.stop();
    this.watched = uri;
    if (uri) {
      this.watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(uri, '..'), basename(uri.path)));
      this.listen(this.watcher);
      if (uri.scheme === 'file') this.folderWatcher = this.watchLocalFolder(uri.fsPath);
    }
    void this.reload();
  }

  /** After a read: watches the file a link led to (edits there change no event of the link), or stops when there is none. */
  follow(target: string | undefined): void {
    const followed = target !== undefined && this.watched !== undefined && target !== this.watched.fsPath ? target : undefined;
    if (this.targetWatcher?.path === followed) return;
    this.targetWatcher?.watcher.dispose();
    this.targetWatcher = undefined;
    if (followed === undefined) return;
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dirname(followed)), basename(followed)));
    this.listen(watcher);
    this.targetWatcher = { path: followed, watcher };
  }

  dispose(): void {
    this.stop();
    clearTimeout(this.timer);
  }

  private stop(): void {
    this.watcher?.dispose();
    this.watcher = undefined;
    this.folderWatcher?.close();
    this.folderWatcher = undefined;
    this.targetWatcher?.watcher.dispose();
    this.targetWatcher = undefined;
  }

  /**
   * VS Code's watcher reports a change after 100 ms or more; the folder's own events (inotify and the like)
   * come at once, so a tightening reaches the proxies sooner. VS Code's watcher stays for what this misses
   * (the folder created later, a remote file system).
   */
  private watchLocalFolder(file: string): FSWatcher | undefined {
    const name = basename(file);
    try {
      const watcher = watchFolder(dirname(file), { persistent: false }, (_event, changed) => {
        if (changed === null || changed === name) this.later();
      });
      watcher.on('error', () => watcher.close());
      return watcher;
    } catch {
      return undefined;
    }
  }

  private listen(watcher: vscode.FileSystemWatcher): void {
    const later = () => this.later();
    watcher.onDidChange(later);
    watcher.onDidCreate(later);
    watcher.onDidDelete(later);
  }

  private later(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.reload(), BURST_MS);
  }
}
