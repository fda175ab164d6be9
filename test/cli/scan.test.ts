// `mcp-warden scan`: description findings and drift from the lockfile, as text, JSON or SARIF 2.1.0;
// exit 1 when anything is an error, 0 otherwise, 2 for unusable arguments.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CLI, EVERYTHING, FILESYSTEM, ROOT, tempDir, yaml } from '../proxy/helpers';

const SHIFTING = join(ROOT, 'test/fixtures/shifting-server.js');

let tmp: { dir: string; cleanup: () => void };
let count = 0;
before(() => {
  tmp = tempDir();
});
after(() => tmp.cleanup());

function caseDir(): { policy: string; shift: string } {
  const dir = join(tmp.dir, `scan-${++count}`);
  mkdirSync(dir, { recursive: true });
  const shift = join(dir, 'shift.json');
  writeFileSync(shift, '{}');
  const policy = join(dir, 'team.mcp-policy.yaml');
  writeFileSync(policy, yaml('version: 1'));
  return { policy, shift };
}

function run(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const shifting = (_c: { shift: string }, ...args: string[]): string[] => [...args, '--', process.execPath, SHIFTING];

test('a clean server exits 0; a poisoned description exits 1 with its findings', () => {
  const c = caseDir();
  const clean = run(['scan', '--server', 'shifting', ...shifting(c)], { SHIFT_FILE: c.shift });
  assert.equal(clean.status, 0, clean.stderr);
  assert.equal(clean.stdout, 'shifting: no findings\n');

  writeFileSync(c.shift, JSON.stringify({ description: true }));
  const poisoned = run(['scan', '--server', 'shifting', ...shifting(c)], { SHIFT_FILE: c.shift });
  assert.equal(poisoned.status, 1, poisoned.stdout);
  assert.match(poisoned.stdout, /^shifting: error: .*"echo" description \d+-\d+: .*\[hidden-instructions\]$/m);
  assert.match(poisoned.stdout, /\[sensitive-path\]$/m);
});

test('against the lockfile: drift is reported; changed and new tools are errors, a removed one a warning', () => {
  const c = caseDir();
  assert.equal(run(['pin', '--policy', c.policy, '--server', 'shifting', ...shifting(c)], { SHIFT_FILE: c.shift }).status, 0);
  const same = run(['scan', '--policy', c.policy, '--server', 'shifting', ...shifting(c)], { SHIFT_FILE: c.shift });
  assert.equal(same.status, 0, same.stdout + same.stderr);
  assert.equal(same.stdout, 'shifting: no findings, matches its pins\n');

  writeFileSync(c.shift, JSON.stringify({ remove: true }));
  const removed = run(['scan', '--policy', c.policy, '--server', 'shifting', ...shifting(c)], { SHIFT_FILE: c.shift });
  assert.equal(removed.status, 0, 'a removed tool is a warning');
  assert.match(removed.stdout, /^shifting: warning: "add" was pinned \(.*team\.mcp-policy\.lock\) but the server no longer lists it \[pin-removed\]$/m);

  writeFileSync(c.shift, JSON.stringify({ schema: true, add: true }));
  const drift = run(['scan', '--policy', c.policy, '--server', 'shifting', '--format', 'json', ...shifting(c)], { SHIFT_FILE: c.shift });
  assert.equal(drift.status, 1);
  const [scan] = JSON.parse(drift.stdout) as { server: string; artifact: string; drift: { kind: string; tool?: string; fields?: string[] }[]; findings: unknown[] }[];
  assert.equal(scan.server, 'shifting');
  assert.match(scan.artifact, /team\.mcp-policy\.lock$/);
  assert.deepEqual(scan.drift.map((d) => [d.kind, d.tool, d.fields]), [
    ['changed', 'echo', ['inputSchema']],
    ['new', 'exfiltrate', undefined],
  ]);
});

test('SARIF 2.1.0: one run of mcp-warden with rules that carry help, and results for drift and findings', () => {
  const c = caseDir();
  assert.equal(run(['pin', '--policy', c.policy, '--server', 'shifting', ...shifting(c)], { SHIFT_FILE: c.shift }).status, 0);
  writeFileSync(c.shift, JSON.stringify({ description: true, instructions: true }));
  const result = run(['scan', '--policy', c.policy, '--server', 'shifting', '--format', 'sarif', ...shifting(c)], { SHIFT_FILE: c.shift });
  assert.equal(result.status, 1);
  const sarif = JSON.parse(result.stdout) as {
    version: string;
    $schema: string;
    runs: { tool: { driver: { name: string; rules: { id: string; help: { text: string } }[] } }; results: { ruleId: string; level: string; message: { text: string } }[] }[];
  };
  assert.equal(sarif.version, '2.1.0');
  assert.match(sarif.$schema, /sarif-schema-2\.1\.0\.json$/);
  assert.equal(sarif.runs.length, 1);
  const run0 = sarif.runs[0];
  assert.equal(run0.tool.driver.name, 'mcp-warden');
  for (const rule of run0.tool.driver.rules) assert.ok(rule.help.text.length > 0, rule.id);
  const ids = run0.results.map((r) => r.ruleId);
  assert.ok(ids.includes('pin-changed'), ids.join());
  assert.ok(ids.includes('instructions-changed'), ids.join());
  assert.ok(ids.includes('hidden-instructions'), ids.join());
  for (const id of ids) assert.ok(run0.tool.driver.rules.some((r) => r.id === id), `rule ${id} is declared`);
});

test('the real servers from npm scan without an error', () => {
  for (const args of [[EVERYTHING, 'stdio'], [FILESYSTEM, tmp.dir], [join(ROOT, 'node_modules/@modelcontextprotocol/server-memory/dist/index.js')]]) {
    const result = run(['scan', '--server', 'real', '--format', 'json', '--', process.execPath, ...args], { MEMORY_FILE_PATH: join(tmp.dir, 'memory.jsonl') });
    assert.equal(result.status, 0, result.stdout + result.stderr);
  }
});

test('unusable arguments exit 2', () => {
  const c = caseDir();
  const cases: [string[], RegExp][] = [
    [['scan'], /name the server/],
    [['scan', '--format', 'xml', '--', process.execPath, SHIFTING], /--format must be text, json or sarif/],
    [['scan', '--policy', c.policy], /has no launch entries/],
    [['scan', '--policy', join(tmp.dir, 'missing.yaml')], /the policy not found/],
  ];
  for (const [args, expected] of cases) {
    const result = run(args);
    assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, expected);
  }
});
