#!/usr/bin/env node
// Screenshots of MCP Warden as a person sees it, taken while the extension runs: the host's SCREENSHOT
// option shoots after the suite ends, when the extension host (and with it every tree view and webview of
// an extension) is gone. Here each on-demand host test (test/extension/scenario-show.test.ts,
// language-show.test.ts, agent/demo-show.test.ts) logs a marker when its screen is ready and holds it;
// this script takes the picture on the marker.
//   npm run screenshots           every picture of the README, into docs/images/ (tree, approval, hover, chat)
//   node scripts/warden-screenshots.mjs [tree|approval|hover|chat ...]      into out/screenshots/<name>.png
// (both need `npm run build && npm run compile-tests` first; `npm run screenshots` does that.)
// A name may carry a theme: tree:dark, approval:hc, tree:hc-light. "chat" loads the Warden demo agent
// beside Warden and has Copilot's agent ask it "stop scan S-1": the refusal in the chat and the Decisions view.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { workbenchUrl } from './host/browser-suite.mjs';
import { cleanUp, onCleanup } from './host/cleanup.mjs';
import { requireChromium } from './host/debian-packages.mjs';
import { developmentExtensionsFolder } from './host/development-extensions.mjs';
import { say } from './host/log.mjs';
import { chromiumExecutable, repoRoot, suiteEntry } from './host/paths.mjs';
import { provisionHost } from './host/provision.mjs';
import { freePort, startServer } from './host/server.mjs';
import { makeRunDirs } from './host/temp-dirs.mjs';
import { ensureWorkspace } from './host/workspace.mjs';

const MARKER = '[[warden-screenshot]]';
const THEMES = { light: 'Default Light Modern', dark: 'Default Dark Modern', hc: 'Default High Contrast', 'hc-light': 'Default High Contrast Light' };
/** Each picture: the host test that sets its screen, how far the side bar is widened, and whether it needs the demo agent. */
const SHOTS = {
  tree: { test: 'warden screenshot: tree', widen: 330 },
  approval: { test: 'warden screenshot: approval', widen: 330 },
  hover: { test: 'language screenshot: hover', widen: 0 },
  chat: { test: 'warden screenshot: chat', widen: 250, demoAgent: true },
};
const TIMEOUT_MS = 180_000;
const asked = process.argv.slice(2);
const names = asked.length > 0 ? asked : Object.keys(SHOTS);
const outDir = asked.length > 0 ? join(repoRoot, 'out', 'screenshots') : join(repoRoot, 'docs', 'images');
for (const name of names) {
  if (!SHOTS[name.split(':')[0]]) {
    console.error(`unknown picture ${name}: one of ${Object.keys(SHOTS).join(', ')} (a theme after a colon)`);
    process.exit(2);
  }
}
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

/** Drags the primary side bar's edge to the right by `by` pixels, so the views' descriptions fit. */
async function widenSideBar(page, by) {
  if (by <= 0) return;
  const box = await page.locator('[id="workbench.parts.sidebar"]').boundingBox().catch(() => null);
  if (!box) return;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width + 1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width + by, y, { steps: 8 });
  await page.mouse.up();
  await page.waitForTimeout(500);
}

async function shoot(name, file) {
  const dirs = makeRunDirs('warden-shot-');
  const [picture, theme] = name.split(':');
  const shot = SHOTS[picture];
  const env = { MOCHA_GREP: shot.test, ...(theme ? { WARDEN_SCREENSHOT_THEME: THEMES[theme] ?? theme } : {}) };
  const server = await startServer({ host, port: await freePort(), smokeTest: true, dirs, logFile: join(dirs.root, 'server.log'), env });
  const context = await chromium.launchPersistentContext(dirs.browserProfile, {
    executablePath: chromiumExecutable, headless: true, viewport: { width: 1400, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
  });
  onCleanup(() => context.close().catch(() => {}));
  const page = context.pages()[0] ?? (await context.newPage());
  let taken = false;
  let finish;
  const finished = new Promise((resolve) => (finish = resolve));
  await page.exposeFunction('codeAutomationLog', async (_type, args) => {
    if (!taken && args.some((arg) => String(arg).includes(MARKER))) {
      taken = true;
      await widenSideBar(page, shot.widen);
      await page.screenshot({ path: file });
    }
  });
  await page.exposeFunction('codeAutomationExit', (code) => finish(Number(code)));
  const timer = setTimeout(() => finish('timeout'), TIMEOUT_MS);
  const extensionPath = shot.demoAgent ? developmentExtensionsFolder(dirs.root) : repoRoot;
  await page.goto(workbenchUrl(server.port, { extensionPath, suitePath: suiteEntry, workspace: ensureWorkspace() }));
  const outcome = await finished;
  clearTimeout(timer);
  await context.close().catch(() => {});
  await server.stop();
  if (!taken) throw new Error(`no screenshot: the suite ended (${outcome}) before its marker`);
  return true;
}
