// Where a YAML syntax error is shown. `yaml` places some errors where it noticed them rather than at
// their cause: an unclosed quote or bracket at the end of the text (past the last line), a badly
// indented key at column 1 of its line. A person fixes the token, so the error points at it: the opening
// quote or bracket left unclosed, else the first token at or after the place (on its line), else the
// last token before it.
import { Lexer } from 'yaml';

interface SourceToken {
  start: number;
  text: string;
}

interface YamlError {
  code: string;
  message: string;
  pos: [number, number];
}

/**
 * How many errors are moved to their token: placing one can scan every token, and a text can hold an
 * error per line (an unclosed bracket on each); the rest stay where yaml put them.
 */
const MAX_PLACED = 100;

/** Moves the first errors of `text` to their token. The text is lexed once, however many errors it has. */
export function placeErrors(text: string, errors: YamlError[]): void {
  if (errors.length === 0) return;
  const tokens = sourceTokens(text);
  for (const error of errors.slice(0, MAX_PLACED)) error.pos = errorPlace(text, error, tokens);
}

function errorPlace(text: string, error: YamlError, tokens: SourceToken[]): [number, number] {
  const [from] = error.pos;
  if (error.code === 'MISSING_CHAR' && /quote/i.test(error.message)) {
    const quoted = tokens.filter((token) => token.start <= from && (token.text.startsWith('"') || token.text.startsWith("'"))).at(-1);
    if (quoted) return [quoted.start, quoted.start + firstLine(quoted.text).length];
  }
  if (/end with an? [\]}]/.test(error.message)) {
    const opener = unclosedOpener(tokens, from);
    if (opener) return [opener.start, opener.start + 1];
  }
  if (from < text.length && /\S/.test(text.slice(from, Math.max(error.pos[1], from + 1)))) return error.pos;
  const lineEnd = text.indexOf('\n', from) === -1 ? text.length : text.indexOf('\n', from);
  const after = tokens.find((token) => token.start >= from && token.start < lineEnd && /\S/.test(token.text));
  if (after) return [after.start, after.start + firstLine(after.text).trimEnd().length];
  const before = tokens.filter((token) => token.start < from && /\S/.test(token.text)).at(-1);
  return before ? [before.start, before.start + firstLine(before.text).trimEnd().length] : error.pos;
}

/** The lexer's tokens with their offsets; its control tokens (one character, not in the text) left out. */
function sourceTokens(text: string): SourceToken[] {
  const tokens: SourceToken[] = [];
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    if (token.length === 1 && token < ' ' && token !== '\n' && token !== '\t') continue;
    tokens.push({ start: offset, text: token });
    offset += token.length;
  }
  return tokens;
}

/** The innermost `[` or `{` before `before` that no `]` or `}` closes. */
function unclosedOpener(tokens: SourceToken[], before: number): SourceToken | undefined {
  const open: SourceToken[] = [];
  for (const token of tokens) {
    if (token.start >= before && open.length > 0) break;
    if (token.text === '[' || token.text === '{') open.push(token);
    else if (token.text === ']' || token.text === '}') open.pop();
  }
  return open.at(-1);
}

function firstLine(text: string): string {
  const end = text.indexOf('\n');
  return end === -1 ? text : text.slice(0, end);
}
