import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePolicy } from '../../src/policy/parse';
import type { Diagnostic } from '../../src/policy/model';
import { policyOf, yaml } from './helpers';

/** `line:col code message`, one-based like the CLI, for whole-value assertions. */
function brief(d: Diagnostic): string {
  return `${d.range.start.line + 1}:${d.range.start.character + 1}-${d.range.end.line + 1}:${d.range.end.character + 1} ${d.severity} ${d.code} ${d.message}`;
}
const diagnosticsOf = (text: string) => parsePolicy(text).diagnostics.map(brief);

describe('parsePolicy: the model', () => {
  test('reads servers, rules and their positions', () => {
    const policy = policyOf(
      yaml(
        'version: 1',
        'default: deny',
        'audit: { args: true }',
        'servers:',
        '  security-agent:',
        '    default: ask',
        '    tools:',
        '      stop_scan:',
        '        action: deny',
        '        reason: "  Stopping hides attacks.  "',
        '      "get_*": {}',
        '      start_security_scan:',
        '        rate_limit: { max: 10, window: 5m, scope: server }',
        '      run_query:',
        '        risk: { category: execute }',
        '        hide: true',
      ),
    );
    assert.equal(policy.default, 'deny');
    assert.equal(policy.defaultLine, 2);
    assert.equal(policy.audit.args, true);
    const server = policy.servers.get('security-agent')!;
    assert.equal(server.default, 'ask');
    assert.equal(server.defaultLine, 6);
    assert.equal(server.line, 5);
    assert.deepEqual(
      server.tools.map((r) => [r.pattern, r.isGlob, r.literalChars, r.action, r.line, r.index]),
      [
        ['stop_scan', false, 9, 'deny', 8, 0],
        ['get_*', true, 4, 'allow', 11, 1],
        ['start_security_scan', false, 19, 'allow', 12, 2],
        ['run_query', false, 9, 'allow', 14, 3],
      ],
    );
    assert.equal(server.tools[0].reason, 'Stopping hides attacks.');
    assert.deepEqual(server.tools[0].keyRange, { start: { line: 7, character: 6 }, end: { line: 7, character: 15 } });
    assert.deepEqual(server.tools[2].rateLimit, { max: 10, windowSeconds: 300, scope: 'server' });
    assert.deepEqual(server.tools[3].risk, { category: 'execute' });
    assert.equal(server.tools[3].hide, true);
  });

  test('an empty file is a valid policy that allows (version is required, so it is an error)', () => {
    assert.deepEqual(diagnosticsOf(''), ['1:1-1:1 error missing-key Missing required key "version"']);
    const minimal = policyOf('version: 1\n');
    assert.equal(minimal.default, 'allow');
    assert.equal(minimal.servers.size, 0);
  });

  test('the file name is kept for reasons', () => {
    assert.equal(policyOf('version: 1\n', 'a/b.mcp-policy.yaml').file, 'a/b.mcp-policy.yaml');
  });
});

