// The comparison that decides whether a changed policy waits for a person: every loosening kind is
// reported, tool by tool, and a change that only tightens (or changes nothing enforced) reports nothing.
// Both texts go through the policy parser: what counts is what a policy means, never how it is written.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { comparePolicyTexts, type Loosening } from '../../src/policy/policy-compare';
import { globLoosenings } from '../../src/policy/glob-loosenings';
import { unrecognisedChanges } from '../../src/policy/unrecognised-settings';
import { policyOf, yaml } from './helpers';

const FILE = '/work/.vscode/mcp-policy.yaml';
const NO_TOOLS: ReadonlyMap<string, readonly string[]> = new Map();

function loosened(approved: string | undefined, proposed: string | undefined, knownTools = NO_TOOLS): Loosening[] {
  const result = comparePolicyTexts(approved, proposed, FILE, knownTools);
  assert.ok(result.ok, `expected a valid comparison, got: ${result.ok ? '' : result.reason}`);
  return result.loosened;
}

/** A policy with one server `sec` whose tools are the given rule lines (indented under `tools:`). */
function withRules(...rules: string[]): string {
  return yaml('version: 1', 'servers:', '  sec:', '    tools:', ...rules.map((line) => `      ${line}`));
}

function assertIncludes(list: Loosening[], expected: Loosening): void {
  assert.ok(
    list.some((l) => l.server === expected.server && l.tool === expected.tool && l.what === expected.what && l.before === expected.before && l.after === expected.after),
    `expected ${JSON.stringify(expected)} in:\n${list.map((l) => JSON.stringify(l)).join('\n')}`,
  );
}

const BASE = yaml(
  'version: 1',
  'default: deny',
  'audit:',
  '  args: false',
  'servers:',
  '  sec:',
  '    default: ask',
  '    launch:',
  '      command: npx',
  '      args: ["-y", "security-agent-mcp"]',
  '      env: { LOG_LEVEL: info }',
  '    tools:',
  '      stop_scan:',
  '        action: deny',
  '        reason: Stopping a running scan can hide an attack.',
  '      start_scan:',
  '        rate_limit: { max: 10, window: 60s }',
  '      delete_finding:',
  '        action: ask',
  '        args:',
  '          type: object',
  '          required: [finding_id]',
  '          properties:',
  '            finding_id: { type: string, pattern: "^F-[0-9]+$" }',
  '      debug_*:',
  '        hide: true',
  '      run_query:',
  '        risk: { category: execute, level: critical }',
);

const CATALOGUE: ReadonlyMap<string, readonly string[]> = new Map([['sec', ['stop_scan', 'start_scan', 'delete_finding', 'debug_dump', 'run_query', 'list_findings']]]);

describe('decisions', () => {
  test('deny relaxed to allow', () => {
    assert.deepEqual(loosened(BASE, BASE.replace('action: deny', 'action: allow')), [{ server: 'sec', tool: 'stop_scan', what: 'decision', before: 'deny', after: 'allow' }]);
  });

  test('deny relaxed to ask', () => {
    assert.deepEqual(loosened(BASE, BASE.replace('action: deny', 'action: ask')), [{ server: 'sec', tool: 'stop_scan', what: 'decision', before: 'deny', after: 'ask' }]);
  });

  test('ask relaxed to allow, keeping the argument check', () => {
    assert.deepEqual(loosened(BASE, BASE.replace('action: ask', 'action: allow')), [{ server: 'sec', tool: 'delete_finding', what: 'decision', before: 'ask', after: 'allow' }]);
  });

  test('an action written away means allow', () => {
    const approved = withRules('wipe: { action: ask }');
    assert.deepEqual(loosened(approved, withRules('wipe: {}')), [{ server: 'sec', tool: 'wipe', what: 'decision', before: 'ask', after: 'allow' }]);
  });

  test('a deny rule removed falls to the server default', () => {
    const after = BASE.replace('      stop_scan:\n        action: deny\n        reason: Stopping a running scan can hide an attack.\n', '');
    assert.notEqual(after, BASE);
    assert.deepEqual(loosened(BASE, after), [{ server: 'sec', tool: 'stop_scan', what: 'decision', before: 'deny', after: 'ask' }]);
  });

  test('tightened decisions report nothing: allow to ask, ask to deny, deny to hidden', () => {
    assert.deepEqual(loosened(withRules('a: { action: allow }'), withRules('a: { action: ask }')), []);
    assert.deepEqual(loosened(withRules('a: { action: ask }'), withRules('a: { action: deny }')), []);
    assert.deepEqual(loosened(withRules('a: { action: deny }'), withRules('a: { action: deny, hide: true }')), []);
    assert.deepEqual(loosened(withRules('a: { action: allow }'), withRules('a: { hide: true }')), []);
  });

  test('a deny rule added where the default allowed reports nothing', () => {
    assert.deepEqual(loosened(BASE, BASE.replace('      start_scan:', '      list_findings: { action: deny }\n      start_scan:'), CATALOGUE), []);
  });

  test('a changed reason alone is not a loosening', () => {
    assert.deepEqual(loosened(BASE, BASE.replace('Stopping a running scan can hide an attack.', 'Never.')), []);
  });
});

