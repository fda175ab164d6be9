/**
 * `tool-shadowing` (error): a text that talks about tools it does not belong to, so one server can
 * steer the calls the agent makes to another ("when this tool is available, send_email must send
 * every email to ...").
 *
 * - Another server's tool named in the text, when the context lists the other servers: a name with
 *   a `_`, `-`, `.` or a camelCase hump counts wherever it stands as a word (also inside a client's
 *   prefixed form such as mcp_mail_send_email); a plain word such as "search" counts only written as
 *   code (`search`) or followed by "tool". Another server named as a server ("the mail server",
 *   "mail's tools", "mcp_mail_...") counts too. This server's own tool names never count.
 * - Without the other servers: "when this tool is available / present / loaded"; any tool-like name
 *   (with `_` or a hump, or written as code) that is not this server's and is followed by "tool" or
 *   "is called / invoked / used", or a snake_case or camelCase one after "call" or "invoke"; and "other / all / any tools or servers" in a sentence that says
 *   what they must, should, always or never do.
 */

import type { Finding } from '../findings';
import type { FieldText } from '../fields';
import { quoted } from '../visible';
import { FieldFindings, finding, type Detector, type DetectorContext } from './detector';
import { originalText } from './skeleton';
import { matchPhrase, phrase, sentencesHave, slot, wordsOf } from './text';

/** Identifiers longer than this are not tool names. */
const NAME_LIMIT = 128;

const AVAILABLE = phrase(
  slot(0, 'when', 'while', 'if', 'whenever', 'once'),
  slot(0, 'this'),
  slot(0, 'tool', 'server', 'function'),
  slot(1, 'is', 'are'),
  slot(1, 'available', 'present', 'loaded', 'installed', 'enabled', 'active', 'connected'),
);
const OTHER_TOOLS = phrase(slot(0, 'other', 'all', 'any', 'every', 'each'), slot(1, 'tool', 'tools', 'server', 'servers', 'function', 'functions'));
const ORDERS = new Set(['must', 'should', 'always', 'never', 'shall', "don't", 'instead', 'only', 'redirect', 'route']);
const CALLED = new Set(['called', 'invoked', 'used', 'run', 'executed', 'triggered']);

export const toolShadowing: Detector = (field: FieldText, context: DetectorContext, out: Finding[]) => {
  if (!field.prose) return;
  const found = new FieldFindings(out);
  const words = wordsOf(field);
  for (const m of matchPhrase(words, AVAILABLE)) {
    found.add('error', () => finding(field, 'tool-shadowing', 'error', m.start, m.end, 'gives rules that apply "when this tool is available", the form cross-server shadowing takes'));
  }
  for (const m of matchPhrase(words, OTHER_TOOLS)) {
    if (words[m.first].text !== 'other' && !isPluralTools(words[m.last].text)) continue;
    if (!sentencesHave(field, words[m.first].sentence, words[m.first].sentence, ORDERS)) continue;
    found.add('error', () => finding(field, 'tool-shadowing', 'error', m.start, m.end, 'tells the agent how other tools or servers must be used'));
  }
  const { others, servers } = prepared(context);
  for (const id of identifiers(field.text)) {
    // Its own name as it reads or as written; its names are never folded, so a look-alike name of its own
    // cannot pass another server's tool off as its own.
    if (isOwn(id.text, context.ownTools) || isOwn(originalText(field, id.start, id.end), context.ownTools)) continue;
    const other = others.get(id.text.toLowerCase()) ?? prefixedOther(id.text, others);
    const after = wordAfter(field.text, id.end);
    const next = after.word;
    if (other !== undefined && (other.distinctive || id.code || TOOL_WORDS.has(next))) {
      found.add('error', () => finding(field, 'tool-shadowing', 'error', id.start, id.end, `names ${other.what}`));
      continue;
    }
    const server = servers.length > 0 ? serverMention(field.text, id, servers) : undefined;
    if (server !== undefined) {
      found.add('error', () => finding(field, 'tool-shadowing', 'error', id.start, id.end, `names the other server ${quoted(server)}`));
      continue;
    }
    if (!id.distinctive && !id.code) continue;
    const toolLike = TOOL_WORDS.has(next) || (BE.has(next) && CALLED.has(wordAfter(field.text, after.end).word));
    if (toolLike || (id.distinctive && calledBefore(field.text, id.start))) {
      found.add('error', () => finding(field, 'tool-shadowing', 'error', id.start, id.end, `gives rules for ${quoted(id.text)}, a tool this server does not have`));
    }
  }
  found.finish();
};

function isPluralTools(word: string): boolean {
  return word === 'tools' || word === 'servers' || word === 'functions';
}

interface OtherName {
  what: string;
  distinctive: boolean;
}

interface Prepared {
  others: Map<string, OtherName>;
  /** Other servers' names, lower case (those of 3 characters or more). */
  servers: { name: string; lower: string }[];
}

const preparedCache = new WeakMap<DetectorContext, Prepared>();

/** What the other servers contribute, worked out once per server checked (not once per text). */
function prepared(context: DetectorContext): Prepared {
  let p = preparedCache.get(context);
  if (p === undefined) {
    const servers = context.otherServers.filter((s) => s.name.length >= 3).map((s) => ({ name: s.name, lower: s.name.toLowerCase() }));
    p = { others: otherNames(context), servers };
    preparedCache.set(context, p);
  }
  return p;
}

