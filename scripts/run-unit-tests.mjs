// Runs the compiled unit and proxy tests (everything under out/test except the VS Code suite, the
// npm start check and the MCP conformance check, which have runners of their own)
// with Node's own test runner. Pass file filters as arguments to run a subset.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const OWN_RUNNERS = ['extension', 'start', 'conformance'].map((name) => join('out', 'test', name));

function collect(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (!OWN_RUNNERS.includes(path)) found.push(...collect(path));
    } else if (name.endsWith('.test.js')) {
      found.push(path);
    }
  }
  return found;
}

const filters = process.argv.slice(2);
const files = collect(join('out', 'test')).filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('No compiled tests found under out/test: run `npm run compile-tests` first.');
  process.exit(1);
}
// Proxies started with --audit key their digests with the per-user key; the tests' key is their own,
// in a folder made for this run, so a run leaves nothing in the user's config folder.
const env = { ...process.env };
let keyDir;
if (!env.MCP_WARDEN_AUDIT_KEY_FILE) {
  keyDir = mkdtempSync(join(tmpdir(), 'mcp-warden-test-key-'));
  env.MCP_WARDEN_AUDIT_KEY_FILE = join(keyDir, 'audit-key');
}
const result = spawnSync(process.execPath, ['--enable-source-maps', '--test', '--test-concurrency=2', ...files], { stdio: 'inherit', env });
if (keyDir) rmSync(keyDir, { recursive: true, force: true });
process.exit(result.status ?? 1);
