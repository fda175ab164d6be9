// `npm test`: every step in order (type check, build, compiled tests, the unit tests, the extension suite
// inside a real VS Code, the MCP conformance check, the npm start check), stopping at the first that fails,
// and then the total count of all of them (scripts/lib/test-totals.mjs), whether they passed or not.
// Output is passed through as it comes; the runners colour it only when it goes to a terminal.
import { spawn } from 'node:child_process';
import { lineSplitter, TestTotals } from './lib/test-totals.mjs';

const STEPS = ['typecheck', 'build', 'compile-tests', 'test:unit', 'test:vscode', 'test:conformance', 'test:start'];
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const totals = new TestTotals();
const colour = process.stdout.isTTY === true;
// The runners see a pipe, not the terminal: tell them whether the output ends up on one.
const env = { ...process.env };
if (colour) env.FORCE_COLOR ??= '1';
else {
  delete env.FORCE_COLOR;
  env.NO_COLOR = '1';
}

// Ctrl+C reaches the running step too (same process group): it cleans up and ends, then the total is printed.
let interrupted = false;
process.on('SIGINT', () => {
  interrupted = true;
});

let code = 0;
for (const step of STEPS) {
  if (interrupted) {
    code ||= 130;
    break;
  }
  code = await run(step);
  if (code !== 0) break;
}
const line = totals.line();
if (line) console.log(line);
process.exitCode = code;

function run(step) {
  return new Promise((resolve) => {
    const child = spawn(npm, ['run', step], { stdio: ['inherit', 'pipe', 'pipe'], env });
    const streams = [
      [child.stdout, process.stdout],
      [child.stderr, process.stderr],
    ].map(([from, to]) => {
      const lines = lineSplitter((text) => totals.add(text));
      from.setEncoding('utf8');
      from.on('data', (chunk) => {
        to.write(chunk);
        lines.write(chunk);
      });
      return new Promise((done) => from.on('end', () => done(lines.end())));
    });
    child.on('close', async (status, signal) => {
      await Promise.all(streams);
      resolve(status ?? (signal ? 1 : 0));
    });
  });
}
