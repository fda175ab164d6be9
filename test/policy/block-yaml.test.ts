import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Document, isMap, isPair, isScalar, isSeq, LineCounter, Pair, parseDocument, Scalar, YAMLMap, YAMLSeq, type Node } from 'yaml';
import { largePolicy, policyOfLines } from '../../bench/policy-fixtures';
import { readBlockYaml } from '../../src/policy/block-yaml';
import { seededRandom } from '../seeded-random';

const root = join(__dirname, '..', '..', '..');

/** A node as `yaml` sees it: kind, flow, value, scalar type and ranges, keys in order. */
function shape(node: Node | null | undefined, isRoot = false): unknown {
  if (isMap(node)) {
    return { map: node.flow ?? false, range: isRoot ? node.range?.slice(0, 2) : node.range, items: node.items.map((pair) => [shape(pair.key as Node), shape(pair.value as Node)]) };
  }
  if (isSeq(node)) return { seq: node.flow ?? false, range: node.range, items: node.items.map((item) => shape(item as Node)) };
  if (isScalar(node)) return { value: node.value, type: node.type, range: node.range };
  return { other: String(node) };
}

/** The reader either declines or gives exactly what `yaml` gives; it never accepts what `yaml` rejects. */
function agrees(text: string): 'read' | 'declined' {
  const fast = readBlockYaml(text);
  if (!fast) return 'declined';
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true });
  assert.deepEqual(document.errors.map((e) => e.message), [], `the reader accepted a file yaml rejects:\n${text}`);
  assert.deepEqual(document.warnings.map((e) => e.message), [], `the reader accepted a file yaml warns about:\n${text}`);
  assert.deepEqual(shape(fast.contents, true), shape(document.contents as Node, true), `a different tree for:\n${text}`);
  assert.deepEqual(fast.lineCounter.lineStarts, lineCounter.lineStarts);
  assert.deepEqual(fast.value, document.toJS());
  return 'read';
}

const BLOCK_SCALARS = [
  'version: 1',
  'servers:',
  '  s:',
  '    tools:',
  '      a:',
  '        reason: |',
  '          one',
  '            two',
  '',
  '          three',
  '        action: deny',
  '      b:',
  '        reason: >-',
  '          folded',
  '          text',
  '',
  '',
  '          more',
  '      c:',
  '        list:',
  '          - |+',
  '            kept',
  '          - >',
  '            x # not a comment',
  '        reason: |  # a comment',
  '          #not a comment either',
  '',
].join('\n');

const VARIED = [
    'version: 1  # c\nservers:\n  a:\n    tools:\n      x: { max: 10, window: 60s }\n      y:\n        action: deny\n        reason: "hi"\n        req: [a, b]\n        r2:\n          - a\n          - b  # x\n\n# end\n',
    'a:\nb: 1\nc: 1\nd:\n  - x\n  -\n  - y: 1\n    z: [1, {a: b}]\ne: "q"   \n',
    'a: 1\n  # indented\n# c\nb:\n  c: 1\n\n  # in\n\nd: x',
    'x:\n  a: 1\n\n  # c\nb: 2\n',
    'x:\n  a: 1\n    # c\n  # d\n # e\nb: 2\n',
    'x:\n  a: 1\n\n\n    # c\n\nb: 2\n',
    'x:\n  a: 1\n# c\n  # d\nb: 2\n',
    'x:\n  a:\n    b: 1\n  # c\n # d\nb: 2\n',
    'x:\n  a: "s"  # t\n   # c\nb: 2\n',
    'x:\n  a: [1]  # t\n   # c\nb: 2\n',
    'x:\n  - 1\n   # c\n  # d\nb: 2\n',
    'x:\n  a: 1\n  # c\n',
    'x:\n  a: 1\n  # c',
    'x:\n  a: 1\n# z\n    # c\nb: 2\n',
    'a: get_{a,b}\nb: [ 1 , {a: b} ]  \nc: x]y\n',
    'a: {a: [1] , b: 2}\n',
    'x:\n  a:  \n  b: 1',
    "a: 'it''s'\nb: \"say \\\"hi\\\"\\n\"\n\"get_*\": 1\n'q': -2.5e3\nc: ~\nd: True\ne: 0.50\nf: +12\n",
    'a:\n  - b: 1\n    c:\n      - x\n      - y\n  - d: {}\n    e: []\n',
    'servers:\n  a:\n    tools:\n      {}\n    x: 1\nversion: 1\n',
    'a:\n  {}  # c\n   # d\nb: 1',
    'a:\n  - [1]\n  -\n    {a: 1}\n',
    'a: 1\n    \nb: 2\n',
    'a:\n  b: 1\n     \n',
    'a: 1\n   ',
    '__proto__: 1\nconstructor: {toString: 2}\n',
    'a: |\n  x\n  y\nb: 1\n',
    'a: |-  # c\n  x\n\n  y\n\n\nb: 1\n',
    'a: >\n  x\n  y\n\n  z\nb: 1',
    'a:\n  r: |+\n    x\n  s: 1\n',
    'a: |\n  x\n    y\n # c\nb: 1\n',
    'a:\n  - |\n    one\n    two\n  - >-\n    three\n    four\n',
    'servers:\n  s:\n    tools:\n      t:\n        reason: >\n          Stopping a scan\n          hides an attack.\n\n          Ask first.\n        action: deny\n',
];

