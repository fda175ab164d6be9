// A policy text as lines, each read on demand into its indentation, key and value. Completion and hover
// work from these instead of a parse tree: they must answer on every keystroke, on text that is often
// broken mid-edit, and on files too long to reparse per request.

/** One line of block YAML as far as this service needs it. Columns are zero-based. */
export interface LineInfo {
  /** Leading spaces. */
  indent: number;
  blank: boolean;
  comment: boolean;
  /** Columns of `- ` sequence dashes at the start of the line, outermost first. */
  dashes: number[];
  /** Where the line's content (after indentation and dashes) starts. */
  contentStart: number;
  /** The key of a `key:` line, unquoted; undefined when the line has none. */
  key?: string;
  keyStart: number;
  keyEnd: number;
  /** Column of the `:` after the key (-1 when there is none). */
  colon: number;
  /** The value written after the colon, without a trailing comment ('' when none). */
  value: string;
  valueStart: number;
  valueEnd: number;
  /** Column of a trailing `#` comment (-1 when none). */
  commentStart: number;
}

export class TextLines {
  readonly lines: string[];
  private readonly infos: (LineInfo | undefined)[];
  private starts: number[] | undefined;
  private indents: Int32Array | undefined;

  constructor(readonly text: string) {
    this.lines = text.split('\n');
    for (let i = 0; i < this.lines.length; i++) {
      const line = this.lines[i];
      if (line.endsWith('\r')) this.lines[i] = line.slice(0, -1);
    }
    this.infos = new Array(this.lines.length);
  }

  /** The offset in the text where a line starts; the text's length for the line after the last. */
  offsetOf(line: number): number {
    if (!this.starts) {
      const starts = [0];
      for (let i = this.text.indexOf('\n'); i >= 0; i = this.text.indexOf('\n', i + 1)) starts.push(i + 1);
      this.starts = starts;
    }
    return line < this.starts.length ? this.starts[line] : this.text.length;
  }

  get count(): number {
    return this.lines.length;
  }

  line(index: number): string {
    return this.lines[index] ?? '';
  }

  info(index: number): LineInfo {
    let info = this.infos[index];
    if (!info) {
      info = readLine(this.line(index));
      this.infos[index] = info;
    }
    return info;
  }

  /** Leading spaces of a line that holds content; -1 for a blank or comment line. Cheaper than info(). */
  contentIndent(index: number): number {
    // Cutting the text and walking up to a position's parents ask for most lines, several times.
    if (!this.indents) {
      this.indents = new Int32Array(this.lines.length);
      for (let i = 0; i < this.lines.length; i++) this.indents[i] = this.measureIndent(i);
    }
    return this.indents[index] ?? this.measureIndent(index);
  }

  private measureIndent(index: number): number {
    const line = this.lines[index] ?? '';
    let i = 0;
    while (i < line.length && line.charCodeAt(i) === SPACE) i++;
    if (i === line.length) return -1;
    const code = line.charCodeAt(i);
    if (code === HASH) return -1;
    if (code === TAB || code === 13) return isBlankFrom(line, i) ? -1 : i;
    return i;
  }
}

const SPACE = 32;
const TAB = 9;
const HASH = 35;
const COLON = 58;
const DASH = 45;
const DQUOTE = 34;
const SQUOTE = 39;

export function readLine(line: string): LineInfo {
  let i = 0;
  while (i < line.length && line.charCodeAt(i) === SPACE) i++;
  const indent = i;
  const info: LineInfo = {
    indent,
    blank: false,
    comment: false,
    dashes: [],
    contentStart: indent,
    keyStart: -1,
    keyEnd: -1,
    colon: -1,
    value: '',
    valueStart: -1,
    valueEnd: -1,
    commentStart: -1,
  };
  if (isBlankFrom(line, i)) {
    info.blank = true;
    return info;
  }
  if (line.charCodeAt(i) === HASH) {
    info.comment = true;
    info.commentStart = i;
    return info;
  }
  while (line.charCodeAt(i) === DASH && (i + 1 === line.length || line.charCodeAt(i + 1) === SPACE)) {
    info.dashes.push(i);
    i++;
    while (line.charCodeAt(i) === SPACE) i++;
  }
  info.contentStart = i;
  const key = scanKey(line, i);
  let valueFrom = i;
  if (key) {
    info.key = key.text;
    info.keyStart = i;
    info.keyEnd = key.end;
    info.colon = key.colon;
    valueFrom = key.colon + 1;
  }
  while (valueFrom < line.length && (line.charCodeAt(valueFrom) === SPACE || line.charCodeAt(valueFrom) === TAB)) valueFrom++;
  const valueEnd = valueEndOf(line, valueFrom);
  info.valueStart = valueFrom;
  info.valueEnd = valueEnd.end;
  info.value = line.slice(valueFrom, valueEnd.end);
  info.commentStart = valueEnd.comment;
  return info;
}

