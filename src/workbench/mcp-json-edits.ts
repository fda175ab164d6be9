// Takes a server's entry out of an mcp.json text and puts it back, touching nothing else: comments,
// order and formatting of the rest of the file stay as they were. Removal takes the entry's own lines
// (and the comment lines right above it) and records what it removed, so putting the entry back into
// an unchanged file gives the original text byte for byte; into a changed file, the entry is written
// fresh after the server that preceded it.
import { getNodeValue, modify, applyEdits, parseTree, type Node, type ParseError } from 'jsonc-parser';
import type { LaunchEntry } from './launch-entry';

/** One removed stretch of text, at its offset in the text it was removed from. */
export interface Splice {
  offset: number;
  removed: string;
}

/** What removal took out, enough to undo it exactly. */
export interface RemovedEntry {
  name: string;
  value: LaunchEntry;
  /** In ascending offset order. */
  splices: Splice[];
  /** The file right after the removal: undo is exact while the file still reads so. */
  after: string;
  /** The server declared before this one, if any: where a fresh entry goes back. */
  previous?: string;
}

export class McpJsonEditError extends Error {
  override name = 'McpJsonEditError';
}

const PARSE_OPTIONS = { allowTrailingComma: true, disallowComments: false };

/** The entry of `name` as a plain value, or undefined when the file does not declare it. */
export function readServerEntry(text: string, name: string): LaunchEntry | undefined {
  const found = locate(text, name, false);
  return found?.property ? entryValue(found.property) : undefined;
}

/** Removes the entry of `name`; throws McpJsonEditError when the file cannot be read or has no such entry. */
export function removeServerEntry(text: string, name: string): { text: string; removed: RemovedEntry } {
  const found = locate(text, name, true);
  const property = found?.property;
  if (!found || !property) throw new McpJsonEditError(`The file declares no server "${name}".`);
  const { servers } = found;
  const siblings = servers.children!;
  const index = siblings.indexOf(property);
  const previous = siblings[index - 1];
  const next = siblings[index + 1];
  const value = entryValue(property);

  const splices = lineSplices(text, property, previous, servers) ?? inlineSplices(text, property, previous, next, servers);
  let after = text;
  for (const splice of [...splices].reverse()) after = after.slice(0, splice.offset) + after.slice(splice.offset + splice.removed.length);
  const removed: RemovedEntry = { name, value, splices, after };
  const previousName = previous?.children?.[0]?.value;
  if (typeof previousName === 'string') removed.previous = previousName;
  return { text: after, removed };
}

/**
 * Puts the entry of `name` back. With `removed` from the removal of the same value and a file that has not
 * changed since, the original text comes back exactly; otherwise the entry is written after the server that
 * preceded it (or last), indented like its siblings.
 */
export function restoreServerEntry(text: string, name: string, value: LaunchEntry, removed?: RemovedEntry): string {
  if (removed && removed.name === name && removed.after === text && sameValue(removed.value, value)) {
    let restored = text;
    for (const splice of removed.splices) restored = restored.slice(0, splice.offset) + splice.removed + restored.slice(splice.offset);
    return restored;
  }
  const found = locate(text, name, true);
  if (found?.property) throw new McpJsonEditError(`The file already declares a server "${name}".`);
  if (!found) return addServersObject(text, name, value);
  return insertEntry(text, found.servers, name, value, removed?.previous);
}

// ---- finding ----

function locate(text: string, name: string, strict: boolean): { servers: Node; property: Node | undefined } | undefined {
  if (text.trim() === '') return undefined;
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, PARSE_OPTIONS);
  if (strict && errors.length > 0) throw new McpJsonEditError('The file has JSON syntax errors; fix them first so nothing is rewritten from a guess.');
  if (strict && root?.type !== 'object') throw new McpJsonEditError('The file is not a JSON object.');
  // VS Code's key is `servers`; other clients (and older files) use `mcpServers`.
  const servers = propertyValue(root, 'servers') ?? propertyValue(root, 'mcpServers');
  if (!servers) return undefined;
  if (servers.type !== 'object') {
    if (strict) throw new McpJsonEditError('"servers" is not an object.');
    return undefined;
  }
  const property = servers.children?.find((child) => child.children?.[0]?.value === name);
  return { servers, property };
}

function propertyValue(node: Node | undefined, key: string): Node | undefined {
  if (node?.type !== 'object') return undefined;
  return node.children?.find((child) => child.children?.[0]?.value === key)?.children?.[1];
}

// ---- removing ----

/**
 * The entry's whole lines, with the comment lines right above it and a trailing comment, when the entry
 * stands on lines of its own; plus the comma before it when it was the last entry. Undefined otherwise.
 */