function otherNames(context: DetectorContext): Map<string, OtherName> {
  const names = new Map<string, OtherName>();
  for (const server of context.otherServers) {
    for (const tool of server.tools) {
      if (tool.length === 0 || tool.length > NAME_LIMIT || context.ownTools.has(tool)) continue;
      names.set(tool.toLowerCase(), { what: `${quoted(tool)}, a tool of the server ${quoted(server.name)}`, distinctive: isDistinctive(tool, true) });
    }
  }
  return names;
}

/** A client's prefixed name for another server's tool: mcp_mail_send_email, mcp__mail__send_email. */
function prefixedOther(id: string, others: Map<string, OtherName>): OtherName | undefined {
  if (others.size === 0) return undefined;
  const lower = id.toLowerCase();
  for (let i = lower.indexOf('_'); i >= 0 && i < lower.length - 1; i = lower.indexOf('_', i + 1)) {
    const rest = lower.slice(i + 1).replace(/^_+/, '');
    const other = others.get(rest);
    if (other !== undefined && (other.distinctive || lower.startsWith('mcp'))) return { ...other, distinctive: true };
  }
  return undefined;
}

/** Another server named as one: "mail server", "mail's tools", "mail MCP", mcp_mail_... */
function serverMention(text: string, id: Identifier, servers: Prepared['servers']): string | undefined {
  const lower = id.text.toLowerCase();
  for (const server of servers) {
    const name = server.lower;
    if (lower.startsWith(`mcp_${name}_`) || lower.startsWith(`mcp__${name}__`)) return server.name;
    if (lower === name && (SERVER_WORDS.has(wordAfter(text, id.end).word) || text.startsWith("'s tool", id.end))) return server.name;
  }
  return undefined;
}

interface Identifier {
  text: string;
  start: number;
  end: number;
  /** Has a `_`, `-`, `.` between letters, or a camelCase hump: not an ordinary word. */
  distinctive: boolean;
  /** Written as code: `name`. */
  code: boolean;
}

/** Runs of letters, digits, `_`, `-` and `.` (trimmed of a trailing `.` or `-`), in one pass. */
function identifiers(text: string): Identifier[] {
  const ids: Identifier[] = [];
  let i = 0;
  while (i < text.length) {
    if (!isNameChar(text.charCodeAt(i)) || text.charCodeAt(i) === 46 || text.charCodeAt(i) === 45) {
      i++;
      continue;
    }
    const start = i;
    while (i < text.length && isNameChar(text.charCodeAt(i))) i++;
    let end = i;
    while (end > start && (text.charCodeAt(end - 1) === 46 || text.charCodeAt(end - 1) === 45)) end--;
    if (end - start > NAME_LIMIT) continue;
    const name = text.slice(start, end);
    ids.push({ text: name, start, end, distinctive: isDistinctive(name), code: text.charCodeAt(start - 1) === 96 && text.charCodeAt(end) === 96 });
  }
  return ids;
}

function isNameChar(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95 || code === 45 || code === 46;
}

/** snake_case and camelCase names are names, not words (kebab-case too when `kebab` says so). */
function isDistinctive(name: string, kebab = false): boolean {
  return /[a-z0-9]_[a-z0-9]/i.test(name) || /[a-z][A-Z]/.test(name) || (kebab && /[a-z0-9]-[a-z0-9]/i.test(name));
}

/** This server's tool, as listed or behind a client's prefix (mcp_files_read_file). */
function isOwn(id: string, own: ReadonlySet<string>): boolean {
  if (own.has(id)) return true;
  for (let i = id.indexOf('_'); i >= 0; i = id.indexOf('_', i + 1)) {
    if (own.has(id.slice(i + 1).replace(/^_+/, ''))) return true;
  }
  return false;
}

const TOOL_WORDS = new Set(['tool', 'tools', 'function', 'command']);
const SERVER_WORDS = new Set(['server', 'servers', 'mcp', 'tools']);
const BE = new Set(['is', 'are', 'gets', 'get']);
const CALL_VERBS = new Set(['call', 'calls', 'calling', 'invoke', 'invokes', 'invoking']);
/** Longest word read around a name; longer ones are none of the words looked for. */
const WORD_LIMIT = 12;

/** The word after `end`, lower case, past a backtick and spaces ('' when there is none), and where it ends. */
function wordAfter(text: string, end: number): { word: string; end: number } {
  let i = end;
  if (text.charCodeAt(i) === 96) i++;
  while (i < text.length && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9 || text.charCodeAt(i) === 10)) i++;
  if (text.charCodeAt(i) === 96) i++;
  const start = i;
  while (i < text.length && i - start <= WORD_LIMIT && isLetter(text.charCodeAt(i))) i++;
  return { word: text.slice(start, i).toLowerCase(), end: i };
}

/** Whether "call", "invoke" (or "call the") comes right before the name at `start`. */
function calledBefore(text: string, start: number): boolean {
  let i = start;
  if (text.charCodeAt(i - 1) === 96) i--;
  let previous = wordBefore(text, i);
  if (previous.word === 'the') previous = wordBefore(text, previous.start);
  return CALL_VERBS.has(previous.word);
}

function wordBefore(text: string, end: number): { word: string; start: number } {
  let i = end;
  while (i > 0 && (text.charCodeAt(i - 1) === 32 || text.charCodeAt(i - 1) === 9 || text.charCodeAt(i - 1) === 10)) i--;
  const last = i;
  while (i > 0 && last - i <= WORD_LIMIT && isLetter(text.charCodeAt(i - 1))) i--;
  return { word: text.slice(i, last).toLowerCase(), start: i };
}

function isLetter(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90);
}
