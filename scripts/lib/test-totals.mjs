// The closing count of a whole test run: the sum of every runner's own closing count in its output,
// node's test runner (`# pass N` in TAP, `ℹ pass N` in its spec reporter) and the extension suite's
// launcher (`N passed, N failed`). `npm test` (scripts/run-all-tests.mjs) and .ci/run print it the same way.
// As a command, `node scripts/lib/test-totals.mjs LOG` prints the total of a saved log.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

// Colour codes are not part of a line's words (a runner writing to a terminal may colour its counts).
const ANSI = /\x1b\[[0-9;]*m/g;

export class TestTotals {
  passed = 0;
  failed = 0;

  /** Counts one line of a runner's output. */
  add(line) {
    const text = line.replace(ANSI, '').replace(/\r$/, '');
    let match = /^(?:# |ℹ )(pass|fail) ([0-9]+)$/.exec(text);
    if (match) {
      this[match[1] === 'pass' ? 'passed' : 'failed'] += Number(match[2]);
      return;
    }
    match = /^([0-9]+) passed, ([0-9]+) failed/.exec(text);
    if (match) {
      this.passed += Number(match[1]);
      this.failed += Number(match[2]);
    }
  }

  /** `total: N passed, M failed`, or undefined when no runner reported a count. */
  line() {
    return this.passed + this.failed > 0 ? `total: ${this.passed} passed, ${this.failed} failed` : undefined;
  }
}

/** Splits a stream's chunks into whole lines for `onLine`; `end()` hands over the last, unfinished one. */
export function lineSplitter(onLine) {
  let rest = '';
  return {
    write(chunk) {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop();
      for (const line of lines) onLine(line);
    },
    end() {
      if (rest) onLine(rest);
      rest = '';
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const totals = new TestTotals();
  for (const line of readFileSync(process.argv[2], 'utf8').split('\n')) totals.add(line);
  const line = totals.line();
  if (line) console.log(line);
}
