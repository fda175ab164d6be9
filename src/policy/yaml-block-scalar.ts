// Block scalars (`reason: |` then indented lines) for the fast YAML reader: literal and folded, with
// clip, strip or keep chomping, as the `yaml` package reads them. The rarer forms — an indentation
// indicator, spaces on blank lines, a folded block with more-indented lines, kept trailing blank lines —
// answer `undefined`, and are left to `yaml`.
import type { LineIndex } from './yaml-lines';

export interface BlockScalar {
  value: string;
  type: 'BLOCK_LITERAL' | 'BLOCK_FOLDED';
  /** Offset past the scalar's last content line (its range's end). */
  end: number;
  /** The scalar's last content line. */
  lastLine: number;
}

/** The block scalar whose header (`|`, `>`, `|-`, `>+`, …) is at `at` on `headerLine`, under a node indented `parentIndent`. */
export function readBlockScalar(lines: LineIndex, text: string, at: number, headerLine: number, parentIndent: number): BlockScalar | undefined {
  const folded = text[at] === '>';
  let i = at + 1;
  const chomp = text[i] === '-' ? 'strip' : text[i] === '+' ? 'keep' : 'clip';
  if (chomp !== 'clip') i++;
  const headerEnd = lines.endOf(headerLine);
  let j = i;
  while (j < headerEnd && text.charCodeAt(j) === 32) j++;
  if (j < headerEnd && !(text[j] === '#' && j > i)) return undefined; // an indentation indicator, or text

  const content: string[] = [];
  let indent = -1;
  let lastLine = -1;
  let line = headerLine + 1;
  for (; line < lines.lineCount; line++) {
    if (lines.isBlank(line)) {
      if (lines.indentOf(line) > 0) return undefined; // spaces on a blank line: they may be content
      content.push('');
      continue;
    }
    const lineIndent = lines.indentOf(line);
    if (indent < 0) {
      if (lineIndent <= parentIndent) break;
      indent = lineIndent;
    }
    if (lineIndent < indent) break;
    content.push(text.slice(lines.starts[line]! + indent, lines.endOf(line)));
    lastLine = line;
  }
  if (lastLine < 0) return undefined; // an empty block scalar
  const trailing = line - 1 - lastLine;
  const body = content.slice(0, content.length - trailing);
  if (chomp === 'keep' && trailing > 0) return undefined;

  let value: string;
  if (folded) {
    if (body[0] === '' || body.some((l) => l.startsWith(' '))) return undefined; // leading blank or more-indented lines
    value = '';
    let blanks = 0;
    for (const [k, l] of body.entries()) {
      if (l === '') {
        blanks++;
        continue;
      }
      if (k > 0) value += blanks > 0 ? '\n'.repeat(blanks) : ' ';
      value += l;
      blanks = 0;
    }
  } else {
    value = body.join('\n');
  }
  if (chomp !== 'strip') value += '\n';
  return { value, type: folded ? 'BLOCK_FOLDED' : 'BLOCK_LITERAL', end: lines.afterLine(lastLine), lastLine };
}