test('reads what policies are made of, with the ranges yaml gives', () => {
  for (const text of VARIED) {
    assert.equal(agrees(text), 'read', text);
    assert.equal(agrees(text.replaceAll('\n', '\r\n')), 'read', `${text}, with CRLF line ends`);
  }
});

test("its nodes are yaml's own: yaml's tests, classes, toJS, clone and edits work on them", () => {
  const text = 'a:\n  b: [1, x]\n  c: "q"\n';
  const read = readBlockYaml(text)!;
  const map = read.contents;
  assert.ok(isMap(map) && map instanceof YAMLMap);
  const pair = map.items[0]!;
  assert.ok(isPair(pair) && pair instanceof Pair);
  assert.ok(isScalar(pair.key) && pair.key instanceof Scalar);
  const inner = pair.value as YAMLMap;
  assert.ok(isSeq(inner.get('b', true)) && inner.get('b', true) instanceof YAMLSeq);
  const document = new Document();
  document.contents = map;
  assert.deepEqual(document.toJS(), { a: { b: [1, 'x'], c: 'q' } });
  assert.equal(document.getIn(['a', 'c']), 'q');
  const copy = map.clone();
  assert.ok(isMap(copy));
  document.setIn(['a', 'c'], 'r');
  assert.equal(document.getIn(['a', 'c']), 'r');
  const parsed = parseDocument(text);
  parsed.setIn(['a', 'c'], 'r');
  assert.equal(String(document), String(parsed));
});

