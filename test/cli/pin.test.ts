// `mcp-warden pin`: a server's tools written into the policy's lockfile, with what was added, changed and
// removed; only the tools named; every server with a launch entry; usage errors; an invalid lockfile kept.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseLockfile } from '../../src/pinning/lockfile';
import { CLI, ROOT, tempDir, yaml } from '../proxy/helpers';

const SHIFTING = join(ROOT, 'test/fixtures/shifting-server.js');
const RECORDING = join(ROOT, 'test/fixtures/recording-server.js');

let tmp: { dir: string; cleanup: () => void };
let count = 0;
before(() => {
  tmp = tempDir();
});
after(() => tmp.cleanup());

function caseDir(): { dir: string; policy: string; lock: string; shift: string } {
  const dir = join(tmp.dir, `pin-${++count}`, '.vscode');
  mkdirSync(dir, { recursive: true });
  const shift = join(dir, 'shift.json');
  writeFileSync(shift, '{}');
  const policy = join(dir, 'mcp-policy.yaml');
  writeFileSync(policy, yaml('version: 1'));
  return { dir, policy, lock: join(dir, 'mcp-policy.lock'), shift };
}

function run(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('pin prints what was added, changed and removed, and writes the lockfile beside the policy', () => {
  const c = caseDir();
  const pin = (): ReturnType<typeof run> => run(['pin', '--policy', c.policy, '--server', 'shifting', '--', process.execPath, SHIFTING], { SHIFT_FILE: c.shift });
  const first = pin();
  assert.equal(first.status, 0, first.stderr);
  assert.equal(first.stdout, `shifting: 2 tools pinned\n  added: "echo", "add"\nwrote ${c.lock}\n`);
  const lock = parseLockfile(readFileSync(c.lock, 'utf8')).lockfile!;
  assert.deepEqual([...lock.servers.get('shifting')!.tools.keys()].sort(), ['add', 'echo']);
  assert.equal(lock.servers.get('shifting')!.instructions, 'Tools to echo and add.');
  assert.deepEqual(lock.servers.get('shifting')!.serverInfo, { name: 'shifting-server', version: '1.0.0' });

  assert.equal(pin().stdout, `shifting: 2 tools pinned\n  no change\nwrote ${c.lock}\n`);

  writeFileSync(c.shift, JSON.stringify({ description: true, add: true, remove: true, instructions: true }));
  const second = pin();
  assert.equal(second.status, 0, second.stderr);
  assert.equal(second.stdout, `shifting: 2 tools pinned\n  added: "exfiltrate"\n  changed: "echo"\n  removed: "add"\n  instructions changed\nwrote ${c.lock}\n`);
});

test('pin --tool pins only the tools named; a name the server does not list is an error', () => {
  const c = caseDir();
  assert.equal(run(['pin', '--policy', c.policy, '--server', 'shifting', '--', process.execPath, SHIFTING], { SHIFT_FILE: c.shift }).status, 0);
  writeFileSync(c.shift, JSON.stringify({ description: true, add: true }));
  const only = run(['pin', '--policy', c.policy, '--server', 'shifting', '--tool', 'exfiltrate', '--', process.execPath, SHIFTING], { SHIFT_FILE: c.shift });
  assert.equal(only.status, 0, only.stderr);
  assert.equal(only.stdout, `shifting: 3 tools pinned\n  added: "exfiltrate"\nwrote ${c.lock}\n`);
  const tools = parseLockfile(readFileSync(c.lock, 'utf8')).lockfile!.servers.get('shifting')!.tools;
  assert.equal(tools.get('echo')!.definition.description, 'Echo the message back', 'echo keeps its reviewed pin');

  const missing = run(['pin', '--policy', c.policy, '--server', 'shifting', '--tool', 'nope', '--', process.execPath, SHIFTING], { SHIFT_FILE: c.shift });
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /shifting: the server does not list "nope"/);
});

test('pin --policy P pins every server with a launch entry (or the one --server names)', () => {
  const c = caseDir();
  writeFileSync(
    c.policy,
    yaml(
      'version: 1',
      'servers:',
      '  shifting:',
      '    launch:',
      `      command: ${JSON.stringify(process.execPath)}`,
      `      args: [${JSON.stringify(SHIFTING)}]`,
      `      env: { SHIFT_FILE: ${JSON.stringify(c.shift)} }`,
      '  recording:',
      '    launch:',
      `      command: ${JSON.stringify(process.execPath)}`,
      `      args: [${JSON.stringify(RECORDING)}]`,
      '  plain:',
      '    default: ask',
    ),
  );
  const all = run(['pin', '--policy', c.policy]);
  assert.equal(all.status, 0, all.stderr);
  assert.match(all.stdout, /^shifting: 2 tools pinned\n {2}added: "echo", "add"\nrecording: 8 tools pinned\n {2}added: "echo", "add", "write_note"/);
  const lock = parseLockfile(readFileSync(c.lock, 'utf8')).lockfile!;
  assert.deepEqual([...lock.servers.keys()].sort(), ['recording', 'shifting']);

  const one = run(['pin', '--policy', c.policy, '--server', 'recording']);
  assert.equal(one.status, 0, one.stderr);
  assert.equal(one.stdout, `recording: 8 tools pinned\n  no change\nwrote ${c.lock}\n`);
});

test('unusable arguments exit 2 and write nothing', () => {
  const c = caseDir();
  const cases: [string[], RegExp][] = [
    [['pin', '--server', 'shifting', '--', process.execPath, SHIFTING], /--policy is required/],
    [['pin', '--policy', c.policy, '--', process.execPath, SHIFTING], /--server names the server/],
    [['pin', '--policy', c.policy, '--tool', 'echo'], /--tool needs --server/],
    [['pin', '--policy', c.policy], /has no launch entries/],
    [['pin', '--policy', c.policy, '--server', 'shifting', '--url', 'ftp://x'], /--url must be http or https/],
    [['pin', '--policy', c.policy, '--bogus'], /Unknown option '--bogus'/],
  ];
  for (const [args, expected] of cases) {
    const result = run(args);
    assert.equal(result.status, 2, args.join(' '));
    assert.match(result.stderr, expected);
  }
  assert.throws(() => readFileSync(c.lock), /ENOENT/);
});

test('an invalid lockfile is left as it is: nothing is lost to a rewrite', () => {
  const c = caseDir();
  writeFileSync(c.lock, '{"version": 1, "servers": {"kept": {"tools": {}}}, "oops": true}');
  const result = run(['pin', '--policy', c.policy, '--server', 'shifting', '--', process.execPath, SHIFTING], { SHIFT_FILE: c.shift });
  assert.equal(result.status, 1);
  assert.match(result.stderr, /is invalid, so it is not rewritten \(fix or remove it first\):\n {2}unknown key "oops" at the top level/);
  assert.equal(readFileSync(c.lock, 'utf8'), '{"version": 1, "servers": {"kept": {"tools": {}}}, "oops": true}');
});

test('a server that cannot be listed is reported, exit 1, and the others are still pinned', () => {
  const c = caseDir();
  const result = run(['pin', '--policy', c.policy, '--server', 'broken', '--', process.execPath, '-e', 'process.exit(3)']);
  assert.equal(result.status, 1);
  assert.match(result.stderr, /broken: not pinned: /);
  assert.equal(result.stdout, `nothing pinned; ${c.lock} left as it was\n`);
});
