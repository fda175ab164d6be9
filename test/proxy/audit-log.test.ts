// The audit log in process: lines (escaped, with masked arguments), the keyed digest and its key file,
// failure and recovery, modes, and checking known arguments against a log.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { defaultAuditKeyFile, loadAuditKey } from '../../src/proxy/audit-key';
import { AuditLog, auditLine, canonicalJson, type AuditEntry } from '../../src/proxy/audit-log';
import { matchingLines } from '../../src/proxy/audit-verify';
import { tempDir } from './helpers';

const ENTRY: AuditEntry = {
  time: '2026-05-01T10:00:00.000Z',
  server: 's',
  tool: 't',
  decision: 'allow',
  policy: 'allow',
  reason: null,
  rule: null,
  line: null,
  argsHmac: 'ab',
  latencyMs: 0.1,
  session: 'x',
};

function collect(): { report: (message: string, level: string) => void; messages: string[] } {
  const messages: string[] = [];
  return { report: (message, level) => messages.push(`${level}: ${message}`), messages };
}

const posix = process.platform !== 'win32';

describe('auditLine', () => {
  it('writes the entry, then the masked arguments, on one line', () => {
    const line = auditLine(ENTRY, { value: { path: 'a', token: 'secret' } });
    assert.ok(line.endsWith('}\n'));
    assert.deepEqual(Object.keys(JSON.parse(line) as object).slice(-2), ['session', 'args']);
    assert.deepEqual((JSON.parse(line) as { args: unknown }).args, { path: 'a', token: '[masked]' });
    assert.ok(!('args' in (JSON.parse(auditLine(ENTRY)) as object)));
  });

  it('escapes U+2028, U+2029 and U+0085 so no JSONL reader splits the line', () => {
    const line = auditLine({ ...ENTRY, tool: 'a\u2028b\u2029c\u0085d' }, { value: { m: '\u2028' } });
    assert.equal(/[\u2028\u2029\u0085]/.test(line), false);
    assert.ok(line.includes('a\\u2028b\\u2029c\\u0085d'));
    assert.equal((JSON.parse(line) as { tool: string }).tool, 'a\u2028b\u2029c\u0085d');
  });

  it('quotes each field of each line as its own (fields kept quoted from the line before change)', () => {
    const other: AuditEntry = { ...ENTRY, server: 'o"ther', tool: 'to\\ol', reason: 'a "reason"', rule: 'r\n', session: 'y' };
    for (const entry of [ENTRY, other, other, ENTRY, { ...other, reason: null, rule: null }, ENTRY]) {
      const expected = { ...entry, args: { k: 1 } } as Record<string, unknown>;
      assert.deepEqual(JSON.parse(auditLine(entry, { value: { k: 1 } })), expected);
    }
  });
});

