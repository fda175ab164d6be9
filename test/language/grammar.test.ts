// The policy grammar, tokenized by the engine VS Code uses. With the VS Code host provisioned, over the real
// YAML grammar VS Code ships (deeply nested begin/while rules, which the injection must reach into);
// otherwise over a small stand-in for it.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';

const ROOT = join(__dirname, '..', '..', '..');
const VSCODE_YAML = join(ROOT, '.vscode-test', 'host', 'code-server', 'node_modules', 'code-server', 'lib', 'vscode', 'extensions', 'yaml', 'syntaxes');

const STAND_IN_YAML = {
  scopeName: 'source.yaml',
  patterns: [
    { match: '#.*$', name: 'comment.line.number-sign.yaml' },
    { begin: '\\{', end: '\\}', name: 'meta.flow.map.yaml', patterns: [{ include: '$self' }] },
    { match: '[^\\s:#{},]+(?=:)', name: 'entity.name.tag.yaml' },
  ],
};

let grammar: textmate.IGrammar;

before(async () => {
  const wasm = readFileSync(join(ROOT, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const files = new Map<string, string>([
    ['source.mcp-policy', join(ROOT, 'syntaxes', 'mcp-policy.tmLanguage.json')],
    ['mcp-policy.injection', join(ROOT, 'syntaxes', 'mcp-policy.injection.tmLanguage.json')],
  ]);
  if (existsSync(VSCODE_YAML)) {
    for (const name of readdirSync(VSCODE_YAML).filter((f) => f.endsWith('.json'))) {
      const file = join(VSCODE_YAML, name);
      files.set((JSON.parse(readFileSync(file, 'utf8')) as { scopeName: string }).scopeName, file);
    }
  }
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (s) => new oniguruma.OnigScanner(s), createOnigString: (s) => new oniguruma.OnigString(s) }),
    loadGrammar: async (scopeName) => {
      const file = files.get(scopeName);
      if (file) return textmate.parseRawGrammar(readFileSync(file, 'utf8'), file);
      return scopeName === 'source.yaml' ? (STAND_IN_YAML as unknown as textmate.IRawGrammar) : null;
    },
    getInjections: (scopeName) => (scopeName === 'source.mcp-policy' ? ['mcp-policy.injection'] : undefined),
  });
  grammar = (await registry.loadGrammar('source.mcp-policy'))!;
});

/** Each token's text with the scopes it has, line by line, for the whole text (so multi-line state counts). */
function tokens(text: string): { text: string; scopes: string[] }[] {
  const result: { text: string; scopes: string[] }[] = [];
  let state = textmate.INITIAL;
  for (const line of text.split('\n')) {
    const tokenized = grammar.tokenizeLine(line, state);
    for (const token of tokenized.tokens) result.push({ text: line.slice(token.startIndex, token.endIndex), scopes: token.scopes });
    state = tokenized.ruleStack;
  }
  return result;
}

/** A scope of the policy grammar's own, not the file's root scope. */
function isPolicyScope(scope: string): boolean {
  return scope.endsWith('.mcp-policy') && scope !== 'source.mcp-policy';
}

function scopesOf(text: string, word: string, nth = 0): string[] {
  const found = tokens(text).filter((t) => t.text === word);
  assert.ok(found[nth], `no token "${word}" in: ${JSON.stringify(tokens(text).map((t) => t.text))}`);
  return found[nth].scopes;
}

const POLICY = [
  '# action: deny in a comment is a comment',
  'version: 1',
  'default: allow',
  'servers:',
  '  security-agent:',
  '    default: ask',
  '    tools:',
  '      stop_scan:',
  '        action: deny   # no stopping',
  '        reason: Stopping a scan, mid-way, hides an attack. # why',
  '        rate_limit: { max: 10, window: 60s, scope: session }',
  '      "debug_*": { hide: true }',
  '      get?_item*:',
  "        reason: 'It''s quoted # not a comment'",
  '      list_findings: { action: allow, reason: reads only, risk: { level: low } }',
].join('\n');

test('the actions get a scope each, in block and flow maps, at every level', () => {
  assert.ok(scopesOf(POLICY, 'allow').includes('markup.inserted.action.allow.mcp-policy'));
  assert.ok(scopesOf(POLICY, 'ask').includes('markup.changed.action.ask.mcp-policy'));
  assert.ok(scopesOf(POLICY, 'deny').includes('markup.deleted.action.deny.mcp-policy'));
  assert.ok(scopesOf(POLICY, 'allow', 1).includes('markup.inserted.action.allow.mcp-policy'), 'inside a flow map');
});

test('a comment stays a comment, even one that reads like a rule', () => {
  const first = tokens(POLICY).find((t) => t.text.includes('deny in a comment'))!;
  assert.ok(first.scopes.some((s) => s.startsWith('comment.')), first.scopes.join(' '));
  assert.ok(!tokens(POLICY).some((t) => t.text.includes('no stopping') && t.scopes.some(isPolicyScope)));
});

test('durations: the number and the unit', () => {
  assert.ok(scopesOf(POLICY, '60').includes('constant.numeric.duration.mcp-policy'));
  assert.ok(scopesOf(POLICY, 's').includes('keyword.other.unit.duration.mcp-policy'));
});

test('reason text, unquoted to the comment, and quoted', () => {
  assert.ok(scopesOf(POLICY, 'Stopping a scan, mid-way, hides an attack.').includes('string.unquoted.reason.mcp-policy'));
  assert.ok(scopesOf(POLICY, "'It''s quoted # not a comment'").includes('string.quoted.reason.mcp-policy'));
  assert.ok(scopesOf(POLICY, 'reads only').includes('string.unquoted.reason.mcp-policy'), 'in a flow map, up to the comma');
});

test('glob keys, quoted or plain, with their wildcards marked', () => {
  const stars = tokens(POLICY).filter((t) => t.text === '*' && t.scopes.includes('keyword.operator.glob.wildcard.mcp-policy'));
  assert.equal(stars.length, 2, 'debug_* and get?_item*');
  assert.ok(scopesOf(POLICY, '?').includes('keyword.operator.glob.wildcard.mcp-policy'));
  assert.ok(scopesOf(POLICY, 'debug_').includes('entity.name.tag.glob.mcp-policy'));
  assert.ok(!scopesOf(POLICY, 'stop_scan').includes('entity.name.tag.glob.mcp-policy'), 'an exact name is no glob');
});

test('values that only look like actions are left alone', () => {
  const text = ['servers:', '  a:', '    tools:', '      x:', '        reason: deny', '        hide: allow'].join('\n');
  assert.ok(!tokens(text).some((t) => t.scopes.some((s) => s.includes('.action.'))), JSON.stringify(tokens(text)));
  assert.ok(scopesOf(text, 'deny').includes('string.unquoted.reason.mcp-policy'));
});
