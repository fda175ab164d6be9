// `npm start` as a newcomer meets it: the packaged extension in a real VS Code on the sample workspace.
// Starts the same command, opens the printed URL in Chromium, finds the Warden view and the sample policy
// open by themselves (no Welcome page, no git prompt), has the scanner's tools discovered (allowing the
// scanner's launch entry when Warden asks), finds the stop_scan node; then, in Copilot's chat, picks the
// Warden demo agent in agent mode, sends "stop scan S-1" and finds Warden's refusal in the chat and in the
// Decisions view; and stops everything. It leaves a picture of the browser in out/npm-start.png (or SCREENSHOT).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const ROOT = resolve(__dirname, '../../..');
const BROWSER_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

test('npm start opens on the Warden view, and the demo agent\'s stop_scan is refused in the chat and the Decisions view', { timeout: 300_000 }, async () => {
  const port = await freePort();
  const start = spawn(process.execPath, ['scripts/vscode-host.mjs', 'start'], { cwd: ROOT, env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  start.stdout!.on('data', (chunk) => (output += chunk));
  start.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | string | null>((done) => start.once('exit', (code, signal) => done(signal ?? code)));
  const profile = mkdtempSync(join(tmpdir(), 'warden-start-chromium-'));
  let page: import('playwright-core').Page | undefined;
  const browser = await chromium.launchPersistentContext(profile, { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, viewport: { width: 1400, height: 900 }, args: BROWSER_ARGS });
  try {
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 180_000;
    while (!output.includes(url)) {
      const early = await Promise.race([exited, new Promise((done) => setTimeout(() => done(undefined), 250))]);
      assert.equal(early, undefined, `npm start ended early:\n${output}`);
      assert.ok(Date.now() < deadline, `npm start printed no URL in time:\n${output}`);
    }
    page = browser.pages()[0] ?? (await browser.newPage());
    await page.goto(url);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    // It opens on Warden by itself: its view and the sample policy, no Welcome page.
    const rows = page.locator('.monaco-list-row');
    await rows.filter({ hasText: 'security-scanner' }).first().waitFor({ timeout: 60_000 });
    const tabs = page.locator('.tabs-container .tab');
    await explained(tabs.filter({ hasText: 'mcp-policy.yaml' }).first().waitFor({ timeout: 60_000 }), () => tabs.allInnerTexts(), 'the editors open');
    const titles = (await tabs.allInnerTexts()).map((title) => title.replace(/\s+/g, ''));
    assert.deepEqual(titles, ['mcp-policy.yaml'], 'the sample policy is the only editor');
    // A new workspace has listed no tools yet: click the hint under the scanner, as a person would. The
    // tree may show the server a moment before its hint, so wait for the hint to be under it.
    let texts: string[] = [];
    let scanner = -1;
    for (const hintBy = Date.now() + 60_000; Date.now() < hintBy; await page.waitForTimeout(250)) {
      texts = await rows.allInnerTexts();
      scanner = texts.findIndex((text) => text.includes('security-scanner'));
      if (/Tools not listed yet/.test(texts[scanner + 1] ?? '')) break;
    }
    assert.match(texts[scanner + 1] ?? '', /Tools not listed yet/, texts.join('\n'));
    await rows.nth(scanner + 1).click();
    // A launch entry runs only once a person approved it on this machine: Warden asks, the newcomer allows.
    const allow = page.locator('.monaco-dialog-box .monaco-button').filter({ hasText: /^Allow$/ });
    await allow.first().click({ timeout: 60_000 });
    await rows.filter({ hasText: 'stop_scan' }).first().waitFor({ timeout: 60_000 });
    const stopScan = (await rows.filter({ hasText: 'stop_scan' }).first().innerText()).replace(/\s+/g, ' ');
    assert.match(stopScan, /execute · high/);

    // The chat: the demo agent picked in the model picker, in agent mode, asked to stop a scan. The picker
    // offers it once the demo agent has registered (the only model here, so it is shown as the current one).
    const chatInput = page.locator('.interactive-input-part').first();
    await pickDemoModel(page, chatInput);
    await expectText(chatInput.locator('.model-picker-item'), /^Warden demo agent$/, 'the model picker');
    await expectText(chatInput.locator('.chat-mode-picker-item'), /^Agent$/, 'the chat mode');
    await chatInput.locator('.monaco-editor').click();
    await page.keyboard.type('stop scan S-1');
    await page.keyboard.press('Enter');
    const answer = page.locator('.interactive-response').filter({ hasText: 'MCP Warden blocked' }).first();
    await explained(answer.waitFor({ timeout: 90_000 }), () => page!.locator('.interactive-session').first().innerText(), 'the chat shows');
    const said = (await answer.innerText()).replace(/\s+/g, ' ');
    assert.match(said, /MCP Warden blocked stop_scan: Stopping a running security scan can hide an attack\. The security scanner never received the call\./, said);
    // The same call in the Decisions view, denied with the policy's reason.
    const decision = rows.filter({ hasText: /security-scanner › stop_scan/ }).first();
    await explained(decision.waitFor({ timeout: 60_000 }), () => rows.allInnerTexts(), 'the views show');
    assert.match((await decision.innerText()).replace(/\s+/g, ' '), /denied — Stopping a running security scan can hide an attack\./);
    // No Welcome page came up meanwhile, and nothing asked the newcomer about the repository around the sample folder.
    assert.ok(!(await tabs.allInnerTexts()).some((title) => /Welcome/.test(title)), 'a Welcome page opened');
    assert.doesNotMatch(await page.locator('.notifications-toasts').innerText().catch(() => ''), /git repositor/i);
  } finally {
    // A picture of what the browser showed, pass or fail (out/ is git-ignored).
    await page?.screenshot({ path: process.env.SCREENSHOT ?? join(ROOT, 'out', 'npm-start.png') }).catch(() => undefined);
    await browser.close().catch(() => undefined);
    rmSync(profile, { recursive: true, force: true });
    try {
      process.kill(-start.pid!, 'SIGINT'); // Ctrl+C, as a person stops it
    } catch {}
    let timer: NodeJS.Timeout | undefined;
    const how = await Promise.race([exited, new Promise((done) => (timer = setTimeout(() => done('still running'), 20_000)))]);
    clearTimeout(timer); // else the test process waits the 20 s out after a clean stop
    if (how === 'still running') process.kill(-start.pid!, 'SIGKILL');
    assert.notEqual(how, 'still running', 'npm start did not stop on Ctrl+C');
  }
});

/**
 * Picks the demo agent in the chat's model picker, as a person would: open the picker, choose it. Until
 * the demo agent has registered (later on a busy machine) the picker may show no model or not list it
 * yet: then it is closed and opened again.
 */
async function pickDemoModel(page: import('playwright-core').Page, chatInput: import('playwright-core').Locator): Promise<void> {
  const picker = chatInput.locator('.model-picker-item').first();
  const row = page.locator('.chat-model-picker-dropdown .monaco-list-row[aria-label^="Warden demo agent"]').first();
  let shown = '';
  for (const by = Date.now() + 90_000; Date.now() < by; ) {
    shown = (await picker.innerText().catch(() => '')).trim();
    await picker.click({ timeout: 5_000 }).catch(() => undefined);
    if (await row.waitFor({ timeout: 3_000 }).then(() => true, () => false)) {
      await row.click();
      return;
    }
    await page.keyboard.press('Escape');
    await page.waitForTimeout(1_000);
  }
  assert.fail(`the model picker never offered the Warden demo agent (it showed ${JSON.stringify(shown)})`);
}

/** Waits until the element's text matches, then asserts it (the message names what was shown instead). */
async function expectText(locator: import('playwright-core').Locator, pattern: RegExp, what: string): Promise<void> {
  let text = '';
  for (const by = Date.now() + 60_000; Date.now() < by; await new Promise((done) => setTimeout(done, 250))) {
    text = (await locator.first().innerText().catch(() => '')).trim();
    if (pattern.test(text)) return;
  }
  assert.match(text, pattern, what);
}

/** A wait that, when it fails, also says what the page showed instead. */
async function explained(wait: Promise<unknown>, shown: () => Promise<unknown>, what: string): Promise<void> {
  try {
    await wait;
  } catch (error) {
    const seen = await shown().catch(() => 'nothing readable');
    throw new Error(`${(error as Error).message}\n${what}: ${JSON.stringify(seen)}`);
  }
}
