// Writes and removes a server's `launch` entry in a policy file, keeping every other byte as it was.
// The entry is written in block style in the order of the mcp.json entry it came from; lists are written
// in flow style (`args: ["-y", "pkg"]`), which reads like the JSON they came from.
import { isMap, stringify } from 'yaml';
import { renderKey, YamlEditError, YamlText } from '../policy/yaml-splice';
import type { LaunchEntry } from './launch-entry';

const RESERVED_WORD = /^(?:true|false|null|yes|no|on|off|y|n|~)$/i;

/** Sets `servers.<server>.launch` to `entry` (first among the server's keys), replacing any launch entry it had. */
export function setServerLaunch(text: string, server: string, entry: LaunchEntry): string {
  if (Object.keys(entry).length === 0) throw new YamlEditError(`The entry of "${server}" is empty: it needs a command or a url.`);
  const path = ['servers', server, 'launch'];
  const withoutOld = YamlText.parse(text).findPair(path) ? YamlText.parse(text).removeIn(path) : text;
  // Let the splicer place a `launch: 0` line (creating the server, and `servers:`, as needed), then
  // replace the placeholder with the whole entry at the indentation the splicer chose.
  const placeholder = YamlText.parse(withoutOld).setIn(path, 0, 'first');
  const source = YamlText.parse(placeholder);
  const pair = source.findPair(path);
  const serverMap = source.findMap(['servers', server]);
  if (!pair || !serverMap) throw new Error(`Writing the launch entry of "${server}" did not take; the file was left unchanged.`);
  if (serverMap.flow) {
    const [start, end] = (pair.value as { range: [number, number, number] }).range;
    return checked(placeholder.slice(0, start) + renderFlow(entry) + placeholder.slice(end));
  }
  const keyStart = (pair.key as { range: [number, number, number] }).range[0];
  const lineStart = placeholder.lastIndexOf('\n', keyStart - 1) + 1;
  const column = keyStart - lineStart;
  const lines = [`${' '.repeat(column)}launch:`, ...renderBlock(entry, column + source.indentStep, source.indentStep)].join(source.eol);
  return checked(placeholder.slice(0, lineStart) + lines + placeholder.slice(endOfLine(placeholder, keyStart)));
}

/** Removes `servers.<server>.launch` (a no-op when there is none); the server's other keys stay. */
export function removeServerLaunch(text: string, server: string): string {
  return YamlText.parse(text).removeIn(['servers', server, 'launch']);
}

function renderBlock(map: Record<string, unknown>, column: number, step: number): string[] {
  const pad = ' '.repeat(column);
  const lines: string[] = [];
  for (const [key, value] of Object.entries(map)) {
    if (value === undefined) continue;
    const head = `${pad}${renderKey(key)}:`;
    if (isPlainObject(value) && Object.keys(value).length > 0) lines.push(head, ...renderBlock(value, column + step, step));
    else lines.push(`${head} ${isPlainObject(value) || Array.isArray(value) ? renderFlow(value) : blockScalar(value)}`);
  }
  return lines;
}

/** A value on one line: lists and maps in flow style, strings always double-quoted (JSON is valid YAML here). */
function renderFlow(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(renderFlow).join(', ')}]`;
  if (isPlainObject(value)) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return entries.length === 0 ? '{}' : `{ ${entries.map(([k, v]) => `${renderKey(k)}: ${renderFlow(v)}`).join(', ')} }`;
  }
  return JSON.stringify(value ?? null);
}

/** A scalar after `key: ` in block context: plain when yaml would write it so, else double-quoted. */
function blockScalar(value: unknown): string {
  if (typeof value !== 'string') return JSON.stringify(value ?? null);
  const written = stringify(value, { lineWidth: 0, minContentWidth: 0 }).replace(/\n$/, '');
  if (written.includes('\n') || RESERVED_WORD.test(written) || written.startsWith('|') || written.startsWith('>')) return JSON.stringify(value);
  return written;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function endOfLine(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  if (newline === -1) return text.length;
  return text[newline - 1] === '\r' ? newline - 1 : newline;
}

/** Every edit must leave a parsable file whose launch is a map; anything else is a bug, not a user error. */
function checked(text: string): string {
  const source = YamlText.parse(text);
  if (!isMap(source.doc.contents)) throw new Error('Writing the launch entry produced a file without a top-level map; the file was left unchanged.');
  return text;
}
