// `npm run demo` must keep telling the truth: each kind of call ends as the policy says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');

test('the demo shows allowed, denied, declined, bad-argument, over-limit and hidden calls', () => {
  const started = Date.now();
  const result = spawnSync(process.execPath, ['scripts/demo.mjs'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.status, 0, result.stderr);
  const outcome = (label: string) => {
    const row = result.stdout.split('\n').find((line) => line.startsWith(label));
    assert.ok(row, `no row for "${label}" in:\n${result.stdout}`);
    return row.replace(/\s+/g, ' ');
  };
  assert.match(outcome('an allowed call'), /echo passed Echo: hello through Warden/);
  assert.match(outcome('a denied call'), /get-env blocked Blocked by policy: Printing the environment can leak secrets\./);
  assert.match(outcome('asked, and the person declines'), /blocked Blocked by policy: .*declined/);
  assert.match(outcome('a call with bad arguments'), /blocked Blocked by policy: Arguments rejected by rule "get-sum": argument "b" must be number/);
  assert.match(outcome('within the rate limit (3 of 3)'), /passed The sum of 5 and 6 is 11\./);
  assert.match(outcome('over the rate limit'), /blocked Blocked by policy: Rate limit of 3 calls per 1m reached/);
  assert.match(outcome('a hidden tool'), /blocked Blocked by policy: Tool "toggle-simulated-logging" is hidden/);
  assert.match(result.stdout, /hidden by the policy: toggle-simulated-logging, toggle-subscriber-updates/);
  assert.match(result.stdout, /everything: 9 call\(s\), 4 allowed, 5 denied, 1 asked/);
  // What the agent saw names the policy relative to the working folder, and a long line is cut between words.
  assert.match(outcome('a denied call'), /\(examples\/demo\/everything\.mcp-policy\.yaml:\d+\)$/);
  assert.ok(!result.stdout.includes(ROOT), 'no absolute path of the working folder');
  for (const row of result.stdout.split('\n').filter((text) => / blocked /.test(text) && text.includes('examples/'))) {
    assert.match(row, /\(examples\/demo\/everything\.mcp-policy\.yaml:\d+\)$/, `the path is cut: ${row}`);
  }
  assert.ok(Date.now() - started < 20_000, 'the demo takes under 20 seconds');
});
