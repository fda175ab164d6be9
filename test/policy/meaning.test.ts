// A policy means one thing: what the schema checks is what the engine enforces, however YAML writes it
// (aliases, merge keys), and keys YAML would read as something other than text are refused.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IncrementalPolicyParser } from '../../src/language/incremental-parse';
import { TextLines } from '../../src/language/text-lines';
import { readBlockYaml } from '../../src/policy/block-yaml';
import { setRateLimit, setToolAction, YamlEditError } from '../../src/policy/edits';
import { PolicyEngine } from '../../src/policy/engine';
import type { Diagnostic } from '../../src/policy/model';
import { parsePolicy } from '../../src/policy/parse';
import { MAX_EXPANDED_VALUES } from '../../src/policy/yaml-resolve';
import { protectedServers } from '../../src/workbench/launch-entry';
import { policyOf, yaml } from './helpers';

function brief(d: Diagnostic): string {
  return `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.severity} ${d.code} ${d.message}`;
}
const errorsOf = (text: string) => parsePolicy(text).diagnostics.filter((d) => d.severity === 'error').map(brief);

function decide(text: string, server: string, tool: string, args?: unknown) {
  return new PolicyEngine(policyOf(text)).decide({ server, tool, args }, { dryRun: true });
}

describe('aliases mean what they name', () => {
  const ALIASES = yaml(
    'version: 1',
    'default: allow',
    'servers:',
    '  fx:',
    '    tools:',
    '      drop_table: &deny_rule { action: deny, reason: Never drop }',
    '      delete_all: *deny_rule',
    '      stop: { action: &never deny }',
    '      wipe: { action: *never }',
    '      debug: { hide: &yes true }',
    '      dump: { hide: *yes }',
    '      query: { args: &id_args { type: object, required: [id] } }',
    '      update: { args: *id_args }',
    '  fx2: &fx2rules',
    '    default: &strict deny',
    '    tools:',
    '      read: { action: ask }',
    '  fx3: *fx2rules',
    '  fx4: { default: *strict }',
  );

  test('each alias of the issue is enforced as the value it names, and check is silent because the value is valid', () => {
    assert.deepEqual(parsePolicy(ALIASES).diagnostics, []);
    assert.equal(decide(ALIASES, 'fx', 'delete_all').decision, 'deny');
    assert.equal(decide(ALIASES, 'fx', 'delete_all').reason, 'Never drop');
    assert.equal(decide(ALIASES, 'fx', 'wipe').decision, 'deny');
    assert.equal(decide(ALIASES, 'fx', 'dump').hidden, true);
    assert.equal(decide(ALIASES, 'fx', 'update', {}).decision, 'deny');
    assert.match(decide(ALIASES, 'fx', 'update', {}).reason!, /id/);
    assert.equal(decide(ALIASES, 'fx', 'update', { id: 1 }).decision, 'allow');
    assert.equal(decide(ALIASES, 'fx3', 'read').decision, 'ask');
    assert.equal(decide(ALIASES, 'fx3', 'anything').decision, 'deny');
    assert.equal(decide(ALIASES, 'fx4', 'anything').decision, 'deny');
  });

  test('what came through an alias is placed at the alias', () => {
    const policy = policyOf(ALIASES);
    assert.equal(policy.servers.get('fx')!.tools.find((r) => r.pattern === 'delete_all')!.line, 7);
    const fx3 = policy.servers.get('fx3')!;
    assert.equal(fx3.line, 18);
    assert.deepEqual(fx3.tools.map((r) => [r.pattern, r.line, r.keyRange.start.character]), [['read', 18, 7]]);
    assert.equal(fx3.defaultLine, 18);
    assert.equal(policy.servers.get('fx4')!.defaultLine, 19);
  });

  test('an invalid value that came through an alias is reported at the alias, with the value it names', () => {
    const text = yaml('version: 1', 'servers:', '  s:', '    tools:', '      a: { reason: &word nevr }', '      b: { action: *word }');
    assert.deepEqual(errorsOf(text), ['6:20 error invalid-value Invalid value "nevr" for "action": expected one of allow, ask, deny']);
    const unknown = yaml('version: 1', 'servers:', '  s:', '    tools:', '      a: &r { actoin: deny }', '      b: *r');
    assert.deepEqual(errorsOf(unknown), ['5:15 error unknown-key Unknown key "actoin" in "a"; did you mean "action"?', '6:10 error unknown-key Unknown key "actoin" in "b"; did you mean "action"?']);
  });

  test('one anchor used hundreds of times is an ordinary policy', () => {
    const rules = Array.from({ length: 300 }, (_, i) => `      t${i}: *deny_rule`);
    const text = yaml('version: 1', 'servers:', '  s:', '    tools:', '      first: &deny_rule { action: deny }', ...rules);
    assert.equal(decide(text, 's', 't299').decision, 'deny');
  });
});

