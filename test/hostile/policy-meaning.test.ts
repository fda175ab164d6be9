// A policy means one thing, attacked: rules written through YAML anchors, aliases and merge keys, keys
// YAML reads as numbers, booleans or null, and alias bombs, at start and on reload. Through the real
// proxy (dist/cli.js) over stdio in front of the recording server: what reached the server, what the
// audit log holds, and what `mcp-warden check` says of the same file.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { auditLines, CLI, INITIALIZE, RECORDING, recorded, recordedCalls, spawnRawProxy, tempDir, waitFor, writePolicy, yaml, type RawProxy } from '../proxy/helpers';

/** Every call is answered within this (a proxy stuck expanding aliases never answers); starting takes longer on a busy machine. */
const ANSWER_MS = 5000;
const START_MS = 15_000;

interface Answer {
  text: string;
  isError: boolean;
}

interface Harness {
  proxy: RawProxy;
  policy: string;
  record: string;
  audit: string;
  call: (tool: string, args?: Record<string, unknown>) => Promise<Answer>;
  listed: () => Promise<string[]>;
  close: () => Promise<void>;
}

/** The proxy for server `server` with the policy text, in front of the recording server. */
async function start(text: string, server = 'rec'): Promise<Harness> {
  const tmp = tempDir();
  const policy = writePolicy(tmp.dir, text);
  const record = join(tmp.dir, 'record.jsonl');
  const audit = join(tmp.dir, 'audit.jsonl');
  const proxy = spawnRawProxy({ policy, server, audit, upstream: [process.execPath, RECORDING], env: { RECORD_FILE: record } });
  let id = 0;
  const request = async (message: Record<string, unknown>, within = ANSWER_MS): Promise<Record<string, unknown>> => {
    const current = ++id;
    proxy.request({ id: current, ...message });
    return proxy.waitForId(current, within);
  };
  await request(INITIALIZE, START_MS);
  proxy.request({ method: 'notifications/initialized' });
  return {
    proxy,
    policy,
    record,
    audit,
    call: async (tool, args = { message: 'hi' }) => {
      const answer = await request({ method: 'tools/call', params: { name: tool, arguments: args } });
      if (answer.error) return { text: (answer.error as { message: string }).message, isError: true }; // the server's own answer
      const result = answer.result as { content: { text: string }[]; isError?: boolean };
      return { text: result.content[0].text, isError: result.isError === true };
    },
    listed: async () => ((await request({ method: 'tools/list' })).result as { tools: { name: string }[] }).tools.map((t) => t.name),
    close: async () => {
      await proxy.close();
      tmp.cleanup();
    },
  };
}

function check(text: string): { status: number | null; stdout: string; ms: number } {
  const tmp = tempDir();
  try {
    const file = writePolicy(tmp.dir, text);
    const started = performance.now();
    const run = spawnSync(process.execPath, [CLI, 'check', file], { encoding: 'utf8', timeout: 20_000 });
    return { status: run.status, stdout: run.stdout.replaceAll(file, 'policy.yaml'), ms: performance.now() - started };
  } finally {
    tmp.cleanup();
  }
}

const line = (audit: string, tool: string) => auditLines(audit).filter((l) => l.tool === tool);

/** Every alias of the issue, each naming a rule part that must be enforced where it is used. */
const ALIASED = yaml(
  'version: 1',
  'default: allow',
  'servers:',
  '  other:',
  '    default: &strict deny',
  '    tools:',
  '      x: &deny_rule { action: deny, reason: Denied through an alias }',
  '      y: { action: &never deny, hide: &yes true, args: &needs_b { type: object, required: [b] } }',
  '  rec:',
  '    tools:',
  '      delete_everything: *deny_rule',
  '      write_note: { action: *never }',
  '      secret_debug: { hide: *yes }',
  '      add: { args: *needs_b }',
  '  rec_like_other: &otherrules',
  '    tools: { echo: { action: ask } }',
  '  rec2: *otherrules',
  '  rec3: { default: *strict }',
);

