// Quick fixes: a valid value for an invalid one, the right spelling of a key, server, tool or argument,
// a rule for a high-risk tool that has none, `version: 1` where it is missing, a starter policy for an
// empty file. Rules are added with the comment-preserving edits of src/policy/edits.ts.
import { removeToolRule, setRateLimit, setToolAction } from '../policy/edits';
import type { Range } from '../policy/model';
import { editDistance } from '../policy/suggest';
import type { ToolCatalogue } from './catalogue';
import { policyDiagnostics } from './diagnostics';
import { suggestDuration } from './duration-fix';
import type { PolicySnapshot } from './policy-documents';
import { isRisky } from './rule-diagnostics';
import { starterPolicy } from './starter-policy';
import { textEdit } from './text-edit';
import { unquote } from './text-lines';
import type { CodeAction, PolicyProblem } from './types';
import { yamlKey } from './yaml-text';

const RENAMES = new Set(['unknown-key', 'unknown-server', 'unknown-tool', 'unknown-argument']);

export function codeActions(snapshot: PolicySnapshot, range: Range, catalogue: ToolCatalogue): CodeAction[] {
  const actions: CodeAction[] = [];
  for (const problem of policyDiagnostics(snapshot, catalogue)) {
    if (!overlaps(problem.range, range)) continue;
    actions.push(...fixesFor(snapshot, problem, catalogue));
  }
  return actions;
}

function fixesFor(snapshot: PolicySnapshot, problem: PolicyProblem, catalogue: ToolCatalogue): CodeAction[] {
  if (RENAMES.has(problem.code)) {
    return (problem.suggestions ?? []).slice(0, 3).map((s, i) => replace(problem, `Change to "${s}"`, yamlKey(s), i === 0));
  }
  switch (problem.code) {
    case 'invalid-value': {
      // The closest value first: it is what was most likely meant.
      const written = unquote(textAt(snapshot, problem.range));
      const ranked = [...(problem.suggestions ?? [])].sort((a, b) => editDistance(written, a) - editDistance(written, b));
      return ranked.slice(0, 3).map((s, i) => replace(problem, `Change to "${s}"`, s, i === 0));
    }
    case 'bad-duration': {
      const fixed = suggestDuration(textAt(snapshot, problem.range));
      return fixed ? [replace(problem, `Change to ${fixed}`, fixed, true)] : [];
    }
    case 'missing-key':
      return missingKeyFixes(snapshot, problem, catalogue);
    case 'unruled-risky-tool':
      return riskyToolFixes(snapshot, problem, catalogue);
    case 'unreachable-rule':
      return edited(snapshot, problem, `Remove the unreachable rule "${problem.data?.tool}"`, (text) => removeToolRule(text, problem.data!.server!, problem.data!.tool!), false);
    default:
      return [];
  }
}

function replace(problem: PolicyProblem, title: string, newText: string, isPreferred: boolean): CodeAction {
  return { title, kind: 'quickfix', diagnostic: problem, edits: [{ range: problem.range, newText }], isPreferred };
}

function missingKeyFixes(snapshot: PolicySnapshot, problem: PolicyProblem, catalogue: ToolCatalogue): CodeAction[] {
  if (!problem.message.includes('"version"')) return [];
  const actions: CodeAction[] = [];
  if (isBlank(snapshot.text)) {
    const text = starterPolicy(catalogue);
    actions.push({ title: 'Write a starter policy from the known servers and tools', kind: 'quickfix', diagnostic: problem, edits: [textEdit(snapshot.text, text)], isPreferred: true });
  }
  const line = problem.range.start.line;
  actions.push({ title: 'Add "version: 1"', kind: 'quickfix', diagnostic: problem, edits: [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: 'version: 1\n' }], isPreferred: actions.length === 0 });
  return actions;
}

function riskyToolFixes(snapshot: PolicySnapshot, problem: PolicyProblem, catalogue: ToolCatalogue): CodeAction[] {
  const server = problem.data?.server;
  if (!server) return [];
  const tool = problem.data?.tool;
  if (!tool) {
    // A whole server the policy does not mention: ask before each of its high-risk tools.
    const risky = catalogue.rankedTools(server).filter((t) => isRisky(t.risk.level)).map((t) => t.info.name);
    return edited(snapshot, problem, `Add "${server}" with approval for its ${risky.length} high-risk tool${risky.length === 1 ? '' : 's'}`, (text) => risky.reduce((next, name) => setToolAction(next, server, name, 'ask', 'High risk: a person approves each call.'), text), true);
  }
  const risk = catalogue.tool(server, tool)?.risk;
  if (!risk) return [];
  const actions: CodeAction[] = [];
  if (risk.category === 'execute') {
    actions.push(...edited(snapshot, problem, `Ask before each call of "${tool}", at most 10 a minute`, (text) => setRateLimit(setToolAction(text, server, tool, 'ask', 'Runs something: a person approves each call.'), server, tool, { max: 10, window: '1m' }), true));
  } else {
    actions.push(...edited(snapshot, problem, `Ask before each call of "${tool}"`, (text) => setToolAction(text, server, tool, 'ask', `${capitalize(risk.category)}, ${risk.level} risk: a person approves each call.`), true));
  }
  actions.push(...edited(snapshot, problem, `Deny "${tool}"`, (text) => setToolAction(text, server, tool, 'deny', `${capitalize(risk.category)}, ${risk.level} risk: not for an agent to call.`), false));
  return actions;
}

/** A fix made by rewriting the text; none when the edit refuses the text (it says why elsewhere). */
function edited(snapshot: PolicySnapshot, problem: PolicyProblem, title: string, edit: (text: string) => string, isPreferred: boolean): CodeAction[] {
  try {
    const next = edit(snapshot.text);
    if (next === snapshot.text) return [];
    return [{ title, kind: 'quickfix', diagnostic: problem, edits: [textEdit(snapshot.text, next)], isPreferred }];
  } catch {
    return [];
  }
}

function textAt(snapshot: PolicySnapshot, range: Range): string {
  if (range.start.line !== range.end.line) return '';
  return snapshot.lines.line(range.start.line).slice(range.start.character, range.end.character);
}

function overlaps(a: Range, b: Range): boolean {
  const before = (x: Range['start'], y: Range['start']) => x.line < y.line || (x.line === y.line && x.character < y.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

function isBlank(text: string): boolean {
  return text.split('\n').every((line) => line.trim() === '' || line.trim().startsWith('#'));
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
