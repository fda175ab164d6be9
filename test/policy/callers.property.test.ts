// The comparison against the engine itself for rules with `only` lists: over generated pairs of policies
// (actions, hide, caller lists, globs, defaults), a loosening is reported exactly when some tool name is
// decided more loosely for some caller, or for a call with no identity. The callers cover every entry a
// list can write alone (each user, a member of each group), both groups together, and nobody.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PolicyEngine } from '../../src/policy/engine';
import type { Principal } from '../../src/policy/model';
import { parsePolicy } from '../../src/policy/parse';
import { comparePolicyTexts } from '../../src/policy/policy-compare';
import { seededRandom } from '../seeded-random';

const ACTIONS = ['allow', 'ask', 'deny'] as const;
const ENTRIES = ['alice', 'bob', 'group:sec', 'group:ops', 'user:alice'];
const CALLERS: (Principal | undefined)[] = [
  undefined,
  { name: 'alice', groups: [] },
  { name: 'bob', groups: [] },
  { name: 'carol', groups: ['sec'] },
  { name: 'dave', groups: ['ops'] },
  { name: 'erin', groups: ['sec', 'ops'] },
  { name: 'frank', groups: ['dev'] },
];
/** Every name of up to three letters, one letter more than the rules write. */
const NAMES = [1, 2, 3].reduce((names, length) => names.concat(names.filter((n) => n.length === length - 1).flatMap((n) => ['a', 'b', 'c'].map((ch) => n + ch))), ['']);

function generatePolicy(random: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const lines = ['version: 1', `default: ${pick(ACTIONS)}`, 'servers:', '  s:'];
  if (random() < 0.4) lines.push(`    default: ${pick(ACTIONS)}`);
  lines.push('    tools:');
  const seen = new Set<string>();
  for (let i = Math.floor(random() * 4); i >= 0; i--) {
    const pattern = Array.from({ length: 1 + Math.floor(random() * 2) }, () => pick(['a', 'b', '*', '?'])).join('');
    if (seen.has(pattern)) continue;
    seen.add(pattern);
    const parts = [`action: ${pick(ACTIONS)}`];
    if (random() < 0.1) parts.push('hide: true');
    if (random() < 0.6) parts.push(`only: ${JSON.stringify(ENTRIES.filter(() => random() < 0.35).concat(pick(ENTRIES)))}`);
    lines.push(`      ${JSON.stringify(pattern)}: { ${parts.join(', ')} }`);
  }
  return lines.join('\n') + '\n';
}

/** A small change: one rule's list widened, narrowed or dropped, an action changed, or another policy. */
function mutate(text: string, random: () => number): string {
  const lines = text.split('\n');
  const rules = lines.map((line, i) => (line.startsWith('      "') ? i : -1)).filter((i) => i >= 0);
  if (rules.length === 0 || random() < 0.15) return generatePolicy(random);
  const i = rules[Math.floor(random() * rules.length)];
  const choice = Math.floor(random() * 4);
  const entry = ENTRIES[Math.floor(random() * ENTRIES.length)];
  if (choice === 0) lines[i] = lines[i].includes('only: [') ? lines[i].replace('only: [', `only: [${JSON.stringify(entry)}, `) : lines[i].replace(' }', `, only: [${JSON.stringify(entry)}] }`);
  else if (choice === 1) lines[i] = lines[i].replace(/, only: \[[^\]]*\]/, '');
  else if (choice === 2) lines[i] = lines[i].replace(/only: \[("[^"]*", )/, 'only: [');
  else lines[i] = lines[i].replace(/action: \w+/, `action: ${ACTIONS[Math.floor(random() * 3)]}`);
  return lines.join('\n');
}

function strictness(engine: PolicyEngine, tool: string, principal: Principal | undefined, server = 's'): number {
  const decision = engine.decide({ server, tool, principal }, { dryRun: true });
  return decision.hidden ? 3 : decision.decision === 'deny' ? 2 : decision.decision === 'ask' ? 1 : 0;
}

test('a loosening is reported exactly when some name is decided more loosely for some caller', () => {
  const random = seededRandom(151206);
  let compared = 0;
  let quiet = 0;
  for (let round = 0; round < 2000; round++) {
    const approved = generatePolicy(random);
    const proposed = mutate(approved, random);
    const a = parsePolicy(approved).policy;
    const b = parsePolicy(proposed).policy;
    if (!a || !b) continue;
    compared++;
    const result = comparePolicyTexts(approved, proposed, 'p.yaml', new Map());
    assert.ok(result.ok);
    const before = new PolicyEngine(a);
    const after = new PolicyEngine(b);
    let looser: string | undefined;
    for (const tool of NAMES) {
      const caller = CALLERS.find((principal) => strictness(after, tool, principal) < strictness(before, tool, principal));
      if (caller !== undefined || strictness(after, tool, undefined) < strictness(before, tool, undefined)) {
        looser = `${JSON.stringify(tool)} for ${JSON.stringify(caller ?? 'no identity')}`;
        break;
      }
    }
    if (!looser && strictness(after, 'x', undefined, 'another server') < strictness(before, 'x', undefined, 'another server')) looser = 'x on another server';
    if (result.loosened.length === 0) {
      quiet++;
      assert.equal(looser, undefined, `${looser} loosened, none reported:\n${approved}---\n${proposed}`);
    } else {
      assert.ok(looser !== undefined, `reported ${JSON.stringify(result.loosened)} but no call loosened:\n${approved}---\n${proposed}`);
    }
  }
  assert.ok(compared > 1500 && quiet > 300 && compared - quiet > 300, `compared ${compared}, ${quiet} without loosening`);
});