describe('AuditLog', () => {
  it('writes lines with the keyed digest, the log and key at mode 0600', () => {
    const tmp = tempDir();
    try {
      const file = join(tmp.dir, 'logs', 'a.jsonl');
      const keyFile = join(tmp.dir, 'cfg', 'audit-key');
      const log = AuditLog.open(file, { keyFile, report: collect().report });
      const digest = log.argsHmac({ b: 1, a: 2 })!;
      assert.equal(log.write({ ...ENTRY, argsHmac: digest }), null);
      log.close();
      const key = readFileSync(keyFile, 'utf8').trim();
      assert.match(key, /^[0-9a-f]{64}$/);
      assert.equal(digest, createHmac('sha256', key).update(canonicalJson({ a: 2, b: 1 })).digest('hex'));
      assert.equal((JSON.parse(readFileSync(file, 'utf8')) as AuditEntry).argsHmac, digest);
      if (posix) {
        assert.equal(statSync(file).mode & 0o777, 0o600);
        assert.equal(statSync(keyFile).mode & 0o777, 0o600);
      }
    } finally {
      tmp.cleanup();
    }
  });

  it('holds lines until flush, then writes them together', () => {
    const tmp = tempDir();
    try {
      const file = join(tmp.dir, 'a.jsonl');
      const log = AuditLog.open(file, { keyFile: join(tmp.dir, 'k'), report: collect().report });
      assert.equal(log.hold({ ...ENTRY, tool: 'one' }), null);
      assert.equal(log.hold({ ...ENTRY, tool: 'two' }), null);
      assert.equal(readFileSync(file, 'utf8'), '');
      assert.equal(log.flush(), null);
      assert.deepEqual(
        readFileSync(file, 'utf8')
          .trim()
          .split('\n')
          .map((l) => (JSON.parse(l) as AuditEntry).tool),
        ['one', 'two'],
      );
      log.close();
    } finally {
      tmp.cleanup();
    }
  });

  it('ends a torn last line at open, so the next line stays whole', () => {
    const tmp = tempDir();
    try {
      const file = join(tmp.dir, 'a.jsonl');
      writeFileSync(file, '{"torn":');
      const log = AuditLog.open(file, { keyFile: join(tmp.dir, 'k'), report: collect().report });
      log.write(ENTRY);
      log.close();
      const lines = readFileSync(file, 'utf8').split('\n');
      assert.equal(lines[0], '{"torn":');
      assert.equal((JSON.parse(lines[1]) as AuditEntry).tool, 't');
    } finally {
      tmp.cleanup();
    }
  });

  it('says why it cannot write, once, and that it recovered', () => {
    const tmp = tempDir();
    try {
      const file = join(tmp.dir, 'a.jsonl');
      mkdirSync(file);
      const { report, messages } = collect();
      const log = AuditLog.open(file, { keyFile: join(tmp.dir, 'k'), report });
      assert.match(log.write(ENTRY)!, /a\.jsonl: EISDIR/);
      assert.match(log.ready()!, /EISDIR/);
      assert.equal(messages.filter((m) => m.startsWith('error:')).length, 1);
      assert.match(messages[0], /^error: cannot write the audit log .*a\.jsonl: .*EISDIR.*; tool calls are refused until it can be written$/);
      rmSync(file, { recursive: true });
      assert.equal(log.write(ENTRY), null);
      assert.match(messages.at(-1)!, /^info: the audit log .* can be written again; tool calls go through$/);
      log.close();
      assert.equal(readFileSync(file, 'utf8').trim().split('\n').length, 1);
    } finally {
      tmp.cleanup();
    }
  });

  it('fails on a full device, and never throws', { skip: !existsSync('/dev/full') && 'no /dev/full' }, () => {
    const tmp = tempDir();
    try {
      const log = AuditLog.open('/dev/full', { keyFile: join(tmp.dir, 'k'), report: collect().report });
      assert.match(log.write(ENTRY)!, /ENOSPC/);
      assert.match(log.write(ENTRY)!, /ENOSPC/);
      log.close();
    } finally {
      tmp.cleanup();
    }
  });

  it('tightens a log others can read', { skip: !posix && 'POSIX modes' }, () => {
    const tmp = tempDir();
    try {
      const file = join(tmp.dir, 'a.jsonl');
      writeFileSync(file, '');
      chmodSync(file, 0o640);
      const { report, messages } = collect();
      AuditLog.open(file, { keyFile: join(tmp.dir, 'k'), report }).close();
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.match(messages.join('\n'), /warn: the audit log .* was readable by others \(mode 0640\); it is now 0600/);
    } finally {
      tmp.cleanup();
    }
  });

  it('refuses lines while the key cannot be used', () => {
    const tmp = tempDir();
    try {
      const keyFile = join(tmp.dir, 'k');
      writeFileSync(keyFile, 'short\n');
      const log = AuditLog.open(join(tmp.dir, 'a.jsonl'), { keyFile, report: collect().report });
      assert.equal(log.argsHmac({}), undefined);
      assert.match(log.write(ENTRY)!, /the audit key .* cannot be used: not an audit key/);
      writeFileSync(keyFile, '0'.repeat(64) + '\n');
      assert.equal(log.write(ENTRY), null);
      log.close();
    } finally {
      tmp.cleanup();
    }
  });
});