function isBlankFrom(line: string, from: number): boolean {
  for (let i = from; i < line.length; i++) {
    const code = line.charCodeAt(i);
    if (code !== SPACE && code !== TAB) return false;
  }
  return true;
}

/** A `key:` at `from`: its unquoted text, where the key's text ends, and the colon's column. */
export function scanKey(line: string, from: number): { text: string; end: number; colon: number } | undefined {
  const first = line.charCodeAt(from);
  if (first === DQUOTE || first === SQUOTE) {
    const close = closingQuote(line, from);
    if (close < 0) return undefined;
    let j = close + 1;
    while (line.charCodeAt(j) === SPACE) j++;
    if (line.charCodeAt(j) !== COLON || !endsToken(line, j + 1)) return undefined;
    return { text: unquote(line.slice(from, close + 1)), end: close + 1, colon: j };
  }
  if (first === 123 || first === 91 || first === HASH) return undefined; // `{`, `[`, `#`: no block key here
  for (let j = from; j < line.length; j++) {
    const code = line.charCodeAt(j);
    if (code === HASH && line.charCodeAt(j - 1) === SPACE) return undefined;
    if (code === COLON && endsToken(line, j + 1)) {
      let end = j;
      while (end > from && line.charCodeAt(end - 1) === SPACE) end--;
      return { text: line.slice(from, end), end, colon: j };
    }
  }
  return undefined;
}

function endsToken(line: string, at: number): boolean {
  return at >= line.length || line.charCodeAt(at) === SPACE || line.charCodeAt(at) === TAB;
}

/** The index of the quote closing the string opened at `from`, or -1. */
export function closingQuote(line: string, from: number): number {
  const quote = line.charCodeAt(from);
  for (let j = from + 1; j < line.length; j++) {
    const code = line.charCodeAt(j);
    if (quote === DQUOTE && code === 92) {
      j++;
      continue;
    }
    if (code === quote) {
      if (quote === SQUOTE && line.charCodeAt(j + 1) === SQUOTE) {
        j++;
        continue;
      }
      return j;
    }
  }
  return -1;
}

export function unquote(text: string): string {
  if (text.length >= 2 && text[0] === '"' && text[text.length - 1] === '"') {
    try {
      return JSON.parse(text) as string;
    } catch {
      return text.slice(1, -1);
    }
  }
  if (text.length >= 2 && text[0] === "'" && text[text.length - 1] === "'") return text.slice(1, -1).replaceAll("''", "'");
  return text;
}

function valueEndOf(line: string, from: number): { end: number; comment: number } {
  const first = line.charCodeAt(from);
  let j = from;
  if (first === DQUOTE || first === SQUOTE) {
    const close = closingQuote(line, from);
    j = close < 0 ? line.length : close + 1;
  }
  for (; j < line.length; j++) {
    if (line.charCodeAt(j) === HASH && (j === from || line.charCodeAt(j - 1) === SPACE || line.charCodeAt(j - 1) === TAB)) {
      let end = j;
      while (end > from && (line.charCodeAt(end - 1) === SPACE || line.charCodeAt(end - 1) === TAB)) end--;
      return { end, comment: j };
    }
  }
  let end = line.length;
  while (end > from && (line.charCodeAt(end - 1) === SPACE || line.charCodeAt(end - 1) === TAB)) end--;
  return { end, comment: -1 };
}
