// The CLI contract other tools rely on: `check` lines and exit codes, `explain` JSON.
// Runs the built bundle (dist/cli.js), as users do.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const CLI = resolve(__dirname, '../../../dist/cli.js');

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const GOOD = `version: 1
default: allow
servers:
  security-agent:
    default: ask
    tools:
      stop_scan:
        action: deny
        reason: Stopping a running security scan can hide an attack.
      start_security_scan:
        rate_limit: { max: 10, window: 60s }
      delete_finding:
        action: ask
        args:
          type: object
          required: [finding_id]
          properties:
            finding_id: { type: string, pattern: "^F-[0-9]+$" }
      debug_*:
        hide: true
      run_query:
        risk: { category: execute, level: critical }
`;

const BAD = `version: 1
default: maybe
servers:
  s:
    tools:
      a:
        actoin: deny
      b:
        rate_limit: { max: 1, window: soon }
`;

describe('mcp-warden CLI', () => {
  let dir: string;
  let good: string;
  let bad: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'warden-cli-'));
    good = join(dir, 'good.mcp-policy.yaml');
    bad = join(dir, 'bad.mcp-policy.yaml');
    writeFileSync(good, GOOD);
    writeFileSync(bad, BAD);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('--version prints the version; --help the commands; no command is a usage error', () => {
    const { version } = require('../../../package.json') as { version: string };
    for (const flag of ['--version', '-V', 'version']) assert.deepEqual(run(flag), { code: 0, stdout: `mcp-warden ${version}\n`, stderr: '' });
    const help = run('--help');
    assert.equal(help.code, 0);
    for (const command of ['check', 'explain', 'proxy', 'tools', 'audit', '--version']) assert.match(help.stdout, new RegExp(`mcp-warden ${command}`));
    assert.equal(run().code, 2);
  });

  test('check: a valid policy prints nothing and exits 0', () => {
    assert.deepEqual(run('check', good), { code: 0, stdout: '', stderr: '' });
  });

  test('check: one line per diagnostic, file:line:col: severity: message [code], exit 1', () => {
    const { code, stdout } = run('check', bad);
    assert.equal(code, 1);
    assert.deepEqual(stdout.trim().split('\n'), [
      `${bad}:2:10: error: Invalid value "maybe" for "default": expected one of allow, ask, deny [invalid-value]`,
      `${bad}:7:9: error: Unknown key "actoin" in "a"; did you mean "action"? [unknown-key]`,
      `${bad}:9:39: error: Invalid duration "soon": use a number of seconds (60) or a duration such as 30s, 5m, 1h or 1d [bad-duration]`,
    ]);
  });

  test('check: a missing file or no argument is a usage error (exit 2)', () => {
    const missing = run('check', join(dir, 'nope.yaml'));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /policy file not found/);
    assert.equal(run('check').code, 2);
    assert.equal(run('frobnicate').code, 2);
  });

  test('explain: a denied tool, with rule, line and risk', () => {
    const { code, stdout } = run('explain', good, '--server', 'security-agent', '--tool', 'stop_scan', '--description', 'Stop a running security scan');
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(stdout), {
      decision: 'deny',
      reason: 'Stopping a running security scan can hide an attack.',
      rule: 'stop_scan',
      line: 7,
      risk: { category: 'execute', level: 'high', source: 'name' },
      rateLimit: null,
      hidden: false,
    });
  });

  test('explain: rate limit, risk override, hidden, default, args', () => {
    const explain = (...extra: string[]) => JSON.parse(run('explain', good, '--server', 'security-agent', ...extra).stdout);
    assert.deepEqual(explain('--tool', 'start_security_scan').rateLimit, { max: 10, windowSeconds: 60 });
    assert.deepEqual(explain('--tool', 'run_query').risk, { category: 'execute', level: 'critical', source: 'policy' });
    const hidden = explain('--tool', 'debug_dump');
    assert.equal(hidden.hidden, true);
    assert.equal(hidden.decision, 'deny');
    const byDefault = explain('--tool', 'list_findings');
    assert.equal(byDefault.decision, 'ask');
    assert.equal(byDefault.rule, null);
    assert.equal(byDefault.line, 5);
    assert.equal(explain('--tool', 'delete_finding', '--args', '{"finding_id":"F-1"}').decision, 'ask');
    const badArgs = explain('--tool', 'delete_finding', '--args', '{"finding_id":"nope"}');
    assert.equal(badArgs.decision, 'deny');
    assert.match(badArgs.reason, /argument "finding_id" must match pattern/);
    const readOnly = explain('--tool', 'wipe_all', '--annotations', '{"readOnlyHint":true}');
    assert.equal(readOnly.risk.category, 'destructive');
  });

  test('explain: a mistyped server or tool is named, with the closest one the policy knows', () => {
    const server = run('explain', good, '--server', 'security-agnet', '--tool', 'stop_scan');
    assert.equal(server.code, 0);
    assert.deepEqual(JSON.parse(server.stdout).notes, ['Server "security-agnet" is not in the policy: the top-level default decides (allow). Did you mean "security-agent"?']);
    assert.match(server.stderr, /^mcp-warden: note: Server "security-agnet" is not in the policy.*Did you mean "security-agent"\?\n$/);
    const tool = run('explain', good, '--server', 'security-agent', '--tool', 'stop_scna');
    assert.deepEqual(JSON.parse(tool.stdout).notes, ['Tool "stop_scna" matches no rule of "security-agent": the default of "security-agent" decides (ask). Did you mean "stop_scan"?']);
    assert.equal(JSON.parse(run('explain', good, '--server', 'security-agent', '--tool', 'list_findings').stdout).notes, undefined);
  });

  test('explain: unusable arguments go to stderr with exit 2', () => {
    for (const args of [
      ['--server', 's'],
      ['--server', 's', '--tool', 't', '--args', '{not json'],
      ['--server', 's', '--tool', 't', '--args', '[1]'],
      ['--server', 's', '--tool', 't', '--bogus', 'x'],
      ['--server', 's', '--tool', 't', '--', 'node', 'server.js'],
    ]) {
      const result = run('explain', good, ...args);
      assert.equal(result.code, 2, args.join(' '));
      assert.equal(result.stdout, '');
      assert.notEqual(result.stderr, '');
    }
  });

  test('explain: a broken policy fails closed (deny, with the first error) and exits 1', () => {
    const { code, stdout } = run('explain', bad, '--server', 's', '--tool', 'b');
    assert.equal(code, 1);
    const output = JSON.parse(stdout);
    assert.equal(output.decision, 'deny');
    assert.match(output.reason, /^The policy has errors: .*bad\.mcp-policy\.yaml:2:10: Invalid value "maybe".*\(and 2 more\)\. Every tool call is refused until it is fixed$/);
  });
});