describe('merge keys', () => {
  test('a written key beats a merged one, an earlier source a later one, wherever << stands', () => {
    const text = yaml(
      'version: 1',
      'servers:',
      '  s:',
      '    tools:',
      '      base: &base { action: deny, reason: Base }',
      '      after: { reason: Mine, <<: *base, action: allow }',
      '      before: { <<: *base, reason: Mine }',
      '      two: { <<: [{ action: ask }, *base] }',
      '      block:',
      '        <<:',
      '          hide: true',
    );
    assert.deepEqual(parsePolicy(text).diagnostics, []);
    assert.equal(decide(text, 's', 'after').decision, 'allow');
    assert.equal(decide(text, 's', 'before').decision, 'deny');
    assert.equal(decide(text, 's', 'before').reason, 'Mine');
    assert.equal(decide(text, 's', 'two').decision, 'ask');
    assert.equal(decide(text, 's', 'two').reason, 'Base');
    assert.equal(decide(text, 's', 'block').hidden, true);
  });

  test('rules merged into a tools map are placed at their <<, and take its place in file order', () => {
    const text = yaml('version: 1', 'servers:', '  a:', '    tools: &common', '      "*_all": { action: deny }', '  b:', '    tools:', '      "x*": { action: ask }', '      <<: *common', '      "*_al?": { action: allow }');
    const b = policyOf(text).servers.get('b')!;
    assert.deepEqual(b.tools.map((r) => [r.pattern, r.line, r.index]), [['x*', 8, 0], ['*_all', 9, 1], ['*_al?', 10, 2]]);
    assert.equal(decide(text, 'b', 'wipe_all').decision, 'deny');
  });

  test('a quoted "<<" is a key like any other, not a merge', () => {
    const text = yaml('version: 1', 'servers:', '  s:', '    tools:', '      "<<": { action: deny }');
    assert.deepEqual(policyOf(text).servers.get('s')!.tools.map((r) => r.pattern), ['<<']);
    assert.equal(decide(text, 's', '<<').decision, 'deny');
  });

  test('a merge of anything but maps is an error', () => {
    assert.deepEqual(errorsOf(yaml('version: 1', 'servers:', '  s:', '    tools:', '      a: { <<: deny }')), ['5:16 error invalid-merge A merge key (<<) takes a map, an alias of a map, or a list of them']);
    assert.deepEqual(errorsOf(yaml('version: 1', 'x: &l [1]', 'servers: { <<: [*l] }')).filter((e) => e.includes('merge')), ['3:17 error invalid-merge A merge key (<<) takes a map, an alias of a map, or a list of them']);
  });

  test('the fast reader leaves a plain << to yaml, and reads a quoted one', () => {
    assert.equal(readBlockYaml(yaml('version: 1', 'servers:', '  <<: {}')), undefined);
    assert.equal(readBlockYaml(yaml('version: 1', 'servers: { <<: {} }')), undefined);
    assert.ok(readBlockYaml(yaml('version: 1', 'servers:', '  "<<": {}')));
  });
});

