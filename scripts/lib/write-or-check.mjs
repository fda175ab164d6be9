// For generated files kept in git: write `expected` to `target`, or with `--check` exit 1 when the file
// on disk differs (tests run the check, so a stale file fails the build).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export function writeOrCheck(target, expected, regenerate) {
  if (process.argv.includes('--check')) {
    let actual = '';
    try {
      actual = readFileSync(target, 'utf8');
    } catch {}
    if (actual !== expected) {
      console.error(`${target} is out of date: run \`${regenerate}\``);
      process.exit(1);
    }
    return;
  }
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, expected);
  console.log(`wrote ${target}`);
}
