// A JSON Schema `pattern` (ECMA-262 syntax, as ajv compiles it: flag `u`) rewritten for RE2, the
// linear-time engine `args` schemas are matched with, so that it matches exactly the same strings.
// Constructs RE2 cannot run in linear time (backreferences, lookaround) are refused by name.

export type Re2Translation = { ok: true; source: string } | { ok: false; problem: string };

// ECMA-262's \s: WhiteSpace and LineTerminator (RE2's \s is only [\t\n\f\r ]).
const SPACE_RANGES: [number, number][] = [
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
];
// ECMA-262's `.` without the `s` flag: anything but a line terminator (RE2's `.` excludes only \n).
const LINE_TERMINATORS: [number, number][] = [
  [0x0a, 0x0a],
  [0x0d, 0x0d],
  [0x2028, 0x2029],
];
const MAX_CODE_POINT = 0x10ffff;

const hex = (c: number) => `\\x{${c.toString(16)}}`;
const rangesText = (ranges: [number, number][]) => ranges.map(([a, b]) => (a === b ? hex(a) : `${hex(a)}-${hex(b)}`)).join('');

function complement(ranges: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  let next = 0;
  for (const [a, b] of ranges) {
    if (a > next) out.push([next, a - 1]);
    next = b + 1;
  }
  if (next <= MAX_CODE_POINT) out.push([next, MAX_CODE_POINT]);
  return out;
}

const SPACE = rangesText(SPACE_RANGES);
const NOT_SPACE = rangesText(complement(SPACE_RANGES));
const ANY_BUT_LINE_TERMINATOR = `[^${rangesText(LINE_TERMINATORS)}]`;

const isHex = (s: string) => /^[0-9a-fA-F]+$/.test(s);

/**
 * `source` in RE2 syntax with the meaning ECMA-262 gives it under the `u` flag, or the construct that
 * keeps it from being matched in linear time. `source` must already be a valid `u` regular expression.
 */
export function toRe2(source: string): Re2Translation {
  let out = '';
  let inClass = false;
  let i = 0;
  const refuse = (construct: string): Re2Translation => ({ ok: false, problem: `uses ${construct}, which linear-time matching (RE2) does not support` });

  while (i < source.length) {
    const ch = source[i]!;
    if (ch === '\\') {
      const escape = readEscape(source, i, inClass);
      if ('refused' in escape) return refuse(escape.refused);
      out += escape.text;
      i = escape.end;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      out += ch === '[' ? '\\[' : ch; // RE2 reads `[:` inside a class as a POSIX class
      i++;
      continue;
    }
    if (ch === '[') {
      // ECMA-262's `[]` matches nothing and `[^]` anything; RE2 reads a `]` right after `[` or `[^` as a literal.
      if (source.startsWith('[]', i)) {
        out += `[^\\x{0}-${hex(MAX_CODE_POINT)}]`;
        i += 2;
        continue;
      }
      if (source.startsWith('[^]', i)) {
        out += `[\\x{0}-${hex(MAX_CODE_POINT)}]`;
        i += 3;
        continue;
      }
      inClass = true;
      out += source.startsWith('[^', i) ? '[^' : '[';
      i += source.startsWith('[^', i) ? 2 : 1;
      continue;
    }
    if (ch === '.') {
      out += ANY_BUT_LINE_TERMINATOR;
      i++;
      continue;
    }
    if (ch === '(' && source[i + 1] === '?') {
      const rest = source.slice(i + 2);
      if (rest.startsWith('=')) return refuse('a lookahead (?=…)');
      if (rest.startsWith('!')) return refuse('a negative lookahead (?!…)');
      if (rest.startsWith('<=')) return refuse('a lookbehind (?<=…)');
      if (rest.startsWith('<!')) return refuse('a negative lookbehind (?<!…)');
      if (rest.startsWith('<')) {
        out += '(?P<';
        i += 3;
        continue;
      }
      if (!rest.startsWith(':')) return refuse('inline modifiers (?…:…)');
    }
    const cp = source.codePointAt(i)!;
    const char = String.fromCodePoint(cp);
    out += char;
    i += char.length;
  }
  return { ok: true, source: out === '' ? '(?:)' : out };
}

type Escape = { text: string; end: number } | { refused: string };

/** The escape at `at` (a backslash) in RE2 syntax. */
function readEscape(source: string, at: number, inClass: boolean): Escape {
  const next = source[at + 1] ?? '';
  const end = at + 2;
  switch (next) {
    case 's':
      return { text: inClass ? SPACE : `[${SPACE}]`, end };
    case 'S':
      return { text: inClass ? NOT_SPACE : `[^${SPACE}]`, end };
    case 'b':
      return { text: inClass ? hex(8) : '\\b', end }; // [\b] is a backspace
    case 'd':
    case 'D':
    case 'w':
    case 'W':
    case 'B':
    case 'n':
    case 'r':
    case 't':
    case 'f':
    case 'v':
      return { text: `\\${next}`, end };
    case 'c':
      return { text: hex(source.charCodeAt(at + 2) % 32), end: at + 3 };
    case '0':
      return { text: hex(0), end };
    case 'k':
      return { refused: `a backreference (${source.slice(at, source.indexOf('>', at) + 1)})` };
    case 'x':
      return { text: hex(parseInt(source.slice(at + 2, at + 4), 16)), end: at + 4 };
    case 'u':
      return unicodeEscape(source, at);
    case 'p':
    case 'P': {
      const close = source.indexOf('}', at);
      const body = source.slice(at + 3, close);
      // ECMA-262 spells a script `Script=Greek` or `sc=Greek` and a category `General_Category=L`; RE2 just `Greek`, `L`.
      const name = body.replace(/^(Script|sc|General_Category|gc)=/, '');
      return { text: `\\${next}{${name}}`, end: close + 1 };
    }
    default:
      if (next >= '1' && next <= '9') {
        const digits = /^[0-9]+/.exec(source.slice(at + 1))![0];
        return { refused: `a backreference (\\${digits})` };
      }
      return { text: `\\${next}`, end }; // an escaped syntax character (`\.`, `\/`, `\-`, …)
  }
}

/** `\uXXXX` (two of them for a surrogate pair, which `u` reads as one code point) or `\u{X…}`. */
function unicodeEscape(source: string, at: number): Escape {
  if (source[at + 2] === '{') {
    const close = source.indexOf('}', at);
    return { text: hex(parseInt(source.slice(at + 3, close), 16)), end: close + 1 };
  }
  const high = parseInt(source.slice(at + 2, at + 6), 16);
  const low = source.slice(at + 6, at + 8) === '\\u' && isHex(source.slice(at + 8, at + 12)) ? parseInt(source.slice(at + 8, at + 12), 16) : -1;
  if (high >= 0xd800 && high <= 0xdbff && low >= 0xdc00 && low <= 0xdfff) {
    return { text: hex(0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00)), end: at + 12 };
  }
  return { text: hex(high), end: at + 6 };
}