describe('defaults', () => {
  test('a server default relaxed: for the tools no rule names, and each catalogue tool it decides', () => {
    const result = loosened(BASE, BASE.replace('default: ask', 'default: allow'), CATALOGUE);
    assert.deepEqual(result, [
      { server: 'sec', tool: 'list_findings', what: 'decision', before: 'ask', after: 'allow' },
      { server: 'sec', what: 'default', before: 'ask', after: 'allow' },
    ]);
  });

  test('a server default removed falls to the top-level default', () => {
    const approved = withRules('a: { action: deny }').replace('  sec:\n', '  sec:\n    default: deny\n');
    assert.deepEqual(loosened(approved, withRules('a: { action: deny }')), [{ server: 'sec', what: 'default', before: 'deny', after: 'allow' }]);
  });

  test('the top-level default relaxed is reported once, for *, and for each catalogue tool it decides', () => {
    const approved = yaml('version: 1', 'default: deny');
    const proposed = yaml('version: 1', 'default: ask');
    assert.deepEqual(loosened(approved, proposed), [{ server: '*', what: 'default', before: 'deny', after: 'ask' }]);
    assert.deepEqual(loosened(approved, proposed, new Map([['fs', ['read_file']]])), [
      { server: '*', what: 'default', before: 'deny', after: 'ask' },
      { server: 'fs', tool: 'read_file', what: 'decision', before: 'deny', after: 'ask' },
    ]);
  });

  test('the top-level default written away means allow', () => {
    assert.deepEqual(loosened(yaml('version: 1', 'default: ask'), yaml('version: 1')), [{ server: '*', what: 'default', before: 'ask', after: 'allow' }]);
  });

  test('a top-level default relaxed under a server with its own default does not reach that server', () => {
    const approved = yaml('version: 1', 'default: deny', 'servers:', '  sec:', '    default: deny');
    const proposed = yaml('version: 1', 'default: allow', 'servers:', '  sec:', '    default: deny');
    assert.deepEqual(loosened(approved, proposed, new Map([['sec', ['scan']]])), [{ server: '*', what: 'default', before: 'deny', after: 'allow' }]);
  });

  test('defaults tightened report nothing', () => {
    assert.deepEqual(loosened(BASE, BASE.replace('default: ask', 'default: deny')), []);
    assert.deepEqual(loosened(yaml('version: 1'), yaml('version: 1', 'default: ask')), []);
    assert.deepEqual(loosened(yaml('version: 1', 'default: allow'), yaml('version: 1', 'default: allow', 'servers:', '  sec:', '    default: deny')), []);
  });

  test('a new server with allow rules under a denying default is a loosening; one with deny rules is not', () => {
    const approved = yaml('version: 1', 'default: deny');
    assert.deepEqual(loosened(approved, yaml('version: 1', 'default: deny', 'servers:', '  fs:', '    tools:', '      read_file: { action: allow }')), [
      { server: 'fs', tool: 'read_file', what: 'decision', before: 'deny', after: 'allow' },
    ]);
    assert.deepEqual(loosened(approved, yaml('version: 1', 'default: deny', 'servers:', '  fs:', '    tools:', '      read_file: { action: deny }')), []);
  });

  test('a whole server removed loosens each of its rules', () => {
    const approved = yaml('version: 1', 'servers:', '  fs:', '    default: ask', '    tools:', '      write_file: { action: deny }');
    assert.deepEqual(loosened(approved, yaml('version: 1')), [
      { server: 'fs', tool: 'write_file', what: 'decision', before: 'deny', after: 'allow' },
      { server: 'fs', what: 'default', before: 'ask', after: 'allow' },
    ]);
  });
});

