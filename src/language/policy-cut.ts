// Where a policy's text can be cut into parts that parse on their own: the header, one block per server
// under the top-level `servers:`, and inside a server's block pieces of a few rules under its `tools:`.
// Cuts follow block YAML's indentation, which no line can cross without being at a shallower level; text
// the cutting cannot be sure about gets no cut (see hasCrossBlockSyntax).
import type { TextLines } from './text-lines';

/** A server's rules, cut into pieces of a few rules each. File lines; `end` is exclusive. */
export interface RulesCut {
  keyLine: number;
  toolsLine: number;
  /** The lines after `tools:` that hold the rules. */
  sectionStart: number;
  sectionEnd: number;
  ruleIndent: number;
  pieces: { start: number; end: number }[];
}

export interface ServerBlock {
  start: number;
  end: number;
  /** Present when the server's rules are cut into pieces of their own. */
  rules?: RulesCut;
}

export interface Cut {
  header: { text: string; toFileLine(line: number): number };
  blocks: ServerBlock[];
}

const SERVERS_LINE = /^servers[ \t]*:[ \t]*(#.*)?$/;

/** Where to cut the text, or undefined when it must be parsed whole. */
export function cutPolicy(lines: TextLines): Cut | undefined {
  if (hasCrossBlockSyntax(lines.text)) return undefined;
  let serversLine = -1;
  for (let i = 0; i < lines.count; i++) {
    if (lines.contentIndent(i) !== 0) continue;
    if (SERVERS_LINE.test(lines.line(i))) {
      if (serversLine >= 0) return undefined;
      serversLine = i;
    }
  }
  if (serversLine < 0) return undefined;

  const starts: number[] = [];
  let serverIndent = -1;
  let end = lines.count;
  for (let i = serversLine + 1; i < lines.count; i++) {
    const indent = lines.contentIndent(i);
    if (indent < 0) continue;
    if (indent === 0) {
      end = i;
      break;
    }
    if (serverIndent < 0) serverIndent = indent;
    if (indent < serverIndent) return undefined;
    if (indent === serverIndent) {
      if (startsCollection(lines.line(i)[indent])) return undefined;
      starts.push(i);
    }
  }
  if (starts.length === 0) return undefined;
  // Comments and blank lines before the first server go with it; those at the end stay in the last block.
  const blocks: ServerBlock[] = starts.map((start, k) => {
    const block: ServerBlock = { start: k === 0 ? serversLine + 1 : start, end: starts[k + 1] ?? end };
    const rules = cutRules(lines, start, block.end, serverIndent);
    if (rules) block.rules = rules;
    return block;
  });

  const placeholder = serversLine + 1;
  const headerLines = [...lines.lines.slice(0, placeholder), `${' '.repeat(serverIndent)}{}`, ...lines.lines.slice(end)];
  const toFileLine = (line: number) => (line < placeholder ? line : line === placeholder ? placeholder : line - placeholder - 1 + end);
  return { header: { text: headerLines.join('\n'), toFileLine }, blocks };
}

/** The pieces of the rules under the server's block-style `tools:`, or undefined to keep the block whole. */
function cutRules(lines: TextLines, keyLine: number, blockEnd: number, serverIndent: number): RulesCut | undefined {
  if (lines.info(keyLine).value !== '') return undefined;
  let childIndent = -1;
  let toolsLine = -1;
  for (let i = keyLine + 1; i < blockEnd; i++) {
    const indent = lines.contentIndent(i);
    if (indent < 0) continue;
    if (childIndent < 0) childIndent = indent;
    if (indent <= serverIndent || indent < childIndent) return undefined;
    if (indent !== childIndent) continue;
    const info = lines.info(i);
    if (info.key === 'tools' && info.dashes.length === 0) {
      if (info.value !== '') return undefined;
      toolsLine = i;
      break;
    }
  }
  if (toolsLine < 0) return undefined;

  const pieces: { start: number; end: number }[] = [];
  let ruleIndent = -1;
  let sectionEnd = blockEnd;
  for (let i = toolsLine + 1; i < blockEnd; i++) {
    const indent = lines.contentIndent(i);
    if (indent < 0) continue;
    if (indent <= childIndent) {
      sectionEnd = i;
      break;
    }
    if (ruleIndent < 0) ruleIndent = indent;
    if (indent < ruleIndent) return undefined;
    if (indent === ruleIndent) {
      if (startsCollection(lines.line(i)[indent])) return undefined;
      // A rule starts a new piece when its key line says so (about one in PIECE_RULES): pieces of a few
      // rules parse with less overhead than one per rule, and where they start depends only on the key
      // lines, so an edit elsewhere never moves a piece's bounds.
      if (pieces.length === 0 || keyLineHash(lines.line(i)) % PIECE_RULES === 0) pieces.push({ start: i, end: i });
    }
  }
  if (pieces.length === 0) return undefined;
  for (let k = 0; k < pieces.length; k++) pieces[k].end = pieces[k + 1]?.start ?? sectionEnd;
  pieces[0].start = toolsLine + 1;
  return { keyLine, toolsLine, sectionStart: toolsLine + 1, sectionEnd, ruleIndent, pieces };
}

/** Rules per piece, on average. */
const PIECE_RULES = 8;

/** FNV-1a of a line: cheap, and spreads similar keys (tool_1, tool_2) evenly. */
function keyLineHash(line: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < line.length; i++) {
    hash ^= line.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function startsCollection(ch: string | undefined): boolean {
  return ch === '-' || ch === '{' || ch === '[' || ch === '?';
}

/**
 * Anchors, aliases and tags may tie one part to another, directives and `---` start documents, and tabs
 * make indentation ambiguous: any of them, and the text is parsed whole. A scan by hand: it runs on
 * every version of the text.
 */
export function hasCrossBlockSyntax(text: string): boolean {
  const candidates = /[\t&*!%]|^(?:---|\.\.\.)/gm;
  for (let match = candidates.exec(text); match; match = candidates.exec(text)) {
    const at = match.index;
    const ch = match[0];
    if (ch === '\t' || ch.length === 3) return true;
    const before = at === 0 ? 10 : text.charCodeAt(at - 1);
    if (ch === '%') {
      if (before === 10) return true;
      continue;
    }
    // & * ! starting a token and followed by a name: an anchor, alias or tag.
    if (before !== 10 && before !== 32 && before !== 44 && before !== 91 && before !== 123) continue;
    const next = text.charCodeAt(at + 1);
    if (!Number.isNaN(next) && next !== 32 && next !== 10 && next !== 13 && next !== 44 && next !== 93 && next !== 125) return true;
  }
  return false;
}