describe('keys YAML reads as something other than text', () => {
  const KEYS: [string, string][] = [
    ['007', 'the number 7'],
    ['1e3', 'the number 1000'],
    ['0x1F', 'the number 31'],
    ['0o17', 'the number 15'],
    ['.5', 'the number 0.5'],
    ['true', 'the boolean true'],
    ['False', 'the boolean false'],
    ['null', 'nothing (null)'],
    ['~', 'nothing (null)'],
  ];
  for (const [key, read] of KEYS) {
    test(`a tool written ${key}: is an error that says to quote it; quoted, it governs "${key}" exactly`, () => {
      assert.deepEqual(errorsOf(yaml('version: 1', 'servers:', '  s:', '    tools:', `      ${key}: { action: deny }`)), [
        `5:7 error non-string-key Key ${key} is read as ${read}, not as the name "${key}": quote it ("${key}")`,
      ]);
      assert.equal(errorsOf(yaml('version: 1', 'servers:', '  s:', `    tools: { ${key}: { action: deny } }`)).length, 1, 'in a flow map too');
      const quoted = yaml('version: 1', 'default: allow', 'servers:', '  s:', '    tools:', `      "${key}": { action: deny }`);
      assert.deepEqual(policyOf(quoted).servers.get('s')!.tools.map((r) => r.pattern), [key]);
      assert.equal(decide(quoted, 's', key).decision, 'deny');
    });
  }

  test('a server name, and an argument name in an args schema, are keys like tools', () => {
    assert.deepEqual(errorsOf(yaml('version: 1', 'servers:', '  123: { default: deny }')), ['3:3 error non-string-key Key 123 is read as the number 123, not as the name "123": quote it ("123")']);
    assert.deepEqual(errorsOf(yaml('version: 1', 'servers:', '  s:', '    tools:', '      a: { args: { type: object, properties: { 007: { type: string } } } }')), [
      '5:48 error non-string-key Key 007 is read as the number 7, not as the name "007": quote it ("007")',
    ]);
    const quoted = yaml('version: 1', 'default: deny', 'servers:', "  '123': { default: allow }");
    assert.equal(decide(quoted, '123', 'x').decision, 'allow');
  });

  test('a key that is a list, a map or an alias is an error', () => {
    assert.deepEqual(errorsOf(yaml('version: 1', 'servers:', '  ? [a, b]', '  : {}')), ['3:5 error complex-key A key must be text, not a list or a map']);
    assert.deepEqual(errorsOf(yaml('version: 1', 'default: &d deny', 'servers:', '  *d : {}')), ['4:3 error complex-key A key may not be an alias (*d): write the key itself']);
  });
});