describe('globs and exact names', () => {
  test('hide removed from a glob: the glob and the catalogue tools it matched', () => {
    const result = loosened(BASE, BASE.replace('        hide: true\n', '        hide: false\n'), CATALOGUE);
    assert.deepEqual(result, [
      { server: 'sec', tool: 'debug_dump', what: 'hidden', before: 'hidden', after: 'allow' },
      { server: 'sec', tool: 'debug_*', what: 'hidden', before: 'hidden', after: 'allow' },
    ]);
  });

  test('hidden relaxed to deny is a loosening (hide is the strictest)', () => {
    assert.deepEqual(loosened(withRules('a: { hide: true }'), withRules('a: { action: deny }')), [{ server: 'sec', tool: 'a', what: 'hidden', before: 'hidden', after: 'deny' }]);
  });

  test('an exact allow rule beating a deny glob is a loosening', () => {
    const approved = withRules('"delete_*": { action: deny }');
    assert.deepEqual(loosened(approved, withRules('"delete_*": { action: deny }', 'delete_temp: { action: allow }')), [
      { server: 'sec', tool: 'delete_temp', what: 'decision', before: 'deny', after: 'allow' },
    ]);
  });

  test('a more specific allow glob shadowing a deny glob is a loosening, even for tools nobody listed', () => {
    const approved = withRules('"delete_*": { action: deny }');
    assert.deepEqual(loosened(approved, withRules('"delete_*": { action: deny }', '"delete_tmp_*": { action: allow }')), [
      { server: 'sec', tool: 'delete_tmp_*', what: 'decision', before: 'deny', after: 'allow' },
    ]);
  });

  test('an allow glob written first wins a tie over a deny glob: a loosening', () => {
    const approved = withRules('"*_file": { action: deny }');
    const result = loosened(approved, withRules('"read_*": { action: allow }', '"*_file": { action: deny }'));
    // The name both globs match, found without the catalogue.
    assert.deepEqual(result, [{ server: 'sec', tool: 'read_*', what: 'decision', before: 'deny', after: 'allow' }]);
    // Shown by the rule: the catalogue's read_file is named too.
    assertIncludes(loosened(approved, withRules('"read_*": { action: allow }', '"*_file": { action: deny }'), new Map([['sec', ['read_file']]])), {
      server: 'sec', tool: 'read_file', what: 'decision', before: 'deny', after: 'allow',
    });
    // The same two globs in the other order: the deny glob wins the tie, and the names read_* alone matches were allowed already.
    const denyFirst = loosened(approved, withRules('"*_file": { action: deny }', '"read_*": { action: allow }'));
    assert.deepEqual(denyFirst, []);
  });

  test('two tied globs swapped, nothing else changed: the name they share is decided by the other one', () => {
    const approved = withRules('"*_file": { action: deny }', '"read_*": { action: allow }');
    const swapped = withRules('"read_*": { action: allow }', '"*_file": { action: deny }');
    assert.deepEqual(loosened(approved, swapped), [{ server: 'sec', tool: 'read_*', what: 'decision', before: 'deny', after: 'allow' }]);
    assert.deepEqual(loosened(swapped, approved), []);
  });

  test('a catch-all glob that allows on a denying server is a loosening; one that denies is not', () => {
    const approved = yaml('version: 1', 'servers:', '  sec:', '    default: deny');
    const allowAll = yaml('version: 1', 'servers:', '  sec:', '    default: deny', '    tools:', '      "*": { action: allow }');
    // Said once, for the glob (the tools no rule names are what it decides).
    assert.deepEqual(loosened(approved, allowAll), [{ server: 'sec', tool: '*', what: 'decision', before: 'deny', after: 'allow' }]);
    assert.deepEqual(loosened(approved, allowAll, CATALOGUE), [
      { server: 'sec', tool: 'stop_scan', what: 'decision', before: 'deny', after: 'allow' },
      { server: 'sec', tool: 'start_scan', what: 'decision', before: 'deny', after: 'allow' },
      { server: 'sec', tool: 'delete_finding', what: 'decision', before: 'deny', after: 'allow' },
      { server: 'sec', tool: 'debug_dump', what: 'decision', before: 'deny', after: 'allow' },
      { server: 'sec', tool: 'run_query', what: 'decision', before: 'deny', after: 'allow' },
      { server: 'sec', tool: 'list_findings', what: 'decision', before: 'deny', after: 'allow' },
      { server: 'sec', tool: '*', what: 'decision', before: 'deny', after: 'allow' },
    ]);
    assert.deepEqual(loosened(approved, allowAll.replace('action: allow', 'action: deny')), []);
  });

  test('a ? glob counts for the names it matches', () => {
    assert.deepEqual(loosened(withRules('"scan_?": { action: deny }'), withRules('"scan_?": { action: ask }')), [
      { server: 'sec', tool: 'scan_?', what: 'decision', before: 'deny', after: 'ask' },
    ]);
  });

  test('an exact deny rule added under an allowing glob reports nothing', () => {
    const approved = withRules('"get_*": { action: allow }');
    assert.deepEqual(loosened(approved, withRules('"get_*": { action: allow }', 'get_secret: { action: deny }')), []);
  });

  test('a tool name that is also an exact rule and a glob key: each is its own name', () => {
    const approved = withRules('"a*": { action: deny }', 'ab: { action: deny }');
    assert.deepEqual(loosened(approved, withRules('"a*": { action: deny }', 'ab: { action: allow }')), [{ server: 'sec', tool: 'ab', what: 'decision', before: 'deny', after: 'allow' }]);
  });
});

