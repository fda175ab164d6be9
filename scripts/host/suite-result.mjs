// The suite entry (test/extension/index.ts) writes mocha's counts to the file named by
// EXTENSION_SUITE_RESULT; the launcher reads them back to print the closing "N passed, N failed" line.
import { readFileSync } from 'node:fs';

export const RESULT_FILE_VARIABLE = 'EXTENSION_SUITE_RESULT';

/** @returns {{ passed: number, failed: number, pending: number } | undefined} */
export function readSuiteResult(file) {
  try {
    const { passed, failed, pending } = JSON.parse(readFileSync(file, 'utf8'));
    if ([passed, failed, pending].every(Number.isInteger)) return { passed, failed, pending };
  } catch {
    // no file: the suite never got to report
  }
  return undefined;
}

export function summaryLine({ passed, failed, pending }) {
  return `${passed} passed, ${failed} failed` + (pending > 0 ? `, ${pending} skipped` : '');
}