describe('rules written through aliases are enforced as the values they name', () => {
  it('check is silent, and the proxy denies, hides and checks arguments through every alias', async () => {
    const checked = check(ALIASED);
    assert.deepEqual([checked.status, checked.stdout], [0, '']);
    const h = await start(ALIASED);
    try {
      assert.ok(!(await h.listed()).includes('secret_debug'), 'hide: *yes hides the tool');
      const denied = await h.call('delete_everything');
      assert.deepEqual(denied, { text: 'Blocked by policy: Denied through an alias (policy.yaml:11)'.replace('policy.yaml', h.policy), isError: true });
      assert.equal((await h.call('write_note', { path: 'a', text: 'b' })).isError, true, 'action: *never denies');
      assert.equal((await h.call('secret_debug')).isError, true, 'a hidden tool is refused');
      const unchecked = await h.call('add', { a: 1 });
      assert.equal(unchecked.isError, true);
      assert.match(unchecked.text, /Arguments rejected by rule "add": .*\bb\b/);
      assert.deepEqual(await h.call('add', { a: 1, b: 2 }), { text: '3', isError: false });
      assert.deepEqual(await h.call('echo'), { text: 'Echo: hi', isError: false });

      assert.deepEqual(recordedCalls(h.record), ['add', 'echo'], 'only the calls the aliases allow reached the server');
      assert.deepEqual(recorded(h.record).find((m) => m.method === 'tools/call')?.params?.arguments, { a: 1, b: 2 });
      const audit = auditLines(h.audit);
      assert.deepEqual(
        audit.map((l) => [l.tool, l.decision, l.rule, l.line]),
        [
          ['delete_everything', 'deny', 'delete_everything', 11],
          ['write_note', 'deny', 'write_note', 12],
          ['secret_debug', 'deny', 'secret_debug', 13],
          ['add', 'deny', 'add', 14],
          ['add', 'allow', 'add', 14],
          ['echo', 'allow', null, 2],
        ],
      );
      assert.equal(line(h.audit, 'delete_everything')[0].reason, 'Denied through an alias');
    } finally {
      await h.close();
    }
  });

  it('a whole server through an alias, and a default through an alias', async () => {
    const aliased = await start(ALIASED, 'rec2');
    try {
      assert.equal((await aliased.call('add', { a: 1, b: 2 })).isError, false, 'rec2 is rec_like_other: its default is the top-level allow');
      const echo = await aliased.call('echo');
      assert.equal(echo.isError, true, 'echo needs approval on rec2 and no person can approve here');
      assert.deepEqual(recordedCalls(aliased.record), ['add']);
      // A refused call's line may follow its answer (only a forwarded call's line is written ahead).
      await waitFor(() => line(aliased.audit, 'echo').length > 0, 5000, "echo's audit line");
      assert.deepEqual(line(aliased.audit, 'echo').map((l) => [l.policy ?? l.decision, l.rule, l.line]), [['ask', 'echo', 17]]);
    } finally {
      await aliased.close();
    }
    const strict = await start(ALIASED, 'rec3');
    try {
      const echo = await strict.call('echo');
      assert.equal(echo.isError, true);
      assert.match(echo.text, /the default for server "rec3" is deny/);
      assert.deepEqual(recordedCalls(strict.record), []);
      await waitFor(() => auditLines(strict.audit).length > 0, 5000, "echo's audit line");
      assert.deepEqual(auditLines(strict.audit).map((l) => [l.tool, l.decision, l.line]), [['echo', 'deny', 18]]);
    } finally {
      await strict.close();
    }
  });
});

describe('merge keys', () => {
  const MERGED = yaml(
    'version: 1',
    'servers:',
    '  rec:',
    '    tools:',
    '      secret_debug: &base { action: deny, reason: Base says no }',
    '      delete_everything: { <<: *base, reason: Merged and mine }',
    '      echo: { <<: *base, action: allow }',
    '      add:',
    '        <<: [{ action: deny, reason: First source wins }, *base]',
  );

  it('a written key beats a merged one and an earlier source a later one, in check and in the proxy alike', async () => {
    assert.deepEqual([check(MERGED).status, check(MERGED).stdout], [0, '']);
    const h = await start(MERGED);
    try {
      assert.equal((await h.call('delete_everything')).text, `Blocked by policy: Merged and mine (${h.policy}:6)`);
      assert.deepEqual(await h.call('echo'), { text: 'Echo: hi', isError: false });
      assert.equal((await h.call('add', { a: 1, b: 2 })).text, `Blocked by policy: First source wins (${h.policy}:8)`);
      assert.deepEqual(recordedCalls(h.record), ['echo']);
      assert.deepEqual(
        auditLines(h.audit).map((l) => [l.tool, l.decision, l.reason]),
        [
          ['delete_everything', 'deny', 'Merged and mine'],
          ['echo', 'allow', null],
          ['add', 'deny', 'First source wins'],
        ],
      );
    } finally {
      await h.close();
    }
  });
});