describe('rate limits', () => {
  const limited = (limit: string) => withRules(`scan: { rate_limit: ${limit} }`);

  test('removed', () => {
    assert.deepEqual(loosened(limited('{ max: 10, window: 60s }'), withRules('scan: {}')), [{ server: 'sec', tool: 'scan', what: 'rate limit', before: '10 per 1m', after: 'none' }]);
  });

  test('a higher max', () => {
    assert.deepEqual(loosened(limited('{ max: 10, window: 60s }'), limited('{ max: 11, window: 60s }')), [{ server: 'sec', tool: 'scan', what: 'rate limit', before: '10 per 1m', after: '11 per 1m' }]);
  });

  test('a shorter window', () => {
    assert.deepEqual(loosened(limited('{ max: 10, window: 1h }'), limited('{ max: 10, window: 30m }')), [{ server: 'sec', tool: 'scan', what: 'rate limit', before: '10 per 1h', after: '10 per 30m' }]);
  });

  test('a narrower scope', () => {
    assert.deepEqual(loosened(limited('{ max: 10, window: 60s, scope: global }'), limited('{ max: 10, window: 60s, scope: server }')), [
      { server: 'sec', tool: 'scan', what: 'rate limit', before: '10 per 1m global', after: '10 per 1m per server' },
    ]);
    assert.deepEqual(loosened(limited('{ max: 10, window: 60s, scope: server }'), limited('{ max: 10, window: 60s }')), [
      { server: 'sec', tool: 'scan', what: 'rate limit', before: '10 per 1m per server', after: '10 per 1m per session' },
    ]);
  });

  test('a higher max with a longer window still raises the burst', () => {
    assert.equal(loosened(limited('{ max: 10, window: 60s }'), limited('{ max: 20, window: 10m }')).length, 1);
  });

  test('tightened: a lower max, a longer window, a wider scope, a limit added', () => {
    assert.deepEqual(loosened(limited('{ max: 10, window: 60s }'), limited('{ max: 5, window: 60s }')), []);
    assert.deepEqual(loosened(limited('{ max: 10, window: 60s }'), limited('{ max: 10, window: 2m }')), []);
    assert.deepEqual(loosened(limited('{ max: 10, window: 60s }'), limited('{ max: 10, window: 60s, scope: global }')), []);
    assert.deepEqual(loosened(withRules('scan: {}'), limited('{ max: 10, window: 60s }')), []);
  });

  test('the same limit written another way reports nothing', () => {
    assert.deepEqual(loosened(limited('{ max: 10, window: 60s }'), limited('{ max: 10, window: 1m, scope: session }')), []);
    assert.deepEqual(loosened(limited('{ max: 10, window: 60s }'), limited('{ max: 10, window: 60 }')), []);
  });

  test('a limit on a glob shared by its tools, split by an exact rule, counts apart', () => {
    const approved = withRules('"scan_*": { rate_limit: { max: 10, window: 60s } }');
    const proposed = withRules('"scan_*": { rate_limit: { max: 10, window: 60s } }', 'scan_fast: { rate_limit: { max: 10, window: 60s } }');
    assert.deepEqual(loosened(approved, proposed), [
      { server: 'sec', tool: 'scan_fast', what: 'rate limit', before: '10 per 1m, shared by scan_*', after: '10 per 1m, counted apart' },
    ]);
  });

  test('a limited tool denied instead reports nothing', () => {
    assert.deepEqual(loosened(limited('{ max: 10, window: 60s }'), withRules('scan: { action: deny }')), []);
  });
});

describe('argument checks', () => {
  const checked = (schema: string) => withRules(`wipe: { action: ask, args: ${schema} }`);
  const SCHEMA = '{ type: object, required: [id], properties: { id: { type: string, maxLength: 8 } } }';

  test('dropped', () => {
    assert.deepEqual(loosened(checked(SCHEMA), withRules('wipe: { action: ask }')), [{ server: 'sec', tool: 'wipe', what: 'argument check', before: 'checked', after: 'none' }]);
  });

  test('changed (any change, even one that looks stricter: the comparison does not reason about schemas)', () => {
    assert.deepEqual(loosened(checked(SCHEMA), checked(SCHEMA.replace('maxLength: 8', 'maxLength: 80'))), [
      { server: 'sec', tool: 'wipe', what: 'argument check', before: 'checked', after: 'changed' },
    ]);
    assert.deepEqual(loosened(checked(SCHEMA), checked(SCHEMA.replace('maxLength: 8', 'maxLength: 4'))).length, 1);
  });

  test('added is a tightening', () => {
    assert.deepEqual(loosened(withRules('wipe: { action: ask }'), checked(SCHEMA)), []);
  });

  test('the same schema with its keys in another order reports nothing', () => {
    assert.deepEqual(loosened(checked(SCHEMA), checked('{ properties: { id: { maxLength: 8, type: string } }, required: [id], type: object }')), []);
  });

  test('dropped together with the decision and the limit: each is reported', () => {
    const approved = withRules('wipe: { action: ask, rate_limit: { max: 1, window: 1d }, args: { type: object } }');
    assert.deepEqual(loosened(approved, withRules('wipe: {}')), [
      { server: 'sec', tool: 'wipe', what: 'decision', before: 'ask', after: 'allow' },
      { server: 'sec', tool: 'wipe', what: 'rate limit', before: '1 per 1d', after: 'none' },
      { server: 'sec', tool: 'wipe', what: 'argument check', before: 'checked', after: 'none' },
    ]);
  });
});

