/**
 * `ansi-escape` (error): terminal escape sequences and control characters in any text of the
 * definitions. In a terminal they hide, overwrite or recolour text (ESC[8m conceals; a bare carriage
 * return or backspaces overwrite), so what a person reviews differs from what the agent reads; OSC
 * sequences also set titles and hyperlinks.
 *
 * One finding covers a whole sequence: ESC followed by a CSI (`[` parameters, a final byte), an OSC,
 * DCS, SOS, PM or APC string (up to BEL or ESC \), or a single character; the 8-bit forms U+009B
 * (CSI) and U+009D (OSC) likewise. Any other C0 or C1 control character except tab, line feed and
 * a carriage return before a line feed is a finding of its own.
 */

import type { Finding } from '../findings';
import type { FieldText } from '../fields';
import { FieldFindings, finding, type Detector } from './detector';

/** A sequence longer than this ends the finding; the rest is read as text again. */
const SEQUENCE_LIMIT = 512;

const ESC = 0x1b;
const BEL = 0x07;

export const ansiEscapes: Detector = (field: FieldText, _context, out: Finding[]) => {
  const text = field.text;
  const found = new FieldFindings(out);
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (!isControl(code) || code === 0x09 || code === 0x0a || (code === 0x0d && text.charCodeAt(i + 1) === 0x0a)) {
      i++;
      continue;
    }
    const end = code === ESC || code === 0x9b || code === 0x9d || code === 0x90 || code === 0x98 || code === 0x9e || code === 0x9f
      ? sequenceEnd(text, i)
      : i + 1;
    found.add('error', () => finding(field, 'ansi-escape', 'error', i, end, describe(code, i, end)));
    i = end;
  }
  found.finish();
};

function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

/** The end of the escape sequence starting at `start` (exclusive), bounded by SEQUENCE_LIMIT. */
function sequenceEnd(text: string, start: number): number {
  const limit = Math.min(text.length, start + SEQUENCE_LIMIT);
  let i = start;
  let introducer = text.charCodeAt(i);
  if (introducer === ESC) {
    if (i + 1 >= text.length) return i + 1;
    const next = text.charCodeAt(i + 1);
    if (next === 0x5b) introducer = 0x9b; // ESC [ = CSI
    else if (next === 0x5d) introducer = 0x9d; // ESC ] = OSC
    else if (next === 0x50 || next === 0x58 || next === 0x5e || next === 0x5f) introducer = 0x90; // DCS SOS PM APC
    else return i + 2; // ESC and one character (ESC c resets the terminal, ESC 7 saves the cursor ...)
    i += 2;
  } else {
    i += 1;
  }
  if (introducer === 0x9b) {
    // CSI: parameter and intermediate bytes 0x20-0x3F, then one final byte 0x40-0x7E.
    while (i < limit) {
      const c = text.charCodeAt(i);
      if (c >= 0x40 && c <= 0x7e) return i + 1;
      if (c < 0x20 || c > 0x3f) return i;
      i++;
    }
    return i;
  }
  // A string: up to BEL, ESC \ or ST (U+009C).
  while (i < limit) {
    const c = text.charCodeAt(i);
    if (c === BEL || c === 0x9c) return i + 1;
    if (c === ESC && text.charCodeAt(i + 1) === 0x5c) return i + 2;
    i++;
  }
  return i;
}

function describe(code: number, start: number, end: number): string {
  if (end - start > 1 || code === ESC || code === 0x9b || code === 0x9d) {
    return `a terminal escape sequence, which can hide, overwrite or restyle text when shown in a terminal`;
  }
  if (code === 0x0d) return 'a carriage return not followed by a line feed, which makes a terminal overwrite the line';
  if (code === 0x08) return 'a backspace, which makes a terminal erase the character before it';
  return `the control character U+${code.toString(16).toUpperCase().padStart(4, '0')}, which has no place in a definition`;
}
