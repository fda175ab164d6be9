// Entry of the suite that runs inside a real VS Code extension host. Both launchers load it:
// scripts/vscode-host.mjs (the VS Code server in headless Chromium) and @vscode/test-electron (desktop).
// It runs every compiled *.test.js beside it with mocha's TDD interface (`suite`, `test`, `suiteSetup`).
// MOCHA_GREP filters tests by title; EXTENSION_SUITE_RESULT names a file that receives the counts as JSON.
// The suites in untrusted/ need a host with Workspace Trust on and run only there (EXTENSION_SUITE=untrusted).
import { readdirSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';

export async function run(): Promise<void> {
  // mocha 12 is an ES module; its default export is the Mocha class.
  const { default: Mocha } = await import('mocha');
  const mocha = new Mocha({
    ui: 'tdd',
    timeout: 20_000,
    color: !process.env.CI && !process.env.NO_COLOR,
    ...(process.env.MOCHA_GREP ? { grep: process.env.MOCHA_GREP } : {}),
  });
  const files = findTestFiles(__dirname);
  if (files.length === 0) throw new Error(`No compiled *.test.js files under ${__dirname}`);
  for (const file of files) mocha.addFile(file);

  const stats = await new Promise<Mocha.Stats>((resolve) => {
    const runner = mocha.run(() => resolve(runner.stats ?? emptyStats()));
  });
  const result = { passed: stats.passes, failed: stats.failures, pending: stats.pending };
  if (process.env.EXTENSION_SUITE_RESULT) writeFileSync(process.env.EXTENSION_SUITE_RESULT, JSON.stringify(result));
  if (result.failed > 0) throw new Error(`${result.failed} of ${result.passed + result.failed} extension tests failed`);
}

/** The agent-mode suites (agent/) last: they turn Copilot on and change chat settings, which the others do not expect. */
function findTestFiles(dir: string): string[] {
  const isAgent = (name: string) => name.startsWith(`agent${sep}`);
  const untrustedRun = process.env.EXTENSION_SUITE === 'untrusted';
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.test.js') && name.startsWith(`untrusted${sep}`) === untrustedRun)
    .sort((a, b) => Number(isAgent(a)) - Number(isAgent(b)) || (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => join(dir, name));
}

function emptyStats(): Mocha.Stats {
  return { suites: 0, tests: 0, passes: 0, pending: 0, failures: 0 };
}
