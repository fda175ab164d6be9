// Plain and double-quoted scalars of one line, resolved as the `yaml` package does for YAML 1.2's core
// schema. What is left to `yaml` (octal, hex, infinity, NaN, rarer escapes) answers `undefined`.

const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT = /^[-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const OTHER_NUMBER = /^(?:0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const DOUBLE_QUOTE_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', n: '\n', t: '\t' };

/** A plain scalar's value: null, a boolean, a number or the string itself; `undefined` when left to `yaml`. */
export function resolvePlain(source: string): unknown {
  if (NULL.test(source)) return null;
  if (BOOL.test(source)) return source[0] === 't' || source[0] === 'T';
  const c = source.charCodeAt(0);
  if ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46) {
    // digits, +, - or .
    if (INT.test(source)) return parseInt(source, 10);
    if (FLOAT.test(source) || FLOAT_EXP.test(source)) return parseFloat(source);
    if (OTHER_NUMBER.test(source)) return undefined;
  }
  return source;
}

/** The text between a double-quoted scalar's quotes, unescaped; `undefined` for an escape left to `yaml`. */
export function unescapeDoubleQuoted(inner: string): string | undefined {
  if (!inner.includes('\\')) return inner;
  let known = true;
  const value = inner.replace(/\\(.)/g, (_, c: string) => {
    const replacement = DOUBLE_QUOTE_ESCAPES[c];
    if (replacement === undefined) known = false;
    return replacement ?? '';
  });
  return known ? value : undefined;
}
