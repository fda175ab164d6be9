// Fresh folders for one run: VS Code's user data, server data and extensions, the XDG homes and the
// browser profile, so nothing is shared between runs or lands in the user's home folder.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onCleanup } from './cleanup.mjs';

export function makeRunDirs(prefix) {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const dirs = {
    root,
    userData: join(root, 'user-data'),
    serverData: join(root, 'server-data'),
    extensions: join(root, 'extensions'),
    xdgConfig: join(root, 'xdg-config'),
    xdgData: join(root, 'xdg-data'),
    browserProfile: join(root, 'browser-profile'),
  };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  let kept = Boolean(process.env.KEEP_HOST_TEMP);
  onCleanup(() => kept || rmSync(root, { recursive: true, force: true }));
  /** Leaves the folders in place (a failed run's logs are worth reading). */
  const keep = () => (kept = true);
  return { ...dirs, keep };
}

/**
 * A folder for the temporary files of the processes a run starts (their TMPDIR): VS Code's server, its
 * extension host and what they start make theirs there, and it goes when the launcher ends, even on
 * Ctrl+C, so a run leaves no folder behind in the system's temporary folder.
 */
export function makeTempFolder(prefix) {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  onCleanup(() => rmSync(folder, { recursive: true, force: true }));
  return folder;
}

/** The variables that send a process's temporary files to `folder`. */
export function tempFolderEnv(folder) {
  return { TMPDIR: folder, XDG_RUNTIME_DIR: folder };
}
