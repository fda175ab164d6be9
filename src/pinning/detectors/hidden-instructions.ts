/**
 * `hidden-instructions`: text aimed at the model rather than at the user, the core of tool poisoning.
 *
 * Errors (the text tries to take over the agent or to keep something from the user):
 * - a block in a tag of the kind prompts use: <IMPORTANT>, <SYSTEM>, <instructions>, <secret>,
 *   <|im_start|>, [INST] ... (the whole block up to its closing tag is the range);
 * - "ignore / disregard / forget (all, previous, prior ...) instructions";
 * - "do not tell / mention / reveal ... the user", "without telling the user", "hide it from the
 *   user", "the user must not know", "do not mention this".
 * Warnings (a usage note can say this honestly; a poisoned one says it too):
 * - "before using this tool, read / call ...", "you must first call ...", "must call X first";
 * - orders to the model by name ("the assistant must ..."), "you are now ...", "new / secret
 *   instructions", "otherwise the tool will not work", "the system will crash";
 * - an HTML comment (a rendered description hides it) and a long run of spaces (pushes the text
 *   after it out of view in a confirmation dialog).
 * The server's instructions are written for the model, so the warnings about addressing it (the
 * first two kinds) do not apply to them; the errors do.
 */

import type { Finding, FindingSeverity } from '../findings';
import type { FieldText } from '../fields';
import { visible } from '../visible';
import { FieldFindings, finding, type Detector } from './detector';
import { matchPhrase, phrase, slot, wordsOf, type Phrase } from './text';

interface Rule {
  phrase: Phrase;
  severity: FindingSeverity;
  what: string;
  /** Left out for the server's instructions, which are meant to address the model. */
  notInInstructions?: boolean;
}

/** "do not", "must not": an order, where "does not" describes. */
const NOT_ORDER = ['do', 'must', 'should', 'shall'];
const NEGATION = ["don't", 'dont', 'never', "mustn't", "shouldn't"];
const TELL = ['tell', 'inform', 'notify', 'alert', 'mention', 'reveal', 'disclose'];
const PERSON = ['user', 'users', "user's", 'human', 'humans', 'person', 'operator', 'them'];
const DIRECTIVE = ['read', 'call', 'run', 'fetch', 'open', 'load', 'check', 'execute', 'invoke', 'use', 'get', 'send', 'cat', 'visit', 'include', 'pass'];

const RULES: readonly Rule[] = [
  {
    phrase: phrase(
      slot(0, 'ignore', 'disregard', 'forget', 'override', 'bypass'),
      slot(2, 'previous', 'prior', 'above', 'earlier', 'preceding', 'all', 'any', 'other', 'system', 'your', 'existing', 'original', 'safety', 'developer', 'former', 'initial'),
      slot(2, 'instructions', 'instruction', 'prompt', 'prompts', 'directions', 'guidelines', 'directives', 'guidance'),
    ),
    severity: 'error',
    what: 'tells the agent to ignore its instructions',
  },
  {
    phrase: phrase(slot(0, ...NOT_ORDER), slot(0, 'not'), slot(1, ...TELL), slot(6, ...PERSON)),
    severity: 'error',
    what: 'tells the agent to keep something from the user',
  },
  {
    phrase: phrase(slot(0, ...NEGATION), slot(1, ...TELL), slot(6, ...PERSON)),
    severity: 'error',
    what: 'tells the agent to keep something from the user',
  },
  {
    phrase: phrase(slot(0, ...NOT_ORDER, ...NEGATION), slot(1, 'not', 'let'), slot(2, 'let', ...PERSON), slot(2, ...PERSON, 'know', 'see', 'notice')),
    severity: 'error',
    what: 'tells the agent to keep something from the user',
  },
  {
    phrase: phrase(slot(0, ...NOT_ORDER), slot(0, 'not'), slot(1, 'mention', 'reveal', 'disclose'), slot(1, 'this', 'that', 'these', 'it', 'any')),
    severity: 'error',
    what: 'tells the agent to keep something quiet',
  },
  {
    phrase: phrase(slot(0, ...NEGATION), slot(1, 'mention', 'reveal', 'disclose'), slot(1, 'this', 'that', 'these', 'it', 'any')),
    severity: 'error',
    what: 'tells the agent to keep something quiet',
  },
  {
    phrase: phrase(slot(0, 'without'), slot(1, 'telling', 'informing', 'notifying', 'alerting', 'mentioning', 'letting', 'showing'), slot(3, ...PERSON)),
    severity: 'error',
    what: 'tells the agent to act without the user knowing',
  },
  {
    phrase: phrase(slot(0, 'hide', 'conceal', 'keep', 'withhold'), slot(4, 'from'), slot(2, ...PERSON)),
    severity: 'error',
    what: 'tells the agent to hide something from the user',
  },
  {
    phrase: phrase(slot(0, 'user', 'users', 'human'), slot(0, 'must', 'should', 'shall', 'need', 'needs'), slot(1, 'not', 'never'), slot(2, 'know', 'see', 'notice', 'find', 'learn', 'aware', 'told', 'informed')),
    severity: 'error',
    what: 'says the user must not know something',
  },
  {
    phrase: phrase(slot(0, 'before'), slot(1, 'using', 'calling', 'invoking', 'running', 'executing', 'use'), slot(2, 'tool', 'function', 'it'), slot(5, ...DIRECTIVE)),
    severity: 'warning',
    what: 'tells the agent to do something else before using the tool',
    notInInstructions: true,
  },
  {
    phrase: phrase(slot(0, 'you'), slot(1, 'must', 'need', 'should', 'have', 'always', 'shall'), slot(2, 'first'), slot(1, ...DIRECTIVE)),
    severity: 'warning',
    what: 'tells the agent to call or read something first',
    notInInstructions: true,
  },
  {
    phrase: phrase(slot(0, 'must', 'always'), slot(1, ...DIRECTIVE), slot(6, 'first', 'beforehand')),
    severity: 'warning',
    what: 'tells the agent to call or read something first',
    notInInstructions: true,
  },
  {
    phrase: phrase(slot(0, 'assistant', 'llm', 'ai', 'model', 'agent', 'claude', 'copilot', 'chatgpt', 'gpt', 'gemini'), slot(0, 'must', 'should', 'shall')),
    severity: 'warning',
    what: 'gives orders to the model rather than describing the tool',
    notInInstructions: true,
  },
  {
    phrase: phrase(slot(0, 'you'), slot(0, 'are'), slot(0, 'now')),
    severity: 'warning',
    what: 'tries to change who the agent is ("you are now ...")',
  },
  {
    phrase: phrase(slot(0, 'new', 'updated', 'real', 'actual', 'true', 'secret', 'hidden', 'override'), slot(0, 'instructions', 'instruction', 'directive', 'directives', 'orders')),
    severity: 'warning',
    what: 'announces new or secret instructions',
  },
  {
    phrase: phrase(slot(0, 'otherwise'), slot(3, 'tool', 'system', 'application', 'app', 'request', 'it', 'this'), slot(3, 'not', 'fail', 'fails', 'crash', 'crashes', 'break', "won't", 'cannot')),
    severity: 'warning',
    what: 'threatens failure to make the agent comply',
  },
  {
    phrase: phrase(slot(0, 'system', 'application', 'app', 'server'), slot(1, 'will', 'would', 'may'), slot(1, 'crash')),
    severity: 'warning',
    what: 'threatens failure to make the agent comply',
  },
];