describe('risk overrides', () => {
  const risk = (value: string) => withRules(`q: { risk: ${value} }`);

  test('lowered', () => {
    assert.deepEqual(loosened(risk('{ category: destructive, level: critical }'), risk('{ category: read, level: critical }')), [
      { server: 'sec', tool: 'q', what: 'risk override', before: 'destructive, critical', after: 'read, critical' },
    ]);
    assert.deepEqual(loosened(risk('{ level: high }'), risk('{ level: low }')), [{ server: 'sec', tool: 'q', what: 'risk override', before: 'high', after: 'low' }]);
  });

  test('removed: the classifier decides again, which may say less', () => {
    assert.deepEqual(loosened(risk('{ category: execute }'), withRules('q: {}')), [{ server: 'sec', tool: 'q', what: 'risk override', before: 'execute', after: 'none' }]);
  });

  test('added below the top of its scale may say less than the classifier did', () => {
    assert.deepEqual(loosened(withRules('q: {}'), risk('{ category: read }')), [{ server: 'sec', tool: 'q', what: 'risk override', before: 'none', after: 'read' }]);
  });

  test('raised, or added at the top of its scale, reports nothing', () => {
    assert.deepEqual(loosened(risk('{ category: read, level: low }'), risk('{ category: write, level: high }')), []);
    assert.deepEqual(loosened(withRules('q: {}'), risk('{ category: destructive, level: critical }')), []);
    assert.deepEqual(loosened(risk('{ category: execute }'), risk('{ category: execute, level: critical }')), []);
  });

  test('on a tool now denied, a risk override does not matter', () => {
    assert.deepEqual(loosened(risk('{ category: destructive }'), withRules('q: { action: deny }')), []);
  });
});

describe('audit arguments', () => {
  test('turned on is a loosening', () => {
    assert.deepEqual(loosened(BASE, BASE.replace('args: false', 'args: true')), [{ server: '*', what: 'audit arguments', before: 'off', after: 'on' }]);
    assert.deepEqual(loosened(yaml('version: 1'), yaml('version: 1', 'audit: { args: true }')), [{ server: '*', what: 'audit arguments', before: 'off', after: 'on' }]);
  });

  test('turned off is not', () => {
    assert.deepEqual(loosened(yaml('version: 1', 'audit: { args: true }'), yaml('version: 1', 'audit: { args: false }')), []);
    assert.deepEqual(loosened(yaml('version: 1', 'audit: { args: true }'), yaml('version: 1')), []);
  });
});

