// The `tools` and `audit` commands and the proxy's usage errors, run from the bundle.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CLI, requireBundle, SCANNER, startEverythingHttp, tempDir, writePolicy, yaml } from './helpers';

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  requireBundle();
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const SCANNER_POLICY = yaml(
  'version: 1',
  'servers:',
  '  scanner:',
  '    default: ask',
  '    tools:',
  '      stop_scan: { action: deny, reason: Stopping a scan can hide an attack }',
  '      list_findings: { action: allow }',
  '      get_scan_status: { hide: true }',
);

describe('mcp-warden tools', () => {
  it('lists a stdio server’s tools with risk, label source and the policy’s decision', () => {
    const tmp = tempDir();
    try {
      const policy = writePolicy(tmp.dir, SCANNER_POLICY);
      const result = cli('tools', '--policy', policy, '--server', 'scanner', '--json', '--', process.execPath, SCANNER);
      assert.equal(result.status, 0, result.stderr);
      const rows = JSON.parse(result.stdout) as { name: string; risk: { category: string; source: string }; decision: string; hidden: boolean; line: number | null }[];
      const byName = new Map(rows.map((r) => [r.name, r]));
      assert.deepEqual([...byName.keys()].sort(), ['delete_finding', 'get_scan_status', 'list_findings', 'start_security_scan', 'stop_scan']);
      assert.equal(byName.get('stop_scan')!.decision, 'deny');
      assert.equal(byName.get('stop_scan')!.line, 6);
      assert.equal(byName.get('list_findings')!.decision, 'allow');
      assert.equal(byName.get('delete_finding')!.decision, 'ask');
      assert.equal(byName.get('delete_finding')!.risk.category, 'destructive');
      assert.equal(byName.get('delete_finding')!.risk.source, 'annotations');
      assert.equal(byName.get('get_scan_status')!.hidden, true);

      const table = cli('tools', '--policy', policy, '--server', 'scanner', '--', process.execPath, SCANNER);
      assert.equal(table.status, 0);
      assert.match(table.stdout, /^tool\s+risk\s+from\s+decision\s+rule$/m);
      assert.match(table.stdout, /^stop_scan\s+\S+\s+\S+\s+deny\s+stop_scan \(line 6\)$/m);
      assert.match(table.stdout, /^get_scan_status\s+read\/low\s+annotations\s+deny \(hidden\)/m);
    } finally {
      tmp.cleanup();
    }
  });

  it('lists the tools of a server at a URL', async () => {
    const server = await startEverythingHttp('streamableHttp');
    try {
      const result = cli('tools', '--json', '--url', `http://127.0.0.1:${server.port}/mcp`);
      assert.equal(result.status, 0, result.stderr);
      const rows = JSON.parse(result.stdout) as { name: string; risk: { category: string } }[];
      assert.ok(rows.some((r) => r.name === 'echo' && r.risk.category === 'read'));
    } finally {
      await server.close();
    }
  });
});

describe('mcp-warden audit', () => {
  it('summarises calls per server, tool and decision', () => {
    const tmp = tempDir();
    try {
      const file = join(tmp.dir, 'audit.jsonl');
      const entry = (tool: string, decision: string, policy: string): string => JSON.stringify({ time: '2026-05-01T10:00:00.000Z', server: 'scanner', tool, decision, policy });
      writeFileSync(file, [entry('stop_scan', 'deny', 'deny'), entry('delete_finding', 'allow', 'ask'), entry('delete_finding', 'deny', 'ask'), '{"torn'].join('\n') + '\n');
      const text = cli('audit', file);
      assert.equal(text.status, 0);
      assert.match(text.stdout, /^3 decided call\(s\) from 2026-05-01T10:00:00.000Z/);
      assert.match(text.stdout, /1 line\(s\) skipped/);
      assert.match(text.stdout, /scanner: 3 call\(s\), 1 allowed, 2 denied, 2 asked/);
      assert.match(text.stdout, /^\s+delete_finding\s+2\s+1\s+1\s+2$/m);
      const json = JSON.parse(cli('audit', file, '--json').stdout) as { entries: number };
      assert.equal(json.entries, 3);
      assert.equal(cli('audit', join(tmp.dir, 'missing.jsonl')).status, 2);
    } finally {
      tmp.cleanup();
    }
  });
});

describe('mcp-warden proxy usage', () => {
  it('exits 2 with a usage message for bad command lines', () => {
    const missingPolicy = cli('proxy', '--server', 's', '--', 'x');
    assert.equal(missingPolicy.status, 2);
    assert.match(missingPolicy.stderr, /--policy is required/);
    assert.match(cli('proxy', '--policy', 'p', '--server', 's').stderr, /name the server to protect/);
    assert.match(cli('proxy', '--policy', 'p', '--server', 's', '--url', 'http://x/mcp', '--', 'cmd').stderr, /either a command after -- or --url/);
    assert.match(cli('proxy', '--policy', 'p', '--server', 's', '--url', 'ftp://x').stderr, /must be http or https/);
    assert.match(cli('proxy', '--policy', 'p', '--server', 's', '--listen', 'nope', '--', 'x').stderr, /--listen takes HOST:PORT/);
    assert.equal(cli('proxy', '--policy', 'p', '--server', 's', '--approval-timeout', '-1', '--', 'x').status, 2);
  });
});
