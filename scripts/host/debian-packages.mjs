// Checks for the Debian packages the host needs, so a missing one is named up front instead of
// surfacing as a compiler error deep inside code-server's native builds.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { HostError, say } from './log.mjs';

/** Headers and tools that code-server's native modules build against. */
export const BUILD_PACKAGES = ['pkg-config', 'libkrb5-dev', 'libx11-dev', 'libxkbfile-dev', 'libsecret-1-dev'];
/** Everything the test host needs from Debian: the build packages and the browser that drives the workbench. */
export const HOST_DEBIAN_PACKAGES = [...BUILD_PACKAGES, 'chromium'];
/** What the unit tests need from Debian: a real Redis for the team state's tests (they start their own). */
export const TEST_DEBIAN_PACKAGES = ['redis-server'];
/** What `.ci/run` installs: the host's packages and the tests'. */
export const CI_DEBIAN_PACKAGES = [...HOST_DEBIAN_PACKAGES, ...TEST_DEBIAN_PACKAGES];

export function missingDebianPackages(names) {
  const probe = spawnSync('dpkg-query', ['-W', '-f=${Package} ${db:Status-Status}\\n', ...names], { encoding: 'utf8' });
  if (probe.error) return undefined; // not a Debian system: nothing to ask dpkg
  const installed = new Set(
    probe.stdout.split('\n').filter((line) => line.endsWith(' installed')).map((line) => line.split(/[ :]/)[0]),
  );
  return names.filter((name) => !installed.has(name));
}

export function requireDebianPackages(names, purpose) {
  const missing = missingDebianPackages(names);
  if (missing === undefined) {
    say(`dpkg-query not found: cannot check for ${names.join(', ')}; continuing`);
    return;
  }
  if (missing.length > 0) {
    throw new HostError(
      `${purpose} needs the Debian packages ${missing.join(' ')}, which are not installed.\n` +
        `  Install them with: apt-get install -y ${missing.join(' ')}`,
    );
  }
}

export function requireChromium(executable) {
  if (existsSync(executable)) return;
  throw new HostError(
    `No Chromium at ${executable}: the suite is driven through a headless Chromium.\n` +
      '  Install it with: apt-get install -y chromium  (or set CHROMIUM_PATH)',
  );
}