function lineSplices(text: string, property: Node, previous: Node | undefined, servers: Node): Splice[] | undefined {
  const keyStart = property.offset;
  let start = lineStartOf(text, keyStart);
  if (text.slice(start, keyStart).trim() !== '') return undefined;
  const floor = previous ? previous.offset + previous.length : servers.offset + 1;
  // Take the `//` comment lines directly above, but never a line that holds the previous entry's end.
  while (start > floor) {
    const above = lineStartOf(text, start - 1);
    if (above < floor || !text.slice(above, start).trim().startsWith('//')) break;
    start = above;
  }
  let end = property.offset + property.length;
  end = skipSpaces(text, end);
  const hadComma = text[end] === ',';
  if (hadComma) end = skipSpaces(text, end + 1);
  if (text.startsWith('//', end)) end = text.indexOf('\n', end) === -1 ? text.length : text.indexOf('\n', end);
  if (text[end] === '\r' && text[end + 1] === '\n') end += 2;
  else if (text[end] === '\n') end += 1;
  else if (end < text.length) return undefined; // something else (another entry, the closing brace) shares the line
  const splices: Splice[] = [];
  if (!hadComma && previous) {
    // The entry was the last one: the comma after the previous entry goes too.
    const comma = skipSpaces(text, previous.offset + previous.length);
    if (text[comma] === ',') splices.push({ offset: comma, removed: ',' });
  }
  splices.push({ offset: start, removed: text.slice(start, end) });
  return splices;
}

/** For entries that share lines with others: the entry and one comma, as a JSON editor would remove them. */
function inlineSplices(text: string, property: Node, previous: Node | undefined, next: Node | undefined, servers: Node): Splice[] {
  let start: number;
  let end = property.offset + property.length;
  if (previous) start = previous.offset + previous.length;
  else if (next) {
    start = property.offset;
    end = next.offset;
  } else {
    start = servers.offset + 1;
    end = servers.offset + servers.length - 1;
  }
  return [{ offset: start, removed: text.slice(start, end) }];
}

// ---- inserting ----

function insertEntry(text: string, servers: Node, name: string, value: LaunchEntry, previousName: string | undefined): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const siblings = servers.children ?? [];
  const unit = indentUnit(text);
  const serversIndent = indentOfLine(text, servers.parent?.offset ?? servers.offset);
  const childIndent = siblings.length > 0 ? indentOfLine(text, siblings[0].offset) : serversIndent + unit;
  const entry = `${JSON.stringify(name)}: ${JSON.stringify(value, null, unit).split('\n').join(eol + childIndent)}`;

  if (siblings.length === 0) {
    const open = servers.offset + 1;
    const close = servers.offset + servers.length - 1;
    if (text.slice(open, close).trim() === '') return text.slice(0, open) + eol + childIndent + entry + eol + serversIndent + text.slice(close);
    return text.slice(0, open) + eol + childIndent + entry + text.slice(open);
  }
  const anchor = siblings.find((child) => child.children?.[0]?.value === previousName) ?? siblings[siblings.length - 1];
  const anchorEnd = anchor.offset + anchor.length;
  const comma = skipSpaces(text, anchorEnd);
  if (text[comma] === ',') {
    // The anchor is followed by a comma (a next entry, or a trailing comma): the new entry keeps one too.
    const lineEnd = endOfLineAfterComment(text, comma + 1);
    return text.slice(0, lineEnd) + eol + childIndent + entry + ',' + text.slice(lineEnd);
  }
  return text.slice(0, anchorEnd) + ',' + eol + childIndent + entry + text.slice(anchorEnd);
}

/** A file without a `servers` object gets one (an empty file becomes `{ "servers": { ... } }`). */
function addServersObject(text: string, name: string, value: LaunchEntry): string {
  const unit = indentUnit(text);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const formattingOptions = { insertSpaces: !unit.startsWith('\t'), tabSize: unit.startsWith('\t') ? 4 : unit.length, eol };
  const source = text.trim() === '' ? '{}' : text;
  return applyEdits(source, modify(source, ['servers'], { [name]: value }, { formattingOptions }));
}

// ---- text geometry ----

function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function indentOfLine(text: string, offset: number): string {
  const start = lineStartOf(text, offset);
  return /^[ \t]*/.exec(text.slice(start))![0];
}

/** The file's indentation step: the indentation of its first indented line; two spaces when none is. */
function indentUnit(text: string): string {
  const match = /\n([ \t]+)\S/.exec(text);
  return match ? match[1] : '  ';
}

function skipSpaces(text: string, offset: number): number {
  let at = offset;
  while (at < text.length && (text[at] === ' ' || text[at] === '\t')) at++;
  return at;
}

/** The end of the line that `offset` is on, past a `//` comment but before the line break. */
function endOfLineAfterComment(text: string, offset: number): number {
  const at = skipSpaces(text, offset);
  if (!text.startsWith('//', at) && text[at] !== '\r' && text[at] !== '\n') return offset;
  const newline = text.indexOf('\n', at);
  if (newline === -1) return text.length;
  return text[newline - 1] === '\r' ? newline - 1 : newline;
}

/** The entry as plain JSON data (jsonc-parser builds objects without a prototype). */
function entryValue(property: Node): LaunchEntry {
  return JSON.parse(JSON.stringify(getNodeValue(property.children![1]))) as LaunchEntry;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
