// The comparison that decides whether a changed policy waits for a person: every loosening kind is
// reported, and a change that only tightens reports nothing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { comparePolicyTexts, type Loosening } from '../../src/policy/policy-compare';
import { yaml } from './helpers';

const FILE = '/work/.vscode/mcp-policy.yaml';
const NO_TOOLS: ReadonlyMap<string, readonly string[]> = new Map();

function loosened(approved: string | undefined, proposed: string | undefined, knownTools = NO_TOOLS): Loosening[] {
  const result = comparePolicyTexts(approved, proposed, FILE, knownTools);
  assert.ok(result.ok, `expected a valid comparison, got: ${result.ok ? '' : result.reason}`);
  return result.loosened;
}

const BASE = yaml(
  'version: 1',
  'default: allow',
  'servers:',
  '  sec:',
  '    default: ask',
  '    tools:',
  '      stop_scan:',
  '        action: deny',
  '      start_scan:',
  '        rate_limit: { max: 10, window: 60s }',
);

describe('comparePolicyTexts', () => {
  test('a decision relaxed from deny to allow is reported', () => {
    const after = BASE.replace('action: deny', 'action: allow');
    assert.deepEqual(loosened(BASE, after), [{ server: 'sec', tool: 'stop_scan', what: 'decision', before: 'deny', after: 'allow' }]);
  });
  test('a decision tightened is not', () => {
    const after = BASE.replace('default: ask', 'default: deny');
    assert.deepEqual(loosened(BASE, after), []);
  });
});
