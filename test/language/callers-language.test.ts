// The editor knows `only:` and `scope: user` from the schema: hover shows what they mean, and a bad
// entry is reported where it is written, saying what fits.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { policyDiagnostics } from '../../src/language/diagnostics';
import { hover } from '../../src/language/hover';
import { cursor, snapshotOf, testCatalogue, yaml } from './helpers';

const catalogue = testCatalogue();
const RULE = ['version: 1', 'servers:', '  security-agent:', '    tools:', '      stop_scan:'];

function hoverAt(textWithCursor: string) {
  const { text, position } = cursor(textWithCursor);
  return hover(snapshotOf(text), position, catalogue);
}

test('hover on only and on scope: user says who they are for', () => {
  assert.match(hoverAt(yaml(...RULE, '        on‸ly: [group:security, alice]'))!.contents, /The \*\*only callers\*\* this rule applies to/);
  assert.match(hoverAt(yaml(...RULE, '        rate_limit: { max: 3, window: 1h, scope: us‸er }'))!.contents, /^`user` — Each \*\*caller\*\*/);
});

test('a wildcard entry is an error at the entry', () => {
  const diagnostics = policyDiagnostics(snapshotOf(yaml(...RULE, '        only: [alice, "group:sec*"]')), catalogue).filter((d) => d.severity === 'error');
  assert.equal(diagnostics.length, 1);
  assert.match(diagnostics[0].message, /^Invalid value "group:sec\*" for an entry of "only": .*No wildcards/);
  assert.equal(diagnostics[0].range.start.line, 5);
});
