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
