// The extension's activation, measured in the real VS Code host: each run starts a fresh host on an empty
// folder, where nothing activates the extension at startup, and the on-demand test "language activation
// time" times `extension.activate()` (the host loading the bundle and calling activate()). Prints each
// run's figure and the median.
//   npm run bench:activation [-- --runs 5]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
const figures = [];
for (let run = 1; run <= runs; run++) {
  const empty = mkdtempSync(join(tmpdir(), 'warden-activation-'));
  const result = spawnSync(process.execPath, ['scripts/vscode-host.mjs', 'test'], {
    env: { ...process.env, TEST_WORKSPACE: empty, MOCHA_GREP: 'language activation time' },
    encoding: 'utf8',
  });
  rmSync(empty, { recursive: true, force: true });
  const output = `${result.stdout}${result.stderr}`;
  const activation = /activation \(code loading and activate\(\)\): ([\d.]+) ms/.exec(output);
  const load = /loading the bundle, 15 fresh copies: median ([\d.]+) ms/.exec(output);
  if (result.status !== 0 || !activation) {
    console.error(output);
    throw new Error(`run ${run}: the host did not report an activation time (exit ${result.status})`);
  }
  figures.push(Number(activation[1]));
  console.log(`run ${run}: activation ${activation[1]} ms; loading a fresh copy of the bundle: median ${load?.[1] ?? '?'} ms`);
}
figures.sort((a, b) => a - b);
console.log(`activation in the host, median of ${runs} fresh hosts: ${figures[Math.floor(runs / 2)].toFixed(1)} ms (min ${figures[0].toFixed(1)}, max ${figures[runs - 1].toFixed(1)})`);