describe('the audit key', () => {
  it('lives in the user config folder unless named', () => {
    assert.equal(defaultAuditKeyFile({ MCP_WARDEN_AUDIT_KEY_FILE: '/k' }, 'linux', '/home/a'), '/k');
    assert.equal(defaultAuditKeyFile({}, 'linux', '/home/a'), join('/home/a', '.config', 'mcp-warden', 'audit-key'));
    assert.equal(defaultAuditKeyFile({ XDG_CONFIG_HOME: '/x' }, 'darwin', '/home/a'), join('/x', 'mcp-warden', 'audit-key'));
    assert.equal(defaultAuditKeyFile({ APPDATA: 'C:\\AppData' }, 'win32', 'C:\\Users\\a'), join('C:\\AppData', 'mcp-warden', 'audit-key'));
  });

  it('is made once: later loads, and other processes, read the same key', () => {
    const tmp = tempDir();
    try {
      const keyFile = join(tmp.dir, 'sub', 'audit-key');
      const first = loadAuditKey(keyFile, true);
      assert.deepEqual(loadAuditKey(keyFile, true), first);
      const script = `process.stdout.write(require(${JSON.stringify(join(__dirname, '../../src/proxy/audit-key.js'))}).loadAuditKey(${JSON.stringify(keyFile)}, true))`;
      assert.equal(spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' }).stdout, first);
    } finally {
      tmp.cleanup();
    }
  });

  it('is not made by a reader, and a file that is not a key is an error', () => {
    const tmp = tempDir();
    try {
      const keyFile = join(tmp.dir, 'k');
      assert.throws(() => loadAuditKey(keyFile, false), /ENOENT/);
      assert.equal(existsSync(keyFile), false);
      writeFileSync(keyFile, 'z'.repeat(64));
      assert.throws(() => loadAuditKey(keyFile, true), /not an audit key/);
      assert.throws(() => loadAuditKey(tmp.dir, true), /not a regular file|EISDIR/);
    } finally {
      tmp.cleanup();
    }
  });

  it('does not hang on a FIFO in its place', { skip: !posix && 'no FIFOs' }, () => {
    const tmp = tempDir();
    try {
      const keyFile = join(tmp.dir, 'k');
      if (spawnSync('mkfifo', [keyFile]).status !== 0) return;
      assert.throws(() => loadAuditKey(keyFile, true), /not a regular file/);
    } finally {
      tmp.cleanup();
    }
  });
});

describe('matchingLines', () => {
  it('finds the lines written for known arguments, keyed and (older) unkeyed', () => {
    const key = '03'.repeat(32);
    const hmac = (args: unknown): string => createHmac('sha256', key).update(canonicalJson(args)).digest('hex');
    const text = [
      JSON.stringify({ ...ENTRY, argsHmac: hmac({ code: '1' }) }),
      'torn',
      JSON.stringify({ ...ENTRY, tool: 'u', argsHmac: undefined, argsSha256: '0b3f5d7b2c6f0a5bd1e7d0e3a4b4a3e0c2b5a3e0d7c1f2e0b0a9c8d7e6f5a4b3' }),
      JSON.stringify({ ...ENTRY, tool: 'v', argsHmac: hmac({ code: '1' }) }),
      '',
    ].join('\n');
    const all = matchingLines(text, key, { code: '1' });
    assert.deepEqual(
      all.matches.map((m) => [m.line, m.tool, m.keyed]),
      [
        [1, 't', true],
        [4, 'v', true],
      ],
    );
    assert.equal(all.checked, 3);
    assert.deepEqual(matchingLines(text, key, { code: '1' }, 4).matches.length, 1);
    assert.equal(matchingLines(text, key, { code: '1' }, 2).checked, 0);
    assert.equal(matchingLines(text, key, { code: '2' }).matches.length, 0);
    const unkeyed = JSON.stringify({ ...ENTRY, argsHmac: undefined, argsSha256: createHash('sha256').update(canonicalJson({ code: '9' })).digest('hex') });
    assert.deepEqual(
      matchingLines(unkeyed, key, { code: '9' }).matches.map((m) => m.keyed),
      [false],
    );
  });
});

