// Runs the extension's mocha suite in the VS Code server's workbench, opened in headless Chromium through
// playwright-core. The smoke-test driver reads the extension and the suite from the URL's payload, relays
// the suite's console through window.codeAutomationLog and its result through window.codeAutomationExit.
import { chromium } from 'playwright-core';
import { onCleanup } from './cleanup.mjs';
import { say } from './log.mjs';
import { watchActivationTime } from './running-extensions.mjs';
import { workbenchRelay } from './workbench-relay.mjs';

const BROWSER_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

/**
 * @returns {Promise<{ exitCode: number } | { timedOut: true } | { serverExited: string | number }>}
 */
export async function runSuiteInBrowser({ server, chromiumExecutable, profileDir, extensionPath, suitePath, workspace, timeoutMs, screenshot, workbenchLog }) {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: chromiumExecutable, headless: true, args: BROWSER_ARGS,
    // Tall enough, when reading activation times, for the Running Extensions list to render every row.
    viewport: { width: 1400, height: process.env.RUNNING_EXTENSIONS ? 2400 : 900 },
    // Signals are handled by cleanup.mjs, which also stops the server; playwright's own handlers would exit first.
    handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
  });
  onCleanup(() => context.close().catch(() => {}));
  const page = context.pages()[0] ?? (await context.newPage());
  if (process.env.VERBOSE) page.on('console', (message) => console.log(`[browser ${message.type()}]`, message.text()));

  let finish;
  let done = false;
  const finished = new Promise((resolve) => (finish = resolve)).finally(() => (done = true));
  const relay = workbenchRelay(workbenchLog);
  // Once the suite has reported, what the workbench logs is its own teardown: to the log file only.
  await page.exposeFunction('codeAutomationLog', (type, args) => relay(type, args, { quiet: done }));
  await page.exposeFunction('codeAutomationExit', (code) => finish({ exitCode: Number(code) }));
  server.exited.then((how) => finish({ serverExited: how }));
  const timer = setTimeout(() => finish({ timedOut: true }), timeoutMs);

  await page.goto(workbenchUrl(server.port, { extensionPath, suitePath, workspace }));
  const activation = process.env.RUNNING_EXTENSIONS ? watchActivationTime(page, 'mcp-warden', () => done) : undefined;
  const outcome = await finished;
  if (activation) say(`VS Code's Running Extensions: ${(await activation) ?? 'the extension was not listed'}`);
  clearTimeout(timer);
  if (screenshot) {
    await page.screenshot({ path: screenshot }).then(() => say(`screenshot saved to ${screenshot}`), (error) => say(`screenshot failed: ${error.message}`));
  }
  await context.close().catch(() => {});
  return outcome;
}

/** The workbench URL whose payload names the extension under development and the suite, as remote URIs. */
export function workbenchUrl(port, { extensionPath, suitePath, workspace }) {
  const authority = `127.0.0.1:${port}`;
  const payload = [
    ['extensionDevelopmentPath', `vscode-remote://${authority}${extensionPath}`],
    ['extensionTestsPath', `vscode-remote://${authority}${suitePath}`],
  ];
  return `http://${authority}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}