/** Every word a rule can start with: a text with none of them needs no rule tried. */
const FIRST_WORDS = new Set(RULES.flatMap((rule) => [...rule.phrase.slots[0].words]));

/** Tag names of the kind prompts use to mark orders for the model (lower case, `-` as `_`). */
const MODEL_TAGS = new Set([
  'important', 'system', 'system_prompt', 'systemprompt', 'system_message', 'instructions', 'instruction', 'hidden',
  'secret', 'admin', 'override', 'critical', 'priority', 'im_start', 'im_end', 'sys', 'inst', 'assistant',
  'ai_instructions', 'note_to_ai', 'note_to_assistant', 'ai', 'llm', 'mandatory', 'urgent',
]);

/** A run of this many spaces in a line pushes what follows out of a dialog's view. */
export const SPACE_RUN_LIMIT = 40;
const TAG_NAME_LIMIT = 40;

export const hiddenInstructions: Detector = (field: FieldText, _context, out: Finding[]) => {
  if (!field.prose) return;
  const found = new FieldFindings(out);
  modelTags(field, found);
  for (const m of phraseMatches(field)) found.add(m.rule.severity, () => finding(field, 'hidden-instructions', m.rule.severity, m.start, m.end, m.rule.what));
  htmlComments(field, found);
  spaceRuns(field, found);
  found.finish();
};

/**
 * Every rule's matches, one finding per stretch of text: where matches overlap ("do not mention
 * this to the user" is two rules' match), the error and then the longest is kept.
 */
function phraseMatches(field: FieldText): { rule: Rule; start: number; end: number }[] {
  const words = wordsOf(field);
  const all: { rule: Rule; start: number; end: number }[] = [];
  if (!words.some((w) => FIRST_WORDS.has(w.text))) return all;
  for (const rule of RULES) {
    if (rule.notInInstructions && field.kind === 'instructions') continue;
    for (const m of matchPhrase(words, rule.phrase)) all.push({ rule, start: m.start, end: m.end });
  }
  all.sort((a, b) => a.start - b.start || rank(b.rule) - rank(a.rule) || b.end - a.end);
  const kept: typeof all = [];
  for (const m of all) {
    const last = kept[kept.length - 1];
    if (last !== undefined && m.start < last.end) {
      if (rank(m.rule) > rank(last.rule)) kept[kept.length - 1] = m;
      continue;
    }
    kept.push(m);
  }
  return kept;
}

function rank(rule: Rule): number {
  return rule.severity === 'error' ? 2 : rule.severity === 'warning' ? 1 : 0;
}

