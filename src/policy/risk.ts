/**
 * Risk classification of MCP tools: what kind of action a tool takes (category) and how much harm
 * it can do (level), with where the label came from and any doubts about it. Pure; runs for every
 * tool of every `tools/list`, so all lookup tables are built once at load.
 *
 * The rules (the contract):
 *
 * 1. Policy. A rule's `risk: {category, level}` wins; source `policy`. Given only a category, the
 *    level is computed for that category by rule 6. Given only a level, the category comes from
 *    rules 2-5. Either way the source is `policy`, and the classifier's warnings are kept.
 *
 * 2. Annotations. When the tool sets `readOnlyHint` or `destructiveHint` explicitly, annotations
 *    give a category: `readOnlyHint: true` -> read; else `destructiveHint: false` -> write; else
 *    destructive (an absent `destructiveHint` defaults to true in the MCP spec). The spec ignores
 *    `destructiveHint` when `readOnlyHint` is true; setting both to true earns a warning.
 *    `idempotentHint` is not used: a safe retry does not make the first call any safer.
 *
 * 3. Name. The name is split on `_`, `-`, `.`, `/`, spaces and camelCase (`deleteUser`,
 *    `getHTTPStatus`) and matched, lower-cased, against base verbs (see words.ts). The name's
 *    category is the riskiest of: its first known verb; the first known verb after each `and`,
 *    `or`, `then` (`get_or_create` is write); and any destructive verb anywhere in it, because
 *    resource-first names (`record_delete`, `tag_remove`) put a noun that looks like a verb first
 *    and labelling a destructive tool "write" is the mistake that costs. Names match base forms
 *    only: `list_deleted_items` lists. `kill` is destructive (terminate without the grace period;
 *    what the process held is lost), `stop` and `cancel` are execute.
 *
 * 4. Description. Only its first sentence (up to `.`, `!` or `?` before a space, or a line break;
 *    at most 400 characters) is read, and only its first known verb, inflections included ("Stops", "Deleting",
 *    "Retrieves"). A verb right after a negation ("does not modify", "without deleting") is
 *    skipped, and hyphenated words ("read-only", "drop-down") are never verbs.
 *    The description decides when the name has no known verb. When the name has one, the
 *    description can only raise it to destructive, and only when its leading verb is destructive
 *    ("get_cache: Deletes the entry and returns it"), with a warning. A description's write or
 *    execute words do not raise a name: they are too often nouns ("the latest run", "tag list"),
 *    and a destructive word that is not the leading verb ("Lists items, including deleted ones")
 *    describes the data, not the action. Source `description` when the description decided.
 *
 * 5. Combining. With an annotation category and a name/description category, the riskier wins
 *    (read < write < execute < destructive); a tie goes to `annotations`. Annotations never make a
 *    tool look safer than its name: `readOnlyHint: true` on a name that says write, execute or
 *    destructive, and `destructiveHint: false` on a name that says destructive, are warnings.
 *    With neither, the source is `default` and the category is execute: we cannot tell what the
 *    tool does, the spec's defaults say it may be destructive and open-world, and execute (rather
 *    than destructive) keeps unlabelled but harmless tools from drowning the truly destructive.
 *
 * 6. Level. Base: read low, write medium, execute medium, destructive high. `openWorldHint`
 *    raises it one step (at most critical) when true or absent (the spec's default); only an
 *    explicit `false` does not. So an unannotated read tool is read/medium, an unannotated
 *    unknown tool execute/high, and a destructive open-world tool critical.
 *
 * Ordering: `riskRank` puts every level above every category within it (a critical read outranks
 * a high destructive); `compareRisk` sorts riskiest first.
 */

import {
  RISK_CATEGORIES,
  RISK_LEVELS,
  type RiskAssessment,
  type RiskCategory,
  type RiskLevel,
  type RiskOverride,
  type RiskSource,
  type ToolAnnotations,
  type ToolInfo,
} from './model';
import { NAME_CONJUNCTIONS, NAME_VERBS, NEGATIONS, TEXT_VERBS } from './words';

/** One letter per category, for tree badges and compact listings. */
export const RISK_BADGE_LETTER: Record<RiskCategory, 'R' | 'W' | 'X' | 'D'> = {
  read: 'R',
  write: 'W',
  execute: 'X',
  destructive: 'D',
};

