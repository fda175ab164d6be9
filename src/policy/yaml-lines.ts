// The lines of a text for the fast YAML reader: where each starts, its indentation and what it holds,
// and where a node's trailing comments end as the `yaml` package counts them.

const NEWLINE = 10;
const RETURN = 13;
const HASH = 35;

// What a line holds, after its indentation.
const CONTENT = 0;
const BLANK = 1;
const COMMENT = 2;

export class LineIndex {
  /** Offset of each line's first character; one more entry when the text ends with a newline. */
  readonly starts: number[] = [];
  readonly indents: number[] = [];
  readonly kinds: number[] = [];
  readonly lineCount: number;
  /** 2 when lines end with CR LF. */
  readonly newlineLength: number;

  constructor(private readonly text: string) {
    const length = text.length;
    for (let start = 0; start < length; ) {
      let i = start;
      while (text.charCodeAt(i) === 32) i++;
      const c = text.charCodeAt(i);
      this.starts.push(start);
      this.indents.push(i - start);
      this.kinds.push(i >= length || c === NEWLINE || c === RETURN ? BLANK : c === HASH ? COMMENT : CONTENT);
      const newline = text.indexOf('\n', i);
      start = newline === -1 ? length : newline + 1;
    }
    this.lineCount = this.starts.length;
    if (length === 0 || text.charCodeAt(length - 1) === NEWLINE) this.starts.push(length);
    this.newlineLength = text.includes('\r') ? 2 : 1;
  }

  /** Offset of the line's end (its line break, or the end of the text). */
  endOf(line: number): number {
    const next = this.starts[line + 1];
    return next === undefined ? this.text.length : next - this.newlineLength;
  }

  /** Offset just past the line's newline. */
  afterLine(line: number): number {
    return this.starts[line + 1] ?? this.text.length;
  }

  indentOf(line: number): number {
    return this.indents[line]!;
  }

  /** The character at a column of a line; "\n" past its end. */
  charAt(line: number, column: number): string {
    const at = this.starts[line]! + column;
    return at < this.endOf(line) ? this.text[at]! : '\n';
  }

  /** A line with nothing but spaces (or nothing). */
  isBlank(line: number): boolean {
    return this.kinds[line] === BLANK;
  }

  /** A line with nothing but spaces, or a comment. */
  isTrivia(line: number): boolean {
    return this.kinds[line] !== CONTENT;
  }

  isComment(line: number): boolean {
    return this.kinds[line] === COMMENT;
  }

  /** The first line from `from` on that has content (`lineCount` when none). */
  nextContentLine(from: number): number {
    let line = from;
    while (line < this.lineCount && this.kinds[line] !== CONTENT) line++;
    return line;
  }

  /** A line at column 0 starting with `---` or `...`. */
  isDocumentMarker(line: number): boolean {
    if (line >= this.lineCount || this.indents[line] !== 0) return false;
    const at = this.starts[line]!;
    const c = this.text.charCodeAt(at);
    return (c === 45 || c === 46) && this.text.charCodeAt(at + 1) === c && this.text.charCodeAt(at + 2) === c;
  }

  /**
   * Where a node's trailing comments end (`range[2]` in `yaml`). A scalar or flow value takes the comment
   * lines after its line that are indented deeper than its parent (`deeper`), up to the first that is not. A
   * block collection followed by any comment line indented at least as far as it reaches to the next
   * content (or the end of the text).
   */
  commentEnd(line: number, end: number, indent: number, deeper: boolean): number {
    let next = line + 1;
    let reaches = false;
    for (; next < this.lineCount && this.isTrivia(next); next++) {
      if (!this.isComment(next)) continue;
      const indented = this.indentOf(next);
      if (deeper) {
        if (indented <= indent) break;
        end = this.afterLine(next);
      } else if (indented >= indent) {
        reaches = true;
      }
    }
    if (!reaches) return end;
    return next < this.lineCount ? this.starts[next]! + this.indentOf(next) : this.text.length;
  }


  /** The line an offset falls in; an offset at a line's start counts for the line before (the one it ends). */
  lineOf(offset: number): number {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.starts[mid]! < offset) low = mid;
      else high = mid - 1;
    }
    return low;
  }}
