#!/usr/bin/env node
// Screenshots of MCP Warden's views as a person sees them, taken while the extension runs: the host's
// SCREENSHOT option shoots after the suite ends, when the extension host (and with it every tree view and
// webview of an extension) is gone. Here each on-demand test in test/extension/scenario-show.test.ts logs
// a marker when its screen is ready and holds it; this script takes the picture on the marker.
//   npm run build && npx tsc -p tsconfig.test.json && node scripts/warden-screenshots.mjs [tree|approval ...]
// A name may carry a theme: tree:dark, approval:hc, tree:hc-light. Pictures go to out/screenshots/<name>.png.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { workbenchUrl } from './host/browser-suite.mjs';
import { cleanUp, onCleanup } from './host/cleanup.mjs';
import { requireChromium } from './host/debian-packages.mjs';
import { say } from './host/log.mjs';
import { chromiumExecutable, repoRoot, suiteEntry } from './host/paths.mjs';
import { provisionHost } from './host/provision.mjs';
import { freePort, startServer } from './host/server.mjs';
import { makeRunDirs } from './host/temp-dirs.mjs';
import { ensureWorkspace } from './host/workspace.mjs';

const MARKER = '[[warden-screenshot]]';
const THEMES = { light: 'Default Light Modern', dark: 'Default Dark Modern', hc: 'Default High Contrast', 'hc-light': 'Default High Contrast Light' };
const TIMEOUT_MS = 120_000;
const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['tree', 'approval'];
const outDir = join(repoRoot, 'out', 'screenshots');
mkdirSync(outDir, { recursive: true });

requireChromium(chromiumExecutable);
const host = await provisionHost();
let failed = 0;
for (const name of names) {
  const file = join(outDir, `${name.replace(':', '-')}.png`);
  const taken = await shoot(name, file).catch((error) => (say(`${name}: ${error.message}`), false));
  if (taken) say(`${name}: saved ${file}`);
  else failed++;
}
await cleanUp();
process.exit(failed === 0 ? 0 : 1);

/** Drags the primary side bar's edge to the right, so the views' descriptions fit. */
async function widenSideBar(page) {
  const box = await page.locator('[id="workbench.parts.sidebar"]').boundingBox().catch(() => null);
  if (!box) return;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width + 1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width + 330, y, { steps: 8 });
  await page.mouse.up();
  await page.waitForTimeout(500);
}

async function shoot(name, file) {
  const dirs = makeRunDirs('warden-shot-');
  const [test, theme] = name.split(':');
  const env = { MOCHA_GREP: `warden screenshot: ${test}`, ...(theme ? { WARDEN_SCREENSHOT_THEME: THEMES[theme] ?? theme } : {}) };
  const server = await startServer({ host, port: await freePort(), smokeTest: true, dirs, logFile: join(dirs.root, 'server.log'), env });
  const context = await chromium.launchPersistentContext(dirs.browserProfile, {
    executablePath: chromiumExecutable, headless: true, viewport: { width: 1400, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
  });
  onCleanup(() => context.close().catch(() => {}));
  const page = context.pages()[0] ?? (await context.newPage());
  let shot = false;
  let finish;
  const finished = new Promise((resolve) => (finish = resolve));
  await page.exposeFunction('codeAutomationLog', async (_type, args) => {
    if (!shot && args.some((arg) => String(arg).includes(MARKER))) {
      shot = true;
      await widenSideBar(page);
      await page.screenshot({ path: file });
    }
  });
  await page.exposeFunction('codeAutomationExit', (code) => finish(Number(code)));
  const timer = setTimeout(() => finish('timeout'), TIMEOUT_MS);
  await page.goto(workbenchUrl(server.port, { extensionPath: repoRoot, suitePath: suiteEntry, workspace: ensureWorkspace() }));
  const outcome = await finished;
  clearTimeout(timer);
  await context.close().catch(() => {});
  await server.stop();
  if (!shot) throw new Error(`no screenshot: the suite ended (${outcome}) before its marker`);
  return true;
}
