// The comparison against the engine itself, over generated pairs of policies (decisions, hide, rate
// limits, defaults, globs and their order): it reports a loosening exactly when some tool name is decided
// more loosely by the proposed policy than by the approved one. Names are tried exhaustively over a small
// alphabet (one letter more than the rules write) and never given to the comparison as a catalogue.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PolicyEngine } from '../../src/policy/engine';
import { parsePolicy } from '../../src/policy/parse';
import { comparePolicyTexts } from '../../src/policy/policy-compare';
import { seededRandom } from '../seeded-random';

const ACTIONS = ['allow', 'ask', 'deny'] as const;
const LIMITS = ['', 'rate_limit: { max: 5, window: 60s }', 'rate_limit: { max: 9, window: 60s }', 'rate_limit: { max: 5, window: 10s }'];

function allNames(): string[] {
  let names = [''];
  let last = [''];
  for (let length = 1; length <= 4; length++) {
    last = last.flatMap((name) => ['a', 'b', '_', 'c'].map((ch) => name + ch));
    names = names.concat(last);
  }
  return names;
}

function generatePolicy(random: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const lines = ['version: 1', `default: ${pick(ACTIONS)}`, 'servers:', '  s:'];
  if (random() < 0.5) lines.push(`    default: ${pick(ACTIONS)}`);
  lines.push('    tools:');
  const count = Math.floor(random() * 5);
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) {
    const pattern = Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(['a', 'b', '_', '*', '?', '*'])).join('');
    if (seen.has(pattern)) continue;
    seen.add(pattern);
    const parts = [`action: ${pick(ACTIONS)}`];
    if (random() < 0.15) parts.push('hide: true');
    const limit = pick(LIMITS);
    if (limit) parts.push(limit);
    lines.push(`      ${JSON.stringify(pattern)}: { ${parts.join(', ')} }`);
  }
  if (count === 0) lines.push('      {}');
  return lines.join('\n').replace('    tools:\n      {}', '    tools: {}') + '\n';
}

/** Mutates a policy a little: one rule's action, a default, a rule dropped or added, two rules swapped. */
function mutate(text: string, random: () => number): string {
  const other = generatePolicy(random);
  const lines = text.split('\n');
  const ruleLines = lines.map((line, i) => (line.startsWith('      "') ? i : -1)).filter((i) => i >= 0);
  const choice = Math.floor(random() * 5);
  if (choice === 0 && ruleLines.length > 0) {
    const i = ruleLines[Math.floor(random() * ruleLines.length)];
    lines[i] = lines[i].replace(/action: \w+/, `action: ${ACTIONS[Math.floor(random() * 3)]}`);
  } else if (choice === 1 && ruleLines.length > 1) {
    const [i, j] = [ruleLines[0], ruleLines[ruleLines.length - 1]];
    [lines[i], lines[j]] = [lines[j], lines[i]];
  } else if (choice === 2 && ruleLines.length > 0) {
    lines.splice(ruleLines[Math.floor(random() * ruleLines.length)], 1);
    if (!lines.some((line) => line.startsWith('      "'))) return text;
  } else if (choice === 3) {
    return text.replace(/^default: \w+/m, `default: ${ACTIONS[Math.floor(random() * 3)]}`);
  } else {
    return other;
  }
  return lines.join('\n');
}

function strictness(engine: PolicyEngine, tool: string, server = 's'): number {
  const decision = engine.decide({ server, tool }, { dryRun: true });
  return decision.hidden ? 3 : decision.decision === 'deny' ? 2 : decision.decision === 'ask' ? 1 : 0;
}

function limitLooser(before: PolicyEngine, after: PolicyEngine, tool: string): boolean {
  const wasRule = before.ruleFor('s', tool);
  const isRule = after.ruleFor('s', tool);
  const was = wasRule?.rateLimit;
  const is = isRule?.rateLimit;
  if (!was) return false;
  // A glob's one count for all its tools, split by another rule, counts more calls.
  return !is || is.max > was.max || is.windowSeconds < was.windowSeconds || (wasRule!.isGlob && isRule!.pattern !== wasRule!.pattern);
}

test('a loosening is reported exactly when some name is decided more loosely', () => {
  const random = seededRandom(20261206);
  const names = allNames();
  let compared = 0;
  let quiet = 0;
  for (let round = 0; round < 3000; round++) {
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
    const looser = names.find((tool) => {
      const was = strictness(before, tool);
      const is = strictness(after, tool);
      return is < was || (was < 2 && is < 2 && limitLooser(before, after, tool));
    }) ?? (strictness(after, 'x', 'another server') < strictness(before, 'x', 'another server') ? 'x on another server' : undefined);
    if (result.loosened.length === 0) {
      quiet++;
      assert.equal(looser, undefined, `name ${JSON.stringify(looser)} loosened, none reported:\n${approved}\n---\n${proposed}`);
    } else {
      // And the other way: what it reports is real for some name.
      assert.ok(looser !== undefined, `reported ${JSON.stringify(result.loosened)} but no name loosened:\n${approved}\n---\n${proposed}`);
    }
  }
  assert.ok(compared > 2500 && quiet > 500, `compared ${compared}, ${quiet} without loosening`);
});
