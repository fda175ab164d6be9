// The cursor's place inside a flow collection written on one line: `{ max: 10, window: 60s }`,
// `[a, b]`, nested or unfinished (`{ max: 10, w`). Tokenizes the line and replays the brackets.
import { closingQuote, unquote } from './text-lines';

export interface FlowContext {
  /** Keys inside the flow collection, from its opening bracket to the cursor's map or key. */
  path: string[];
  kind: 'key' | 'value' | 'none';
  prefix: string;
  tokenStart: number;
  tokenEnd: number;
  tokenText: string;
  hasColon: boolean;
  inSequence: boolean;
  /** Keys of the cursor's map, its own key excluded. */
  siblings: string[];
}

interface Token {
  text: string;
  start: number;
  end: number;
  scalar: boolean;
  quoted: boolean;
}

interface Frame {
  type: 'map' | 'seq';
  segment: string;
  key: string | undefined;
  afterColon: boolean;
  pending: Token | undefined;
  keys: string[];
}

const PUNCTUATION = new Set(['{', '}', '[', ']', ',']);

function tokenize(line: string, start: number): Token[] {
  const tokens: Token[] = [];
  let i = start;
  while (i < line.length) {
    const ch = line[i];
    if (ch === ' ' || ch === '\t') {
      i++;
      continue;
    }
    if (ch === '#' && (i === 0 || line[i - 1] === ' ' || line[i - 1] === '\t')) break;
    if (PUNCTUATION.has(ch)) {
      tokens.push({ text: ch, start: i, end: i + 1, scalar: false, quoted: false });
      i++;
      continue;
    }
    const previous = tokens[tokens.length - 1];
    if (ch === ':' && (isFlowBreak(line, i + 1) || previous?.quoted === true)) {
      tokens.push({ text: ':', start: i, end: i + 1, scalar: false, quoted: false });
      i++;
      continue;
    }
    if (ch === '"' || ch === "'") {
      const close = closingQuote(line, i);
      const end = close < 0 ? line.length : close + 1;
      tokens.push({ text: close < 0 ? line.slice(i + 1) : unquote(line.slice(i, end)), start: i, end, scalar: true, quoted: true });
      i = end;
      continue;
    }
    let j = i;
    while (j < line.length) {
      const c = line[j];
      if (PUNCTUATION.has(c)) break;
      if (c === ':' && isFlowBreak(line, j + 1)) break;
      if (c === '#' && (line[j - 1] === ' ' || line[j - 1] === '\t')) break;
      j++;
    }
    let end = j;
    while (end > i && (line[end - 1] === ' ' || line[end - 1] === '\t')) end--;
    tokens.push({ text: line.slice(i, end), start: i, end, scalar: true, quoted: false });
    i = j;
  }
  return tokens;
}

function isFlowBreak(line: string, at: number): boolean {
  if (at >= line.length) return true;
  const c = line[at];
  return c === ' ' || c === '\t' || c === ',' || c === '}' || c === ']';
}

/** The context at column `col` of `line`, whose flow collection opens at `start`. */
export function flowContext(line: string, start: number, col: number): FlowContext {
  const tokens = tokenize(line, start);
  const frames: Frame[] = [];
  let captured: FlowContext | undefined;
  let capturedFrame: Frame | undefined;
  let capturedKey: string | undefined;

  const capture = (index: number, token: Token | undefined) => {
    const top = frames[frames.length - 1];
    const tokenStart = token ? token.start : col;
    const tokenEnd = token ? Math.max(token.end, col) : col;
    const base = {
      prefix: token ? line.slice(token.start, col).replace(/^["']/, '') : '',
      tokenStart,
      tokenEnd,
      tokenText: token ? token.text : '',
      hasColon: false,
      inSequence: false,
      siblings: [] as string[],
    };
    if (!top) {
      captured = { ...base, path: [], kind: 'none' };
      return;
    }
    const path = frames.slice(1).map((frame) => frame.segment);
    capturedFrame = top;
    if (top.type === 'seq') {
      captured = { ...base, path, kind: 'value', inSequence: true };
    } else if (top.afterColon) {
      captured = { ...base, path: [...path, top.key ?? ''], kind: 'value' };
    } else {
      const next = tokens[token ? index + 1 : index];
      captured = { ...base, path, kind: 'key', hasColon: next?.text === ':' };
      capturedKey = token?.text;
    }
  };

  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index];
    if (!captured) {
      if (token.start >= col) capture(index, undefined);
      else if (token.scalar && col <= token.end) capture(index, token);
    }
    const top = frames[frames.length - 1];
    switch (token.text) {
      case '{':
      case '[': {
        if (token.scalar) break;
        const segment = top === undefined ? '' : top.type === 'map' ? (top.key ?? '') : '-';
        frames.push({ type: token.text === '{' ? 'map' : 'seq', segment, key: undefined, afterColon: false, pending: undefined, keys: [] });
        continue;
      }
      case '}':
      case ']':
        if (!token.scalar) {
          frames.pop();
          continue;
        }
        break;
      case ',':
        if (!token.scalar && top?.type === 'map') {
          top.afterColon = false;
          top.key = undefined;
          top.pending = undefined;
        }
        if (!token.scalar) continue;
        break;
      case ':':
        if (!token.scalar && top?.type === 'map') {
          top.key = top.pending?.text ?? '';
          top.keys.push(top.key);
          top.afterColon = true;
        }
        if (!token.scalar) continue;
        break;
    }
    if (token.scalar && top?.type === 'map' && !top.afterColon) top.pending = token;
  }
  if (!captured) capture(tokens.length, undefined);
  const result = captured!;
  if (capturedFrame) {
    const own = capturedKey;
    let skipped = false;
    result.siblings = capturedFrame.keys.filter((key) => {
      if (!skipped && key === own) {
        skipped = true;
        return false;
      }
      return true;
    });
  }
  return result;
}