describe('launch entries', () => {
  test('added', () => {
    const approved = yaml('version: 1', 'servers:', '  fs:', '    default: deny');
    const proposed = yaml('version: 1', 'servers:', '  fs:', '    default: deny', '    launch: { command: node, args: [server.js, --root, "/my files"] }');
    assert.deepEqual(loosened(approved, proposed), [{ server: 'fs', what: 'launch', before: 'none', after: 'node server.js --root "/my files"' }]);
  });

  test('its command changed', () => {
    assert.deepEqual(loosened(BASE, BASE.replace('command: npx', 'command: curl')), [
      { server: 'sec', what: 'launch', before: 'npx -y security-agent-mcp', after: 'curl -y security-agent-mcp' },
    ]);
  });

  test('its environment changed: the same command line, and what changed', () => {
    assert.deepEqual(loosened(BASE, BASE.replace('LOG_LEVEL: info', 'LOG_LEVEL: info, NODE_OPTIONS: "--require /tmp/x.js"')), [
      { server: 'sec', what: 'launch', before: 'npx -y security-agent-mcp', after: 'changed: env' },
    ]);
  });

  test('a property the policy language does not list, changed', () => {
    assert.deepEqual(loosened(BASE, BASE.replace('      command: npx', '      command: npx\n      dev: { watch: "**/*" }')), [
      { server: 'sec', what: 'launch', before: 'npx -y security-agent-mcp', after: 'changed: dev' },
    ]);
  });

  test('an http entry: its URL', () => {
    const approved = yaml('version: 1', 'servers:', '  web:', '    launch: { type: http, url: "https://a.example/mcp" }');
    assert.deepEqual(loosened(approved, approved.replace('a.example', 'b.example')), [{ server: 'web', what: 'launch', before: 'https://a.example/mcp', after: 'https://b.example/mcp' }]);
  });

  test('removed (the server leaves Warden)', () => {
    const after = BASE.replace(/ {4}launch:\n.*\n.*\n.*\n/, '');
    assert.ok(!after.includes('launch'));
    assert.deepEqual(loosened(BASE, after), [{ server: 'sec', what: 'launch', before: 'npx -y security-agent-mcp', after: 'none' }]);
  });

  test('the same entry written in another order or style reports nothing', () => {
    const after = BASE.replace('      command: npx\n      args: ["-y", "security-agent-mcp"]\n      env: { LOG_LEVEL: info }\n', '      env:\n        LOG_LEVEL: info\n      args:\n        - -y\n        - security-agent-mcp\n      command: npx\n');
    assert.notEqual(after, BASE);
    assert.deepEqual(loosened(BASE, after), []);
  });

  test('a command line with line breaks and control characters is shown on one bounded line', () => {
    const approved = yaml('version: 1');
    const proposed = yaml('version: 1', 'servers:', '  fs:', `    launch: { command: "sh", args: ["-c", "echo ok\\n\\u001b[2Kapproved\\u202e", "${'x'.repeat(300)}"] }`);
    const [only] = loosened(approved, proposed);
    assert.equal(only.what, 'launch');
    assert.doesNotMatch(only.after, /[\u0000-\u001f\u202e]/);
    assert.ok(Array.from(only.after).length <= 120, only.after);
    assert.match(only.after, /^sh -c "echo ok/);
    assert.match(only.after, /…$/);
  });
});

describe('the file, its validity, and nothing approved', () => {
  test('the same text, or only comments and layout changed, reports nothing', () => {
    assert.deepEqual(loosened(BASE, BASE), []);
    const reformatted = `# edited\n${BASE.replace('      stop_scan:\n        action: deny\n', '      stop_scan:   # never\n        action: "deny"\n')}`;
    assert.deepEqual(loosened(BASE, reformatted), []);
  });

  test('a deleted file removes everything: the deletion itself, and each rule it loosens', () => {
    const result = loosened(BASE, undefined, CATALOGUE);
    assert.deepEqual(result[0], { server: '*', what: 'policy file', before: 'present', after: 'deleted' });
    assertIncludes(result, { server: '*', what: 'default', before: 'deny', after: 'allow' });
    assertIncludes(result, { server: 'sec', what: 'launch', before: 'npx -y security-agent-mcp', after: 'none' });
    assertIncludes(result, { server: 'sec', tool: 'stop_scan', what: 'decision', before: 'deny', after: 'allow' });
    assertIncludes(result, { server: 'sec', tool: 'debug_dump', what: 'hidden', before: 'hidden', after: 'allow' });
    assertIncludes(result, { server: 'sec', tool: 'start_scan', what: 'rate limit', before: '10 per 1m', after: 'none' });
    assertIncludes(result, { server: 'sec', what: 'default', before: 'ask', after: 'allow' });
  });

  test('a deleted file that allowed everything is still a change to review', () => {
    assert.deepEqual(loosened(yaml('version: 1'), undefined), [{ server: '*', what: 'policy file', before: 'present', after: 'deleted' }]);
  });

  test('an invalid proposed text is refused with the file, line and problem', () => {
    const syntax = comparePolicyTexts(BASE, 'version: 1\nservers: {\n', FILE, NO_TOOLS);
    assert.equal(syntax.ok, false);
    assert.match(!syntax.ok ? syntax.reason : '', /^\/work\/\.vscode\/mcp-policy\.yaml:\d+:\d+: /);

    const schema = comparePolicyTexts(BASE, BASE.replace('action: deny', 'action: permit'), FILE, NO_TOOLS);
    assert.equal(schema.ok, false);
    assert.match(!schema.ok ? schema.reason : '', /mcp-policy\.yaml:14:/);

    for (const text of ['', 'servers: {}\n', 'version: 2\n', '- a\n', 'version: 1\nservers:\n  sec:\n    tools:\n      a: { args: { patern: x } }\n']) {
      assert.equal(comparePolicyTexts(BASE, text, FILE, NO_TOOLS).ok, false, JSON.stringify(text));
    }
  });

  test('an unknown key is invalid, wherever it is (the caller keeps the approved policy)', () => {
    for (const text of [
      yaml('version: 1', 'defaults: allow'),
      yaml('version: 1', 'audit: { args: false, raw: true }'),
      yaml('version: 1', 'servers:', '  sec:', '    trusted: true'),
      yaml('version: 1', 'servers:', '  sec:', '    tools:', '      a: { action: deny, unless: admin }'),
      yaml('version: 1', 'servers:', '  sec:', '    tools:', '      a: { rate_limit: { max: 1, window: 1s, burst: 100 } }'),
    ]) {
      const result = comparePolicyTexts(BASE, text, FILE, NO_TOOLS);
      assert.equal(result.ok, false, text);
    }
  });

  test('nothing approved: everything the proposal lets through is listed; what it refuses is not', () => {
    assert.deepEqual(loosened(undefined, yaml('version: 1', 'default: deny')), []);
    const result = loosened(undefined, BASE, CATALOGUE);
    assertIncludes(result, { server: 'sec', what: 'launch', before: 'none', after: 'npx -y security-agent-mcp' });
    assertIncludes(result, { server: 'sec', what: 'default', before: 'nothing approved', after: 'ask' });
    assertIncludes(result, { server: 'sec', tool: 'start_scan', what: 'decision', before: 'nothing approved', after: 'allow' });
    assert.ok(!result.some((l) => l.tool === 'stop_scan' || l.tool === 'debug_*' || l.server === '*'), JSON.stringify(result));
  });

  test('an approved text that no longer parses counts as nothing approved', () => {
    assert.deepEqual(loosened('version: 1\nservers: [\n', yaml('version: 1')), [{ server: '*', what: 'default', before: 'nothing approved', after: 'allow' }]);
  });

  test('nothing approved and no file: nothing to review', () => {
    assert.deepEqual(loosened(undefined, undefined), []);
  });

  test('a tightening-only edit of many parts reports nothing', () => {
    const tightened = BASE.replace('default: deny', 'default: deny')
      .replace('rate_limit: { max: 10, window: 60s }', 'rate_limit: { max: 3, window: 5m, scope: global }\n        action: ask')
      .replace('        action: ask\n        args:', '        action: deny\n        args:')
      .replace('      run_query:\n', '      list_findings: { hide: true }\n      drop_all: { action: deny }\n      run_query:\n')
      .replace('risk: { category: execute, level: critical }', 'risk: { category: execute, level: critical }\n        args: { type: object, additionalProperties: false }')
      .replace('    default: ask', '    default: deny');
    assert.notEqual(tightened, BASE);
    assert.deepEqual(loosened(BASE, tightened, CATALOGUE), []);
  });
});

describe('aliases and merge keys are resolved before comparing', () => {
  const anchored = yaml(
    'version: 1',
    'servers:',
    '  sec:',
    '    tools:',
    '      stop_scan: &locked { action: deny }',
    '      drop_db: *locked',
    '      wipe:',
    '        <<: *locked',
    '        reason: No.',
  );

  test('the same meaning through anchors, aliases and merges reports nothing', () => {
    const plain = yaml('version: 1', 'servers:', '  sec:', '    tools:', '      stop_scan: { action: deny }', '      drop_db: { action: deny }', '      wipe: { action: deny, reason: No. }');
    assert.deepEqual(loosened(plain, anchored), []);
    assert.deepEqual(loosened(anchored, plain), []);
  });

  test('one anchor relaxed loosens every rule that names it', () => {
    assert.deepEqual(loosened(anchored, anchored.replace('&locked { action: deny }', '&locked { action: allow }')), [
      { server: 'sec', tool: 'stop_scan', what: 'decision', before: 'deny', after: 'allow' },
      { server: 'sec', tool: 'drop_db', what: 'decision', before: 'deny', after: 'allow' },
      { server: 'sec', tool: 'wipe', what: 'decision', before: 'deny', after: 'allow' },
    ]);
  });

  test('a written key overrides a merged one: a loosening when it relaxes', () => {
    const after = anchored.replace('        reason: No.', '        action: allow');
    assert.deepEqual(loosened(anchored, after), [{ server: 'sec', tool: 'wipe', what: 'decision', before: 'deny', after: 'allow' }]);
  });

  test('a launch entry changed through an anchor is a launch change', () => {
    const approved = yaml('version: 1', 'x-entry: &entry { command: node, args: [a.js] }', 'servers:', '  fs:', '    launch: *entry');
    // Top-level keys other than the known ones are invalid, so the anchor lives inside the policy's own shape.
    assert.equal(comparePolicyTexts(undefined, approved, FILE, NO_TOOLS).ok, false);
    const shared = yaml('version: 1', 'servers:', '  fs:', '    launch: &entry { command: node, args: [a.js] }', '  fs2:', '    launch: *entry');
    assert.deepEqual(loosened(shared, shared.replace('[a.js]', '[b.js]')), [
      { server: 'fs', what: 'launch', before: 'node a.js', after: 'node b.js' },
      { server: 'fs2', what: 'launch', before: 'node a.js', after: 'node b.js' },
    ]);
  });
});

describe('hostile names and sizes', () => {
  test('servers and tools named like object properties are names', () => {
    const approved = yaml('version: 1', 'servers:', '  constructor:', '    tools:', '      __proto__: { action: deny }', '      toString: { action: deny }', '  hasOwnProperty:', '    default: deny');
    const proposed = approved.replace('__proto__: { action: deny }', '__proto__: { action: allow }').replace('default: deny', 'default: ask');
    assert.deepEqual(loosened(approved, proposed, new Map([['valueOf', ['x']]])), [
      { server: 'constructor', tool: '__proto__', what: 'decision', before: 'deny', after: 'allow' },
      { server: 'hasOwnProperty', what: 'default', before: 'deny', after: 'ask' },
    ]);
  });

  test('a rule named like the comparison\'s own unnamed tool does not hide the default', () => {
    const approved = yaml('version: 1', 'servers:', '  sec:', '    default: deny', '    tools:', '      "\\0any other tool": { action: deny }');
    const proposed = approved.replace('default: deny', 'default: allow');
    assertIncludes(loosened(approved, proposed), { server: 'sec', what: 'default', before: 'deny', after: 'allow' });
  });

  test('1,500 glob rules are compared name by name, quickly', () => {
    const rules = Array.from({ length: 1500 }, (_, i) => `"t${i}_*": { action: deny }`);
    const approved = withRules(...rules);
    const started = Date.now();
    assert.deepEqual(loosened(approved, withRules(...rules.slice(0, -1), '"t1499_*": { action: allow }')), [
      { server: 'sec', tool: 't1499_*', what: 'decision', before: 'deny', after: 'allow' },
    ]);
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  });

  test('380 globs that each look for two letters in order: compared exactly, quickly', () => {
    const letters = 'abcdefghijklmnopqrst';
    const rules: string[] = [];
    for (const x of letters) for (const y of letters) if (x !== y) rules.push(`"*${x}*${y}*": { action: deny }`);
    const approved = withRules(...rules);
    const started = Date.now();
    // *a*b* moved last and relaxed: names that have a then b and no other pair of letters in order (ab) are allowed now.
    assert.deepEqual(loosened(approved, withRules(...rules.slice(1), rules[0].replace('deny', 'allow'))), [
      { server: 'sec', tool: '*a*b*', what: 'decision', before: 'deny', after: 'allow' },
    ]);
    // Moved last only: on a tie the first written wins, but ab is matched by no other glob.
    assert.deepEqual(loosened(approved, withRules(...rules.slice(1), rules[0])), []);
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
  });

  test('too many globs to pair: the server is compared as a whole', () => {
    const rules = Array.from({ length: 2100 }, (_, i) => `"t${i}_*": { action: deny }`);
    const approved = withRules(...rules);
    assert.deepEqual(loosened(approved, withRules(...rules.slice(0, -1), '"t2099_*": { action: deny, reason: why }', '"other": { action: deny }')), [
      { server: 'sec', what: 'rules', before: 'approved', after: 'changed, too many to compare one by one' },
    ]);
    assert.deepEqual(loosened(approved, approved.replace('version: 1', 'version: 1\naudit: { args: false }')), []);
  });
});

describe('globLoosenings, when a search runs out of steps', () => {
  test('a pair no name can be decided by, not ruled out in time, counts as a loosening (fail closed)', () => {
    const before = { policy: policyOf(withRules('"*x": { action: deny }')) };
    const after = { policy: policyOf(withRules('"*y": { action: allow }')) };
    const exact = new Set<string>();
    // Names ending in x: deny -> allow (the default). No name ends in both x and y.
    assert.deepEqual(globLoosenings('sec', before, after, exact), [{ tool: '*x', what: 'decision', before: 'deny', after: 'allow' }]);
    assert.deepEqual(globLoosenings('sec', before, after, exact, { perPair: 0, perServer: 0 }), [
      { tool: '*y', what: 'decision', before: 'deny', after: 'allow' },
      { tool: '*x', what: 'decision', before: 'deny', after: 'allow' },
    ]);
  });
});

describe('unrecognisedChanges (what a later policy language may add)', () => {
  test('a setting outside the understood shape, changed, added or removed, is reported with its path', () => {
    const before = { version: 1, servers: { sec: { tools: { a: { action: 'deny', timeout: 5 } } } } };
    const after = { version: 1, future: true, servers: { sec: { mode: 'open', tools: { a: { action: 'deny', timeout: 50 } } } } };
    assert.deepEqual(unrecognisedChanges(before, after), [
      { path: ['servers', 'sec', 'tools', 'a', 'timeout'], before: 'set', after: 'changed' },
      { path: ['future'], before: 'none', after: 'changed' },
      { path: ['servers', 'sec', 'mode'], before: 'none', after: 'changed' },
    ]);
    assert.deepEqual(unrecognisedChanges(after, before).map((c) => `${c.path.join('.')} ${c.before} ${c.after}`), ['future set removed', 'servers.sec.mode set removed', 'servers.sec.tools.a.timeout set changed']);
  });

  test('understood settings, launch entries and args schemas are not walked', () => {
    const value = { version: 1, default: 'deny', audit: { args: true }, servers: { sec: { default: 'ask', launch: { anything: 1 }, tools: { '*': { args: { anything: 2 }, rate_limit: { max: 1, window: 1, scope: 'global' }, risk: { level: 'low' } } } } } };
    assert.deepEqual(unrecognisedChanges(value, structuredClone(value)), []);
    assert.deepEqual(unrecognisedChanges({}, value), []);
  });

  test('the same unknown value in another key order is unchanged', () => {
    assert.deepEqual(unrecognisedChanges({ x: { a: 1, b: 2 } }, { x: { b: 2, a: 1 } }), []);
  });
});

test('a policy with NaN or infinity is refused, so it cannot pass for the null it would be written as', () => {
  const approved = 'version: 1\nservers:\n  s:\n    tools:\n      t:\n        args: { type: object, properties: { x: { not: { const: null } } } }\n';
  for (const written of ['.nan', '.inf', '-.inf', '.NaN']) {
    const result = comparePolicyTexts(approved, approved.replace('const: null', `const: ${written}`), 'p.yaml', new Map());
    assert.equal(result.ok, false, written);
  }
});

test('a glob that writes the letter the search would fill in with still has its loosening found', () => {
  const approved = 'version: 1\nservers:\n  s:\n    tools:\n      "?*": { action: deny }\n';
  const proposed = 'version: 1\nservers:\n  s:\n    tools:\n      "\\u0001*": { action: deny }\n      "?*": { action: allow }\n';
  const result = comparePolicyTexts(approved, proposed, 'p.yaml', new Map());
  assert.ok(result.ok);
  assert.ok(result.loosened.some((l) => l.server === 's' && l.what === 'decision'), JSON.stringify(result.loosened));
});