const CATEGORY_RANK: Record<RiskCategory, number> = { read: 0, write: 1, execute: 2, destructive: 3 };
const LEVEL_RANK: Record<RiskLevel, number> = { low: 0, medium: 1, high: 2, critical: 3 };
const BASE_LEVEL: Record<RiskCategory, RiskLevel> = {
  read: 'low',
  write: 'medium',
  execute: 'medium',
  destructive: 'high',
};

/** 0 (read) to 3 (destructive). */
export function categoryRank(category: RiskCategory): number {
  return CATEGORY_RANK[category];
}

/** 0 (low) to 3 (critical). */
export function levelRank(level: RiskLevel): number {
  return LEVEL_RANK[level];
}

/** 0 (read/low) to 15 (destructive/critical): level first, category breaks ties. Higher is riskier. */
export function riskRank(assessment: RiskAssessment): number {
  return LEVEL_RANK[assessment.level] * RISK_CATEGORIES.length + CATEGORY_RANK[assessment.category];
}

/** Comparator that sorts riskiest first: `tools.sort((a, b) => compareRisk(a.risk, b.risk))`. */
export function compareRisk(a: RiskAssessment, b: RiskAssessment): number {
  return riskRank(b) - riskRank(a);
}

/** A tool's risk by the rules at the top of this file; `override` is the matching rule's `risk:`. */
export function classifyTool(tool: ToolInfo, override?: RiskOverride): RiskAssessment {
  const annotations = tool.annotations;
  const warnings: string[] = [];
  const policyCategory = override?.category;
  const policyLevel = override?.level;

  // A full override needs nothing else, but the doubts about the tool are still worth showing.
  const inferred = inferCategory(tool, annotations, warnings);
  const category = policyCategory ?? inferred.category;
  const level = policyLevel ?? levelFor(category, annotations);
  const source: RiskSource = policyCategory !== undefined || policyLevel !== undefined ? 'policy' : inferred.source;
  return { category, level, source, warnings };
}

interface Evidence {
  category: RiskCategory;
  /** The word as written, quoted in warnings. */
  word: string;
  source: 'name' | 'description';
}

function inferCategory(
  tool: ToolInfo,
  annotations: ToolAnnotations | undefined,
  warnings: string[],
): { category: RiskCategory; source: RiskSource } {
  const text = textEvidence(tool, warnings);
  const claimed = annotationCategory(annotations, warnings);
  if (claimed === undefined) {
    return text === undefined ? { category: 'execute', source: 'default' } : text;
  }
  if (text !== undefined && CATEGORY_RANK[text.category] > CATEGORY_RANK[claimed]) {
    if (claimed === 'read') {
      warnings.push(`annotations say read-only but the ${text.source} says ${text.category} ('${text.word}')`);
    } else if (text.category === 'destructive') {
      warnings.push(
        `annotations say not destructive (destructiveHint: false) but the ${text.source} says destructive ('${text.word}')`,
      );
    }
    return text;
  }
  return { category: claimed, source: 'annotations' };
}

function annotationCategory(annotations: ToolAnnotations | undefined, warnings: string[]): RiskCategory | undefined {
  if (typeof annotations !== 'object' || annotations === null) return undefined;
  const readOnly = annotations.readOnlyHint;
  const destructive = annotations.destructiveHint;
  if (typeof readOnly !== 'boolean' && typeof destructive !== 'boolean') return undefined;
  if (readOnly === true) {
    if (destructive === true) {
      warnings.push('annotations say both read-only and destructive; read-only is taken, as the MCP spec says');
    }
    return 'read';
  }
  return destructive === false ? 'write' : 'destructive';
}

function textEvidence(tool: ToolInfo, warnings: string[]): Evidence | undefined {
  // Servers send what they like: a name or description that is not a string says nothing.
  const fromName = typeof tool.name === 'string' ? nameEvidence(tool.name) : undefined;
  if (fromName?.category === 'destructive') return fromName;
  const fromDescription = typeof tool.description === 'string' ? descriptionEvidence(tool.description) : undefined;
  if (fromName === undefined) return fromDescription;
  if (fromDescription?.category === 'destructive') {
    warnings.push(
      `the name says ${fromName.category} ('${fromName.word}') but the description says destructive ('${fromDescription.word}')`,
    );
    return fromDescription;
  }
  return fromName;
}

function levelFor(category: RiskCategory, annotations: ToolAnnotations | undefined): RiskLevel {
  const base = LEVEL_RANK[BASE_LEVEL[category]];
  const openWorld = typeof annotations !== 'object' || annotations === null || annotations.openWorldHint !== false;
  return RISK_LEVELS[Math.min(base + (openWorld ? 1 : 0), RISK_LEVELS.length - 1)];
}