describe('keys YAML reads as numbers, booleans or null', () => {
  for (const key of ['007', '1e3', 'true', 'null', '0x1F']) {
    it(`a rule keyed ${key}: is an error that says to quote it; the proxy refuses every call until it is fixed`, async () => {
      const text = yaml('version: 1', 'default: allow', 'servers:', '  rec:', '    tools:', `      ${key}: { action: deny }`, '      echo: { action: allow }');
      const checked = check(text);
      assert.equal(checked.status, 1);
      assert.match(checked.stdout, new RegExp(`^policy\\.yaml:6:7: error: Key ${key.replace('.', '\\.')} is read as .*, not as the name "${key}": quote it \\("${key}"\\) \\[non-string-key\\]\\n$`));
      const h = await start(text);
      try {
        for (const tool of ['echo', key]) {
          const answer = await h.call(tool);
          assert.equal(answer.isError, true);
          assert.match(answer.text, /^Blocked by policy: The policy has errors: .*:6:7: Key .* quote it/);
        }
        assert.deepEqual(recordedCalls(h.record), []);
        assert.deepEqual(auditLines(h.audit).map((l) => l.decision), ['deny', 'deny']);
      } finally {
        await h.close();
      }
    });
  }

  it('quoted, such a key governs the tool of that very name, on servers named that way too', async () => {
    const text = yaml('version: 1', 'default: allow', 'servers:', "  '007':", '    tools:', '      "007": { action: deny, reason: Only 007 }', '      echo: { action: deny, reason: Not 7 }');
    assert.deepEqual([check(text).status, check(text).stdout], [0, '']);
    const h = await start(text, '007');
    try {
      assert.equal((await h.call('007')).text, `Blocked by policy: Only 007 (${h.policy}:6)`);
      assert.deepEqual(await h.call('7'), { text: 'Unknown tool: 7', isError: true }, 'the policy allows "7": the server itself answers');
      assert.deepEqual(recordedCalls(h.record), ['7']);
      assert.deepEqual(auditLines(h.audit).map((l) => [l.tool, l.decision]), [['007', 'deny'], ['7', 'allow']]);
    } finally {
      await h.close();
    }
  });
});

describe('alias bombs', () => {
  function laughs(levels: number): string {
    const lines = ['version: 1', 'default: allow', 'servers:', '  rec:', '    tools:', '      l0: &l0 { reason: lol }'];
    for (let i = 1; i < levels; i++) lines.push(`      l${i}: &l${i} { args: { anyOf: [${Array(10).fill(`*l${i - 1}`).join(', ')}] } }`);
    return yaml(...lines);
  }
  const BOMB = laughs(30);

  it('check says so at once and exits 1', () => {
    const checked = check(BOMB);
    assert.equal(checked.status, 1);
    assert.match(checked.stdout, /^policy\.yaml:1:1: error: With its aliases written out in full, this policy would hold more than 200,000 values .*\[alias-bomb\]\n$/);
    assert.ok(checked.ms < 5000, `${checked.ms} ms`);
  });

  it('at start: every call is refused with the reason, the proxy stays up, and nothing reaches the server', async () => {
    const h = await start(BOMB);
    try {
      for (let i = 0; i < 2; i++) {
        const answer = await h.call('echo');
        assert.equal(answer.isError, true);
        assert.match(answer.text, /^Blocked by policy: The policy has errors: .*:1:1: With its aliases written out in full/);
      }
      assert.deepEqual(recordedCalls(h.record), []);
      assert.deepEqual(auditLines(h.audit).map((l) => l.decision), ['deny', 'deny']);
      assert.equal(h.proxy.child.exitCode, null);
    } finally {
      await h.close();
    }
  });

  const ON_RELOAD: [string, string, RegExp][] = [
    ['a billion laughs', BOMB, /aliases written out in full/],
    ['an alias inside what it names', yaml('version: 1', 'servers:', '  rec: &r', '    tools: { echo: *r }'), /is inside the value it names/],
    ['an alias naming nothing', yaml('version: 1', 'servers:', '  rec: { tools: { echo: *nothing } }'), /names no anchor/],
    ['a merge of a list', yaml('version: 1', 'servers:', '  rec: { tools: { echo: { <<: [[deny]] } } }'), /merge key/],
  ];
  for (const [name, text, reason] of ON_RELOAD) {
    it(`on reload, ${name}: the last good policy keeps deciding, and the reason is reported`, async () => {
      const good = yaml('version: 1', 'default: deny', 'servers:', '  rec:', '    tools:', '      echo: { action: allow }');
      const h = await start(good);
      try {
        assert.deepEqual(await h.call('echo'), { text: 'Echo: hi', isError: false });
        writeFileSync(h.policy, text);
        await waitFor(() => reason.test(h.proxy.stderr()), 3000, 'the refusal to be reported');
        assert.match(h.proxy.stderr(), /policy has errors; keeping the last good policy/);
        assert.deepEqual(await h.call('echo'), { text: 'Echo: hi', isError: false });
        assert.equal((await h.call('add', { a: 1, b: 2 })).isError, true);
        assert.deepEqual(recordedCalls(h.record), ['echo', 'echo']);
        assert.deepEqual(auditLines(h.audit).map((l) => [l.tool, l.decision]), [['echo', 'allow'], ['echo', 'allow'], ['add', 'deny']]);
        assert.equal(h.proxy.child.exitCode, null);
      } finally {
        await h.close();
      }
    });
  }
});
