// What an approval shows must be what it approves, character for character. JSON's own escapes make
// quotes, backslashes and C0 controls visible; this also escapes, as JSON `\uXXXX` escapes, every
// character a reader cannot see for what it is: DEL and C1 controls, format characters (bidi overrides
// and isolates, zero-width spaces and joiners, the byte-order mark, tag characters), line and paragraph
// separators, lone surrogates, private-use and unassigned code points, variation selectors, every
// whitespace but the plain space, and combining marks stacked beyond two (they paint over neighbouring
// lines). The result is still JSON and means the same value. Pure: imports nothing.

const HIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Variation_Selector}]|[^\S ]|(?<=\p{M}\p{M})\p{M}/gu;

function escapeCharacter(character: string): string {
  let escaped = '';
  for (let i = 0; i < character.length; i++) escaped += `\\u${character.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return escaped;
}

/** `text` with every hidden character written as its escape (a backslash stays a backslash). */
export function visibleText(text: string): string {
  return text.replace(HIDDEN, escapeCharacter);
}

/** A string as a JSON string literal, quotes included, with every hidden character escaped. */
export function visibleString(text: string): string {
  return visibleText(JSON.stringify(text));
}

/** A name (a tool's, a server's) as the inside of its JSON string: hidden characters, quotes and backslashes escaped. */
export function visibleName(text: string): string {
  return visibleString(text).slice(1, -1);
}

/**
 * A value as indented JSON in which every string (keys included) shows every character; the only raw
 * line breaks are the ones between members. Undefined when the value cannot be written as JSON
 * (nested too deep for the serialiser, a cycle, a BigInt).
 */
export function visibleJson(value: unknown, indent = 2): string | undefined {
  let json: string | undefined;
  try {
    json = JSON.stringify(value, null, indent);
  } catch {
    return undefined;
  }
  // Every line break inside a string is already `\n`; a raw one separates members.
  return json === undefined ? undefined : json.replace(HIDDEN, (character) => (character === '\n' ? character : escapeCharacter(character)));
}

/** Columns after which a prompt line counts as one more line (a prompt that does not wrap needs scrolling sideways). */
export const LINE_COLUMNS = 120;

/** How much reading `text` takes: its characters, and its lines with long lines counted per LINE_COLUMNS. */
export function readingSize(text: string): { characters: number; lines: number } {
  let lines = 0;
  for (const line of text.split('\n')) lines += Math.max(1, Math.ceil(line.length / LINE_COLUMNS));
  return { characters: text.length, lines };
}