describe('parsePolicy: diagnostics', () => {
  test('YAML syntax errors have a position and no policy', () => {
    const result = parsePolicy(yaml('version: 1', 'servers:', '  s: [unclosed'));
    assert.equal(result.policy, undefined);
    assert.ok(result.diagnostics.length >= 1);
    assert.equal(result.diagnostics[0].code, 'yaml-syntax');
    assert.equal(result.diagnostics[0].severity, 'error');
    assert.ok(result.diagnostics[0].range.start.line >= 2, brief(result.diagnostics[0]));
  });

  test('duplicate keys', () => {
    const d = diagnosticsOf(yaml('version: 1', 'servers:', '  s:', '    tools:', '      a: {}', '      a: { action: deny }'));
    assert.deepEqual(d, ['6:7-6:8 error duplicate-key Duplicate key: each key may appear once in a map']);
  });

  test('an unknown key, with did you mean, on the key', () => {
    const d = diagnosticsOf(yaml('version: 1', 'servers:', '  s:', '    tools:', '      a:', '        actoin: deny'));
    assert.deepEqual(d, ['6:9-6:15 error unknown-key Unknown key "actoin" in "a"; did you mean "action"?']);
    assert.deepEqual(parsePolicy(yaml('version: 1', 'servers:', '  s:', '    tools:', '      a:', '        actoin: deny')).diagnostics[0].suggestions, ['action']);
  });

  test('an unknown key with no close match lists the valid ones', () => {
    const d = diagnosticsOf(yaml('version: 1', 'colour: red'));
    assert.equal(d.length, 1);
    assert.match(d[0], /^2:1-2:7 error unknown-key Unknown key "colour" in the policy; expected one of: version, default, audit, pin, poisoning, approvers, servers$/);
  });

  test('an invalid value lists the valid ones, at the value', () => {
    const result = parsePolicy(yaml('version: 1', 'servers:', '  s:', '    tools:', '      a:', '        action: block'));
    assert.deepEqual(result.diagnostics.map(brief), ['6:17-6:22 error invalid-value Invalid value "block" for "action": expected one of allow, ask, deny']);
    assert.deepEqual(result.diagnostics[0].suggestions, ['allow', 'ask', 'deny']);
    const close = parsePolicy(yaml('version: 1', 'default: alow'));
    assert.deepEqual(close.diagnostics[0].suggestions, ['allow']);
  });

  test('a bad duration', () => {
    const d = diagnosticsOf(yaml('version: 1', 'servers:', '  s:', '    tools:', '      a:', '        rate_limit: { max: 3, window: 10x }'));
    assert.deepEqual(d, ['6:39-6:42 error bad-duration Invalid duration "10x": use a number of seconds (60) or a duration such as 30s, 5m, 1h or 1d']);
  });

  test('wrong version, wrong type, too small a number', () => {
    assert.deepEqual(diagnosticsOf(yaml('version: 2')), ['1:10-1:11 error invalid-value "version" must be 1']);
    assert.deepEqual(diagnosticsOf(yaml('version: 1', 'servers:', '  s:', '    tools: [a, b]')), ['4:12-4:18 error invalid-type "tools" must be a map']);
    assert.deepEqual(diagnosticsOf(yaml('version: 1', 'servers:', '  s:', '    tools:', '      a:', '        rate_limit: { max: 0, window: 1 }')), [
      '6:28-6:29 error invalid-value "max" must be at least 1',
    ]);
  });

  test('a missing required key in a rate limit', () => {
    const d = diagnosticsOf(yaml('version: 1', 'servers:', '  s:', '    tools:', '      a:', '        rate_limit: { max: 3 }'));
    assert.deepEqual(d, ['6:9-6:19 error missing-key Missing required key "window" in "rate_limit"']);
  });

  test('an args that is not a valid JSON Schema', () => {
    const d = diagnosticsOf(yaml('version: 1', 'servers:', '  s:', '    tools:', '      a:', '        args:', '          type: objekt'));
    assert.equal(d.length, 1);
    assert.match(d[0], /^6:9-6:13 error invalid-args-schema "args" is not a valid JSON Schema: /);
    const regex = diagnosticsOf(yaml('version: 1', 'servers:', '  s:', '    tools:', '      a:', '        args: { properties: { p: { pattern: "([" } } }'));
    assert.equal(regex.length, 1);
    assert.match(regex[0], /\/properties\/p\/pattern is not a valid regular expression/);
  });

  test('several problems are all reported', () => {
    const d = diagnosticsOf(yaml('version: 1', 'default: never', 'servers:', '  s:', '    default: maybe', '    tool: {}'));
    assert.equal(d.length, 3, d.join('\n'));
  });

  test('a document that is not a map', () => {
    assert.deepEqual(diagnosticsOf('- a\n- b\n'), ['1:1-3:1 error invalid-type A policy must be a map of keys: version, default, audit, servers']);
  });

  test('a large policy (50 servers, 1,250 rules) reads whole', () => {
    const lines = ['version: 1', 'servers:'];
    for (let s = 0; s < 50; s++) {
      lines.push(`  server-${s}:`, '    default: ask', '    tools:');
      for (let t = 0; t < 24; t++) lines.push(`      tool_${t}:`, '        action: deny', '        reason: no');
      lines.push('      "get_*":', '        rate_limit: { max: 5, window: 1m }');
    }
    const result = parsePolicy(lines.join('\n'));
    assert.ok(result.policy);
    assert.equal(result.policy.servers.size, 50);
    const last = result.policy.servers.get('server-49')!;
    assert.equal(last.tools.length, 25);
    assert.deepEqual(last.tools[24].rateLimit, { max: 5, windowSeconds: 60, scope: 'session' });
    assert.equal(last.tools[24].line, lines.length - 1);
  });
});
