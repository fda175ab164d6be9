// The corpus of poisoned and honest descriptions (test/fixtures/descriptions/*.json): each case names
// the findings it must produce and those it must not.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findingsFor, type Finding, type FindingContext, type ServerDefinitions } from '../../src/pinning/findings';

const CORPUS = resolve(__dirname, '../../../test/fixtures/descriptions');

/** Matches a finding when every property given matches; `excerpt` and `message` by substring. */
interface Expectation {
  code?: Finding['code'];
  severity?: Finding['severity'];
  tool?: string;
  field?: string;
  excerpt?: string;
  message?: string;
}

interface Case {
  name: string;
  server: ServerDefinitions;
  otherServers?: FindingContext['otherServers'];
  must?: Expectation[];
  mustNot?: Expectation[];
  /** Nothing beyond what `must` lists. */
  only?: boolean;
}

function matches(f: Finding, e: Expectation): boolean {
  return (
    (e.code === undefined || f.code === e.code) &&
    (e.severity === undefined || f.severity === e.severity) &&
    (e.tool === undefined || f.tool === e.tool) &&
    (e.field === undefined || f.field === e.field) &&
    (e.excerpt === undefined || f.excerpt.includes(e.excerpt)) &&
    (e.message === undefined || f.message.includes(e.message))
  );
}

function shown(findings: Finding[]): string {
  return findings.map((f) => `  ${f.severity} ${f.code} ${f.field}: ${f.message} [${f.excerpt}]`).join('\n') || '  (none)';
}

const files = readdirSync(CORPUS).filter((name) => name.endsWith('.json')).sort();

test('the corpus has its five families', () => {
  assert.deepEqual(files, ['clean.json', 'rug-pull.json', 'shadowing.json', 'smuggling.json', 'tool-poisoning.json']);
});

for (const file of files) {
  const { source, cases } = JSON.parse(readFileSync(join(CORPUS, file), 'utf8')) as { source: string; cases: Case[] };
  describe(`corpus ${file}`, () => {
    test('names where its attacks were published', () => assert.ok(source.length > 20));
    for (const c of cases) {
      test(c.name, () => {
        const findings = findingsFor(c.server, { otherServers: c.otherServers });
        for (const e of c.must ?? []) {
          assert.ok(findings.some((f) => matches(f, e)), `missing ${JSON.stringify(e)}; found:\n${shown(findings)}`);
        }
        for (const e of c.mustNot ?? []) {
          const hit = findings.filter((f) => matches(f, e));
          assert.equal(hit.length, 0, `must not find ${JSON.stringify(e)}; found:\n${shown(hit)}`);
        }
        if (c.only) {
          const extra = findings.filter((f) => !(c.must ?? []).some((e) => matches(f, e)));
          assert.equal(extra.length, 0, `found more than the case lists:\n${shown(extra)}`);
        }
        for (const f of findings) {
          const text = fieldText(c.server, f);
          if (text === undefined || f.end === 0) continue;
          assert.ok(f.start >= 0 && f.start < f.end && f.end <= text.length, `range ${f.start}-${f.end} outside ${f.field}`);
        }
      });
    }
  });
}

/** The text a finding's offsets refer to, for the fields the corpus uses. */
function fieldText(server: ServerDefinitions, f: Finding): string | undefined {
  if (f.field === 'instructions') return server.instructions;
  const tool = (server.tools as Record<string, unknown>[]).find((t) => t.name === f.tool);
  if (tool === undefined) return undefined;
  if (f.field.endsWith(' (name)')) return f.field.slice(f.field.lastIndexOf('.') + 1, -' (name)'.length);
  let value: unknown = tool;
  for (const part of f.field.split('.')) value = (value as Record<string, unknown> | undefined)?.[part];
  return typeof value === 'string' ? value : undefined;
}
