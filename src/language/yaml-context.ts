// Where the cursor is in the policy's structure, read from the lines around it: the keys leading to it,
// whether it is on a key or a value, and the token it would replace. Works on broken text (the usual
// state while typing) and costs a walk up the indentation, not a parse.
import type { Position, Range } from '../policy/model';
import { flowContext } from './flow-context';
import { TextLines, type LineInfo } from './text-lines';

export interface CursorContext {
  line: number;
  lineText: string;
  /**
   * Keys from the root to the map the cursor is in (kind `key`), or to the key whose value is at the
   * cursor (kind `value`). An item of a block sequence adds `-`.
   */
  path: string[];
  kind: 'key' | 'value' | 'none';
  /** The token under the cursor, up to the cursor. */
  prefix: string;
  /** The whole token under the cursor (empty at the cursor when there is none). */
  token: Range;
  /** The token's text, unquoted. */
  tokenText: string;
  /** A key: a colon already follows it, so a completion inserts the key alone. */
  hasColon: boolean;
  /** Inside a flow collection (`{ ... }` or `[ ... ]`) on this line. */
  inFlow: boolean;
  /** A value that is an item of a sequence (`- x` or `[x, y]`). */
  inSequence: boolean;
  /** Keys the map at the cursor already has (kind `key`), the cursor's own key excluded. */
  siblings(): Set<string>;
}

/** The indentation unit of the text (spaces of the first indented key line), 2 when unknown. */
export function indentUnit(lines: TextLines): number {
  const limit = Math.min(lines.count, 200);
  for (let i = 0; i < limit; i++) {
    const indent = lines.contentIndent(i);
    if (indent > 0) return indent;
  }
  return 2;
}

export function contextAt(lines: TextLines, position: Position): CursorContext {
  const lineNo = Math.min(position.line, lines.count - 1);
  const text = lines.line(lineNo);
  const col = Math.min(position.character, text.length);
  const info = lines.info(lineNo);
  const at = (start: number, end: number): Range => ({ start: { line: lineNo, character: start }, end: { line: lineNo, character: end } });
  const base = {
    line: lineNo,
    lineText: text,
    prefix: '',
    token: at(col, col),
    tokenText: '',
    hasColon: false,
    inFlow: false,
    inSequence: false,
  };
  const none: CursorContext = { ...base, path: [], kind: 'none', siblings: () => new Set() };

  if (info.blank) {
    const path = ancestors(lines, lineNo, col, false);
    return { ...base, path, kind: 'key', siblings: () => blockSiblings(lines, lineNo, col, undefined) };
  }
  if (info.comment || (info.commentStart >= 0 && col > info.commentStart)) return none;
  if (col < info.contentStart && info.dashes.length === 0) return none;

  // A flow collection on this line: `rate_limit: { max: 10, w| }`, `required: [a, |]`, `- {a: 1}`.
  const flowStart = info.key !== undefined ? info.valueStart : info.contentStart;
  const flowChar = text[flowStart];
  if ((flowChar === '{' || flowChar === '[') && col > flowStart) {
    const flow = flowContext(text, flowStart, col);
    const owner = blockPath(lines, lineNo, info);
    if (info.key !== undefined) owner.push(info.key);
    return {
      ...base,
      path: [...owner, ...flow.path],
      kind: flow.kind,
      prefix: flow.prefix,
      token: at(flow.tokenStart, flow.tokenEnd),
      tokenText: flow.tokenText,
      hasColon: flow.hasColon,
      inFlow: true,
      inSequence: flow.inSequence,
      siblings: () => new Set(flow.siblings),
    };
  }

  if (info.key !== undefined && col <= info.keyEnd && col >= info.keyStart) {
    const path = blockPath(lines, lineNo, info);
    const key = info.key;
    return {
      ...base,
      path,
      kind: 'key',
      prefix: text.slice(info.keyStart, col),
      token: at(info.keyStart, info.keyEnd),
      tokenText: key,
      hasColon: true,
      siblings: () => withoutOne(blockSiblings(lines, lineNo, info.keyStart, lineNo), key),
    };
  }
  if (info.key !== undefined && col > info.colon) {
    if (isBlockScalarHeader(info.value)) return none;
    const path = [...blockPath(lines, lineNo, info), info.key];
    const start = col >= info.valueStart ? info.valueStart : col;
    const end = col >= info.valueStart ? Math.max(info.valueEnd, col) : col;
    return { ...base, path, kind: 'value', prefix: text.slice(start, col), token: at(start, end), tokenText: text.slice(start, end), siblings: () => new Set() };
  }
  if (info.key === undefined && info.dashes.length > 0 && col >= info.contentStart) {
    // `- value`: an item of a block sequence; the path ends at the sequence's key.
    const path = [...ancestors(lines, lineNo, info.dashes[0], true), ...info.dashes.slice(1).map(() => '-')];
    const end = Math.max(info.valueEnd, col);
    return { ...base, path, kind: 'value', inSequence: true, prefix: text.slice(info.contentStart, col), token: at(info.contentStart, end), tokenText: text.slice(info.contentStart, end), siblings: () => new Set() };
  }
  if (info.key === undefined && col >= info.contentStart) {
    // A key being typed (no colon yet).
    const path = ancestors(lines, lineNo, info.contentStart, false);
    const end = Math.max(info.valueEnd, col);
    return {
      ...base,
      path,
      kind: 'key',
      prefix: text.slice(info.contentStart, col),
      token: at(info.contentStart, end),
      tokenText: text.slice(info.contentStart, end),
      siblings: () => blockSiblings(lines, lineNo, info.contentStart, lineNo),
    };
  }
  return none;
}