interface Tag {
  name: string;
  /** The tag as written, brackets included: <IMPORTANT>, [INST]. */
  shown: string;
  closing: boolean;
  start: number;
  end: number;
}

/** <IMPORTANT> ... </IMPORTANT> and the like: one finding per block, or per tag left unclosed. */
function modelTags(field: FieldText, found: FieldFindings): void {
  for (const block of modelBlocks(field)) {
    const what = `a block marked ${block.shown}, the form tool poisoning uses to give the agent orders`;
    found.add('error', () => finding(field, 'hidden-instructions', 'error', block.start, block.end, what));
  }
}

export interface ModelBlock {
  start: number;
  end: number;
  /** The opening tag as written, made visible. */
  shown: string;
}

const blockCache = new WeakMap<FieldText, ModelBlock[]>();
const NO_BLOCKS: ModelBlock[] = [];

/** The <IMPORTANT>-style blocks of a text (a tag left unclosed is a block of its own), found once. */
export function modelBlocks(field: FieldText): ModelBlock[] {
  const cached = blockCache.get(field);
  if (cached !== undefined) return cached;
  if (!field.text.includes('<') && !field.text.includes('[')) return NO_BLOCKS;
  const tags = findTags(field.text);
  const open = new Map<string, Tag>();
  const blocks: ModelBlock[] = [];
  for (const tag of tags) {
    if (!tag.closing) {
      if (!open.has(tag.name)) open.set(tag.name, tag);
      continue;
    }
    const opening = open.get(tag.name);
    open.delete(tag.name);
    blocks.push({ start: (opening ?? tag).start, end: tag.end, shown: (opening ?? tag).shown });
  }
  for (const tag of open.values()) blocks.push({ start: tag.start, end: tag.end, shown: tag.shown });
  blocks.sort((a, b) => a.start - b.start);
  blockCache.set(field, blocks);
  return blocks;
}

/** Tags <name>, </name>, <|name|>, [name] and [/name] whose name is in MODEL_TAGS, in one pass. */
function findTags(text: string): Tag[] {
  const tags: Tag[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 60 && c !== 91) continue; // < [
    const close = c === 60 ? 62 : 93; // > ]
    let j = i + 1;
    let closing = false;
    if (text.charCodeAt(j) === 47) {
      closing = true;
      j++;
    }
    if (text.charCodeAt(j) === 124 || (c === 60 && text.charCodeAt(j) === 60)) j++; // <|name|>, <<SYS>>
    const nameStart = j;
    while (j < text.length && j - nameStart <= TAG_NAME_LIMIT && isTagNameChar(text.charCodeAt(j))) j++;
    if (j === nameStart) continue;
    const name = text.slice(nameStart, j).toLowerCase().replaceAll('-', '_');
    if (text.charCodeAt(j) === 124) j++;
    if (text.charCodeAt(j) !== close || !MODEL_TAGS.has(name)) continue;
    if (c === 91 && !isUpperCase(text, nameStart, nameStart + name.length)) continue; // [DIR] style labels are not, [INST] is
    const written = visible(text.slice(nameStart, nameStart + name.length), TAG_NAME_LIMIT);
    const shown = c === 60 ? `<${written}>` : `[${written}]`;
    tags.push({ name, shown, closing, start: i, end: j + 1 + (c === 60 && text.charCodeAt(j + 1) === 62 ? 1 : 0) });
    i = j;
  }
  return tags;
}

function isTagNameChar(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95 || code === 45;
}

function isUpperCase(text: string, start: number, end: number): boolean {
  const part = text.slice(start, end);
  return part === part.toUpperCase();
}

/** <!-- ... -->: shown by nothing that renders Markdown, read by the model all the same. */
function htmlComments(field: FieldText, found: FieldFindings): void {
  const text = field.text;
  let from = 0;
  for (;;) {
    const start = text.indexOf('<!--', from);
    if (start < 0) return;
    const close = text.indexOf('-->', start + 4);
    const end = close < 0 ? text.length : close + 3;
    found.add('warning', () => finding(field, 'hidden-instructions', 'warning', start, end, 'an HTML comment, which a rendered description hides from the user'));
    if (close < 0) return;
    from = end;
  }
}

/** A long run of spaces or tabs inside a line, followed by more text on that line. */
function spaceRuns(field: FieldText, found: FieldFindings): void {
  const text = field.text;
  let runStart = -1;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 10;
    if (c === 32 || c === 9 || c === 0xa0) {
      if (runStart < 0) runStart = i;
      continue;
    }
    if (runStart >= 0 && i - runStart >= SPACE_RUN_LIMIT && c !== 10 && c !== 13 && runStart > 0 && text.charCodeAt(runStart - 1) !== 10) {
      found.add(
        'warning', () => finding(field, 'hidden-instructions', 'warning', runStart, i,
          `a run of ${i - runStart} spaces inside a line, which pushes the text after it out of view`),
      );
    }
    runStart = -1;
  }
}