test('declines what it does not read, so yaml decides', () => {
  const texts = [
    'a: &x 1\nb: *x\n', // anchors
    'a: !tag 1\n', // tags
    'a: |2\n  text\n', // a block scalar's indentation indicator
    'a: |\n  x\n   \n  y\n', // spaces on a blank line of a block scalar
    'a: >\n  x\n    y\n', // a folded block scalar with a more-indented line
    'a: long\n  text\n', // multi-line plain
    'a: "two\n  lines"\n', // multi-line quoted
    '---\na: 1\n', // document markers
    'a:\tb\n', // tabs
    'x:\n  - 1\n # c\n  - \nb: 2\n', // an empty value after a comment line (yaml's range differs)
    'a: 1\r\nb: 2\n', // mixed line ends
    `a: ${'['.repeat(5000)}${']'.repeat(5000)}\n`, // nesting deeper than any policy (the reader recurses)
    Array.from({ length: 200 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1\n', // 200 nested maps
    'a: 1\rb: 2\r', // CR alone
    'a: 1\na: 2\n', // a duplicate key (an error)
    Array.from({ length: 40 }, (_, i) => `k${i % 35}: ${i}`).join('\n') + '\n', // a duplicate among many keys
    `a: {${Array.from({ length: 20 }, (_, i) => `k${i}: 1`).join(', ')}}\n`, // a long one-line map
    'a:\n- 1\n', // a list at its key's indent
    'a: b: c\n', // an error
    '- 1\n', // a list at the top
    '', // empty
    '# only a comment\n',
    'a: 0x1f\n', // hex
    '1: one\n', // a number as a key
    'a: {b: 1,}\n', // a trailing comma
    'a:\n    b: 1\n  c: 2\n', // bad indentation
  ];
  for (const text of texts) assert.equal(readBlockYaml(text), undefined, text);
});

test('reads whole policies: the sample, the demo, the generated ones', () => {
  const files = ['examples/workspace/.vscode/mcp-policy.yaml', 'examples/demo/everything.mcp-policy.yaml', 'test/fixtures/workspace-language/policy.mcp-policy.yaml'];
  for (const file of files) assert.equal(agrees(readFileSync(join(root, file), 'utf8')), 'read', file);
  assert.equal(agrees(policyOfLines(2000)), 'read');
  assert.equal(agrees(BLOCK_SCALARS), 'read');
  assert.equal(agrees(Array.from({ length: 40 }, (_, i) => `k${i}: ${i}`).join('\n') + '\n'), 'read', 'forty keys');
  assert.equal(agrees(largePolicy(300).text), 'read');
});


const LINES = ['# c', '', '- ', '-', '- x', '- a: 1', 'a:', 'a: 1', 'b: [1, 2]', 'c: {x: y}', "d: 'q'", '- - a', '"k": v', 'e: |', '? a'];
const PIECES = ['\r\n', '\r', ' ', '  ', ':', ': ', '-', '- ', '#', ' #', '"', "'", '{', '}', '[', ']', ',', '\n', '\n  ', '\n    ', 'a', 'x_*', '1', '0.5', 'null', 'true', '~', '*', '&', '!', '|', '>', '?', '\\', '%', '@', '`', '---', 'é', '\t'];

test('never disagrees with yaml on thousands of mutated policies', () => {
  const seeds = [
    readFileSync(join(root, 'examples/workspace/.vscode/mcp-policy.yaml'), 'utf8'),
    readFileSync(join(root, 'examples/demo/everything.mcp-policy.yaml'), 'utf8'),
    policyOfLines(60),
    largePolicy(8).text,
    ...VARIED,
    BLOCK_SCALARS,
  ];
  seeds.push(...seeds.map((seed) => seed.replaceAll('\n', '\r\n')));
  // BLOCK_YAML_FUZZ_SEED and BLOCK_YAML_FUZZ_RUNS explore further than the fixed run.
  const next = seededRandom(Number(process.env.BLOCK_YAML_FUZZ_SEED ?? 20261124));
  const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)]!;
  let read = 0;
  const runs = Number(process.env.BLOCK_YAML_FUZZ_RUNS ?? 6000);
  for (let run = 0; run < runs; run++) {
    let text = pick(seeds);
    const edits = 1 + Math.floor(next() * 3);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(next() * text.length);
      const kind = next();
      if (kind < 0.35) text = text.slice(0, at) + pick(PIECES) + text.slice(at);
      else if (kind < 0.6) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 3));
      else if (kind < 0.8) {
        // Insert a line of a common shape, indented anyhow.
        const lines = text.split('\n');
        lines.splice(Math.floor(next() * lines.length), 0, ' '.repeat(Math.floor(next() * 8)) + pick(LINES));
        text = lines.join('\n');
      } else {
        // Replace a line with another line of the file, indented differently.
        const lines = text.split('\n');
        const k = Math.floor(next() * lines.length);
        lines[k] = ' '.repeat(Math.floor(next() * 6)) + pick(lines).trimStart();
        text = lines.join('\n');
      }
    }
    if (agrees(text) === 'read') read++;
  }
  // Most mutations leave a file the reader still reads; the rest are declined, never misread.
  assert.ok(read > runs / 8, `read ${read} of ${runs}`);
  if (process.env.BLOCK_YAML_FUZZ_RUNS) console.log(`read ${read} of ${runs}`);
});
