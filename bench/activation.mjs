// The extension's activation, measured in the real VS Code host. Each run starts a fresh host on an empty
// folder, where nothing activates the extension at startup; the on-demand test "language activation
// time" activates it and opens VS Code's Running Extensions editor, from which the harness reads the
// activation time VS Code itself measured (loading the code, calling activate() and awaiting it). The
// test's own wall time around `extension.activate()` is printed beside it (it adds the host's work
// around an activation), and the median time to load a fresh copy of the bundle.
//   npm run bench:activation [-- --runs 5]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
const reported = [];
const wall = [];
for (let run = 1; run <= runs; run++) {
  const empty = mkdtempSync(join(tmpdir(), 'warden-activation-'));
  const result = spawnSync(process.execPath, ['scripts/vscode-host.mjs', 'test'], {
    env: { ...process.env, TEST_WORKSPACE: empty, RUNNING_EXTENSIONS: '1', MOCHA_GREP: 'language activation time' },
    encoding: 'utf8',
  });
  rmSync(empty, { recursive: true, force: true });
  const output = `${result.stdout}${result.stderr}`;
  const vscodeFigure = /Running Extensions: Activation: ([\d.]+)\s*ms/.exec(output);
  const activateCall = /activation \(code loading and activate\(\)\): ([\d.]+) ms/.exec(output);
  const load = /loading the bundle, 15 fresh copies: median ([\d.]+) ms/.exec(output);
  if (result.status !== 0 || !vscodeFigure || !activateCall) {
    console.error(output);
    throw new Error(`run ${run}: the host did not report an activation time (exit ${result.status})`);
  }
  reported.push(Number(vscodeFigure[1]));
  wall.push(Number(activateCall[1]));
  console.log(`run ${run}: VS Code's activation time ${vscodeFigure[1]} ms; extension.activate() from a test ${activateCall[1]} ms; a fresh copy of the bundle loads in ${load?.[1] ?? '?'} ms (median of 15)`);
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
console.log(`median of ${runs} fresh hosts: VS Code's activation time ${median(reported)} ms (min ${Math.min(...reported)}, max ${Math.max(...reported)}); extension.activate() from a test ${median(wall).toFixed(1)} ms`);
