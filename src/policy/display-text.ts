// Short text for a person to read in a prompt: values written by whoever edited the file (a command
// line, an environment) are shown on one line, without control characters, and cut to a bounded length.

const MAX_CHARS = 120;

export function displayText(text: string, max = MAX_CHARS): string {
  // eslint-disable-next-line no-control-regex
  const oneLine = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g, ' ').trim();
  const chars = Array.from(oneLine);
  return chars.length <= max ? oneLine : `${chars.slice(0, max - 1).join('')}…`;
}