/** The verb of a tool's name, by rule 3 above; undefined when it has none. */
function nameEvidence(name: string): Evidence | undefined {
  let found: Evidence | undefined;
  let clauseOpen = true; // looking for the first verb of the name or of a clause after a conjunction
  for (const token of splitToolName(name)) {
    if (NAME_CONJUNCTIONS.has(token)) {
      clauseOpen = true;
      continue;
    }
    const category = NAME_VERBS.get(token);
    if (category === undefined) continue;
    if (clauseOpen || category === 'destructive') {
      if (found === undefined || CATEGORY_RANK[category] > CATEGORY_RANK[found.category]) {
        found = { category, word: token, source: 'name' };
      }
      clauseOpen = false;
    }
  }
  return found;
}

// Character classes for the hand-written scanners (no regular expressions on the hot path).
const OTHER = 0;
const LOWER = 1;
const UPPER = 2;
const DIGIT = 3;

function charKind(code: number): number {
  if (code >= 97 && code <= 122) return LOWER;
  if (code >= 65 && code <= 90) return UPPER;
  if (code >= 48 && code <= 57) return DIGIT;
  return OTHER;
}

/**
 * A tool name's words, lower case: split on anything but ASCII letters and digits, and at
 * camelCase humps (`deleteUser` -> delete, user; `getHTTPStatus` -> get, http, status).
 */
export function splitToolName(name: string): string[] {
  const tokens: string[] = [];
  let start = -1;
  let previous = OTHER;
  for (let i = 0; i < name.length; i++) {
    const kind = charKind(name.charCodeAt(i));
    if (kind === OTHER) {
      if (start >= 0) tokens.push(name.slice(start, i).toLowerCase());
      start = -1;
    } else if (start < 0) {
      start = i;
    } else if (
      kind === UPPER &&
      (previous !== UPPER || charKind(name.charCodeAt(i + 1)) === LOWER)
    ) {
      // aB, 3B start a word; in ABc the B starts one (an acronym ends before it).
      tokens.push(name.slice(start, i).toLowerCase());
      start = i;
    }
    previous = kind;
  }
  if (start >= 0) tokens.push(name.slice(start).toLowerCase());
  return tokens;
}

/** Enough for any first sentence worth reading; keeps a description without full stops cheap. */
const DESCRIPTION_SCAN_LIMIT = 400;

/** The first known verb of a description's first sentence, by rule 4 above. */
function descriptionEvidence(description: string): Evidence | undefined {
  const end = Math.min(description.length, DESCRIPTION_SCAN_LIMIT);
  let start = -1; // start of the current word
  let hyphenated = false;
  let negated = false; // the previous word was a negation, with no punctuation since
  let sawWord = false; // leading blank lines and punctuation do not end the first sentence
  for (let i = 0; i <= end; i++) {
    const code = i < end ? description.charCodeAt(i) : 32;
    const kind = charKind(code);
    if (kind === LOWER || kind === UPPER) {
      if (start < 0) start = i;
      continue;
    }
    if (start >= 0 && (code === 39 || code === 0x2019)) continue; // doesn't, don’t
    if (start >= 0 && code === 45) {
      hyphenated = true; // read-only, drop-down: not verbs
      continue;
    }
    if (start >= 0) {
      const word = wordAt(description, start, i);
      const category = hyphenated ? undefined : TEXT_VERBS.get(word);
      if (category !== undefined && !negated) return { category, word, source: 'description' };
      negated = NEGATIONS.has(word);
      start = -1;
      hyphenated = false;
      sawWord = true;
    }
    if (sawWord && isSentenceEnd(description, i, code)) return undefined;
    if (kind === OTHER && code !== 32 && code !== 9) negated = false; // punctuation ends a negation
  }
  return undefined;
}

/** A description word, lower case, with typographic apostrophes made plain and a closing quote dropped. */
function wordAt(text: string, start: number, end: number): string {
  let word = text.slice(start, end).toLowerCase();
  if (word.includes('\u2019')) word = word.replaceAll('\u2019', "'");
  return word.endsWith("'") ? word.slice(0, -1) : word;
}

function isSentenceEnd(text: string, i: number, code: number): boolean {
  if (code === 10 || code === 13) return true;
  if (code !== 46 && code !== 33 && code !== 63) return false; // . ! ?
  const next = text.charCodeAt(i + 1);
  return Number.isNaN(next) || next === 32 || next === 9 || next === 10 || next === 13;
}