describe('aliases that cannot be expanded are diagnostics, never a throw or a hang', () => {
  function laughs(levels: number, width: number): string {
    const lines = ['version: 1', 'servers:', '  s:', '    tools:', '      l0: &l0 { reason: lol }'];
    for (let i = 1; i < levels; i++) lines.push(`      l${i}: &l${i} { args: { anyOf: [${Array(width).fill(`*l${i - 1}`).join(', ')}] } }`);
    return yaml(...lines);
  }

  test('a billion laughs is refused at once, with the reason', () => {
    const start = performance.now();
    const result = parsePolicy(laughs(12, 10));
    const elapsed = performance.now() - start;
    assert.equal(result.policy, undefined);
    assert.deepEqual(result.diagnostics.map((d) => d.code), ['alias-bomb']);
    assert.match(result.diagnostics[0].message, new RegExp(`more than ${MAX_EXPANDED_VALUES.toLocaleString('en')} values`));
    assert.ok(elapsed < 1000, `${elapsed} ms`);
  });

  test('a policy just under the bound is read; one level more is refused', () => {
    // Level i expands to about 3^i values: 3^10 is under the bound, 3^12 over it.
    assert.equal(parsePolicy(laughs(10, 3)).diagnostics.filter((d) => d.code === 'alias-bomb').length, 0);
    assert.equal(parsePolicy(laughs(13, 3)).diagnostics.filter((d) => d.code === 'alias-bomb').length, 1);
  });

  test('a chain of doubled merges takes linear time', () => {
    const lines = ['version: 1', 'servers:', '  s:', '    tools:', '      m0: &m0 { action: deny }'];
    for (let i = 1; i < 60; i++) lines.push(`      m${i}: &m${i} { <<: [*m${i - 1}, *m${i - 1}] }`);
    const start = performance.now();
    assert.equal(decide(yaml(...lines), 's', 'm59').decision, 'deny');
    assert.ok(performance.now() - start < 1000);
  });

  test('an alias inside what it names, an alias naming nothing', () => {
    assert.deepEqual(errorsOf(yaml('version: 1', 'servers:', '  s: &s', '    tools: { a: *s }')), ['4:17 error recursive-alias Alias *s is inside the value it names, which would never end']);
    assert.deepEqual(errorsOf(yaml('version: 1', 'servers: { s: { tools: { a: { action: *nope } } } }')), ['2:39 error unresolved-alias Alias *nope names no anchor: write &nope on a value above it']);
    assert.deepEqual(errorsOf(yaml('version: 1', 'servers: { s: { <<: *nope } }')), ['2:21 error unresolved-alias Alias *nope names no anchor: write &nope on a value above it']);
    assert.deepEqual(errorsOf(yaml('version: 1', 'servers: { s: &m { <<: *m } }')), ['2:24 error recursive-alias Alias *m is inside the value it names, which would never end']);
  });

  test('no document makes the parser throw', () => {
    const documents = [
      '*a',
      '&a [*a]',
      '<<: *x',
      '<<: 1',
      'version: 1\n<<: [1, *x, {a: 1}]',
      '? *x\n: 1',
      '&a { *a : 1 }',
      'version: !!merge <<',
      'a: &a\n  b: &b\n    c: *a',
      '--- &a\n- *a\n--- *a',
      'version: 1\nservers: { s: { tools: { a: { args: &x { items: *x } } } } }',
      'version: 1\nservers: !!set { a, b }',
      'version: 1\nservers: !!omap [ a: 1 ]',
    ];
    for (const text of documents) {
      const result = parsePolicy(text);
      assert.equal(result.policy, undefined, text);
      assert.ok(result.diagnostics.some((d) => d.severity === 'error'), text);
    }
    // Should reading fail in a way nobody foresaw (here: no text at all), the policy is refused with the reason.
    const unforeseen = parsePolicy(undefined as unknown as string);
    assert.equal(unforeseen.policy, undefined);
    assert.deepEqual(unforeseen.diagnostics.map((d) => d.code), ['unreadable-policy']);
  });
});