/** The path to the map that holds this line's key (for a `- key:` line, through the sequence item). */
function blockPath(lines: TextLines, lineNo: number, info: LineInfo): string[] {
  if (info.dashes.length === 0) return ancestors(lines, lineNo, info.contentStart, false);
  return [...ancestors(lines, lineNo, info.dashes[0], true), ...info.dashes.map(() => '-')];
}

/**
 * Keys of the maps enclosing a position at `column` on `lineNo`, outermost first: each line above with
 * less indentation is a parent. `inSequence`: the position is an item of a block sequence whose key may
 * sit at the item's own column (`key:` then `- item` at the same indentation is valid YAML).
 */
export function ancestors(lines: TextLines, lineNo: number, column: number, inSequence: boolean): string[] {
  const path: string[] = [];
  let current = column;
  let sequenceOwnerPending = inSequence;
  for (let i = lineNo - 1; i >= 0 && (current > 0 || sequenceOwnerPending); i--) {
    const indent = lines.contentIndent(i);
    if (indent < 0 || indent > current) continue;
    if (indent === current && !sequenceOwnerPending) continue;
    const info = lines.info(i);
    if (info.dashes.length > 0) {
      // An item of a sequence that encloses the position, or a sibling item of the position's own sequence.
      const dash = info.dashes[0];
      if (dash === current && sequenceOwnerPending) continue;
      if (info.key !== undefined && info.contentStart < current) path.unshift(info.key);
      for (let d = info.dashes.length - 1; d >= 0; d--) if (info.dashes[d] < current) path.unshift('-');
      current = dash;
      sequenceOwnerPending = true;
      continue;
    }
    if (info.key === undefined) continue; // broken text: look further up
    path.unshift(info.key);
    current = info.indent;
    sequenceOwnerPending = false;
  }
  return path;
}

/** Keys at `column` in the block map that holds line `lineNo` (or would hold a key there). */
function blockSiblings(lines: TextLines, lineNo: number, column: number, skipLine: number | undefined): Set<string> {
  const keys = new Set<string>();
  const collect = (i: number): boolean => {
    const indent = lines.contentIndent(i);
    if (indent < 0) return true;
    if (indent < column) return false;
    if (indent === column && i !== skipLine) {
      const info = lines.info(i);
      if (info.dashes.length > 0) return false;
      if (info.key !== undefined) keys.add(info.key);
    }
    return true;
  };
  for (let i = lineNo - 1; i >= 0 && collect(i); i--);
  for (let i = lineNo + 1; i < lines.count && collect(i); i++);
  return keys;
}

function withoutOne(keys: Set<string>, key: string): Set<string> {
  keys.delete(key);
  return keys;
}

function isBlockScalarHeader(value: string): boolean {
  return /^[|>][0-9+-]*$/.test(value);
}
