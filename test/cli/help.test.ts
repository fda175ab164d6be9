// Each command's own --help, the same exit rule for a broken policy in `tools` and `explain`, and the
// README's command-line examples run as written from the repository root.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { CLI, requireBundle, SCANNER, tempDir, writePolicy, yaml } from '../proxy/helpers';

const ROOT = resolve(__dirname, '../../..');

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  requireBundle();
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30_000, cwd: ROOT });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('mcp-warden <command> --help', () => {
  for (const command of ['check', 'explain', 'proxy', 'gateway', 'tools', 'pin', 'scan', 'audit', 'token']) {
    for (const flag of ['--help', '-h']) {
      it(`${command} ${flag} prints the command's usage and exits 0`, () => {
        const result = cli(command, flag);
        assert.equal(result.status, 0, result.stderr);
        assert.equal(result.stderr, '');
        assert.match(result.stdout, new RegExp(`^usage: mcp-warden ${command}\\b`));
        assert.doesNotMatch(result.stdout, /not found|mcp-warden proxy .*mcp-warden check/s);
      });
    }
  }

  it('--help after other arguments still asks for help; one after -- belongs to the server command', () => {
    assert.equal(cli('check', 'policy.yaml', '--help').status, 0);
    const passed = cli('tools', '--json', '--', process.execPath, '-e', 'process.exit(0)', '--help');
    assert.notEqual(passed.status, 0, 'the server command was run, and its end reported');
    assert.doesNotMatch(passed.stdout, /^usage:/);
  });
});

describe('a broken policy', () => {
  it('tools exits 1 like explain, still listing what the proxy would decide (every call refused)', () => {
    const tmp = tempDir();
    try {
      const policy = writePolicy(tmp.dir, yaml('version: 1', 'default: maybe'));
      const tools = cli('tools', '--policy', policy, '--server', 'scanner', '--json', '--', process.execPath, SCANNER);
      assert.equal(tools.status, 1, tools.stderr);
      assert.match(tools.stderr, /maybe/);
      const rows = JSON.parse(tools.stdout) as { decision: string }[];
      assert.ok(rows.length > 0 && rows.every((row) => row.decision === 'deny'));
      const explain = cli('explain', policy, '--server', 'scanner', '--tool', 'stop_scan');
      assert.equal(explain.status, tools.status);
    } finally {
      tmp.cleanup();
    }
  });
});

describe("the README's command-line examples", () => {
  const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
  const examples = [...readme.matchAll(/^npx mcp-warden (check|explain) ([^-\s#][^#]*?)\s*(?:#.*)?$/gm)].map((match) => ({ command: match[1], args: match[2].split(' ') }));

  it('exist', () => assert.deepEqual(examples.map((e) => e.command), ['check', 'explain']));

  for (const { command, args } of examples) {
    it(`${command} ${args.join(' ')} runs from the repository root`, () => {
      const result = cli(command, ...args);
      assert.equal(result.status, 0, result.stderr);
      if (command === 'explain') {
        const shown = readme.slice(readme.indexOf(`npx mcp-warden explain ${args.join(' ')}`)).split('\n')[1];
        const answer = JSON.parse(result.stdout) as Record<string, unknown>;
        for (const [key, value] of Object.entries({ decision: answer.decision, reason: answer.reason, rule: answer.rule, line: answer.line })) {
          assert.ok(shown.includes(`"${key}":${JSON.stringify(value)}`), `${shown} shows ${key} ${JSON.stringify(value)}`);
        }
      }
    });
  }
});