describe("the editor's parse, part by part, says what one whole parse says", () => {
  const sorted = (diagnostics: Diagnostic[]) => diagnostics.map(brief).sort();
  const FILES: [string, string][] = [
    ['a numeric-looking tool key', yaml('version: 1', 'servers:', '  a:', '    tools:', '      ok: {}', '      007: { action: deny }', '  b:', '    tools:', '      1e3: {}')],
    ['a numeric-looking server key', yaml('version: 1', 'servers:', '  a: {}', '  0x1F:', '    default: deny')],
    ['a merge key inside one server', yaml('version: 1', 'servers:', '  a:', '    <<: { default: deny }', '    tools:', '      x: { <<: { action: deny }, reason: r }', '      <<: { "y*": { hide: true } }')],
    ['aliases across servers', yaml('version: 1', 'servers:', '  a:', '    tools: &t { x: { action: deny } }', '  b:', '    tools: *t')],
    ['an alias naming nothing', yaml('version: 1', 'servers:', '  a:', '    tools: { x: *nothing }')],
  ];
  for (const [name, text] of FILES) {
    test(name, () => {
      const parser = new IncrementalPolicyParser('p.yaml');
      parser.parse(new TextLines('version: 1\n')); // past its first text, so it reads in parts where it can
      const parts = parser.parse(new TextLines(text));
      const whole = parsePolicy(text, 'p.yaml');
      assert.deepEqual(sorted(parts.diagnostics), sorted(whole.diagnostics));
      assert.equal(parts.policy === undefined, whole.policy === undefined);
      assert.deepEqual(
        [...parts.partial.servers.values()].map((s) => [s.name, s.default, s.tools.map((r) => [r.pattern, r.action, r.hide, r.line])]),
        [...whole.partial.servers.values()].map((s) => [s.name, s.default, s.tools.map((r) => [r.pattern, r.action, r.hide, r.line])]),
      );
    });
  }

  test('the language service reports a key to quote and an alias bomb', () => {
    const parser = new IncrementalPolicyParser('p.yaml');
    parser.parse(new TextLines('version: 1\n'));
    const numeric = parser.parse(new TextLines(FILES[0][1]));
    assert.deepEqual(numeric.diagnostics.filter((d) => d.code === 'non-string-key').map((d) => d.range.start.line + 1), [6, 9]);
    const lines = ['version: 1', 'servers:', '  s:', '    tools:', '      l0: &l0 { reason: lol }'];
    for (let i = 1; i < 30; i++) lines.push(`      l${i}: &l${i} { args: { anyOf: [${Array(10).fill(`*l${i - 1}`).join(', ')}] } }`);
    const bomb = parser.parse(new TextLines(yaml(...lines)));
    assert.deepEqual(bomb.diagnostics.map((d) => d.code), ['alias-bomb']);
    assert.equal(bomb.policy, undefined);
  });
});

describe('launch entries mean what the checked value says', () => {
  test('a launch entry written through an alias or a merge key is the entry it names, placed at its key', () => {
    const text = yaml(
      'version: 1',
      'servers:',
      '  a:',
      '    launch: &node { type: stdio, command: node, args: [a.js], env: &env { MODE: safe } }',
      '  b:',
      '    launch: { <<: *node, args: [b.js] }',
      '  c: { launch: { command: node, env: *env } }',
    );
    const parsed = parsePolicy(text);
    assert.deepEqual(parsed.diagnostics, []);
    assert.deepEqual(
      protectedServers(parsed.document, parsed.lineCounter).map((s) => [s.name, s.entry, s.line]),
      [
        ['a', { type: 'stdio', command: 'node', args: ['a.js'], env: { MODE: 'safe' } }, 4],
        ['b', { type: 'stdio', command: 'node', args: ['b.js'], env: { MODE: 'safe' } }, 6],
        ['c', { command: 'node', env: { MODE: 'safe' } }, 7],
      ],
    );
  });
});

describe('a one-click edit changes the meaning of its rule alone', () => {
  const SHARED = yaml(
    'version: 1',
    'servers:',
    '  s:',
    '    tools:',
    '      drop_table: &deny_rule { action: deny, reason: Never }',
    '      delete_all: *deny_rule',
    '      wipe: { <<: *deny_rule }',
  );

  test('rewriting text an alias shares is refused, and the file is left as it was', () => {
    assert.throws(() => setToolAction(SHARED, 's', 'drop_table', 'allow'), (error: Error) => error instanceof YamlEditError && /would also change rule "delete_all" of server "s"/.test(error.message));
    assert.throws(() => setRateLimit(SHARED, 's', 'drop_table', { max: 1, window: '1m' }), YamlEditError);
    assert.throws(() => setToolAction(SHARED, 's', 'delete_all', 'allow'), YamlEditError, 'an alias is no map to edit');
  });

  test('a rule that merges shared text is edited in its own map, and only it changes', () => {
    const edited = setToolAction(SHARED, 's', 'wipe', 'allow');
    assert.equal(decide(edited, 's', 'wipe').decision, 'allow');
    assert.equal(decide(edited, 's', 'delete_all').decision, 'deny');
    assert.equal(decide(edited, 's', 'drop_table').decision, 'deny');
  });
});
