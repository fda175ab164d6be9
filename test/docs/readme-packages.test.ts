// The README names every Debian package a first run needs, from the list the launcher and .ci/run use.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(__dirname, '../../..');

test("the README's apt-get line installs exactly what .ci/run installs", async () => {
  const { CI_DEBIAN_PACKAGES } = (await import(pathToFileURL(join(ROOT, 'scripts/host/debian-packages.mjs')).href)) as { CI_DEBIAN_PACKAGES: string[] };
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const line = /^sudo apt-get install -y (.+)$/m.exec(readme);
  assert.ok(line, 'an apt-get line in the README');
  assert.deepEqual(new Set(line[1].split(' ')), new Set(CI_DEBIAN_PACKAGES));
});
