/**
 * The texts of a server's definitions, gathered from untrusted JSON within fixed bounds.
 *
 * Every string the agent may read is read for words and characters: the instructions; a tool's
 * name, title, description and annotations.title; every string in its schemas (descriptions,
 * enum values, defaults, examples) and every property name that is not a JSON Schema keyword, since
 * a schema can be poisoned anywhere ("full-schema poisoning": a property named
 * `content_from_reading_ssh_id_rsa`). Keyword values such as `type: "string"` are read for
 * characters only. What is not read within the bounds is reported, never skipped.
 */

import type { Finding } from './findings';
import { quoted, visible } from './visible';

/** Characters of one text read; a longer text is reported and its tail is not read. */
export const FIELD_SCAN_LIMIT = 65_536;
/** Characters read for a whole server; the tools after it are reported as not checked. */
export const SERVER_SCAN_LIMIT = 1_000_000;
/** JSON values visited for a whole server. */
export const SERVER_VALUE_LIMIT = 100_000;
/** Nesting followed inside a tool; deeper values are reported as not checked. */
export const DEPTH_LIMIT = 64;

export interface FieldText {
  /** The tool's name as listed; absent for the server's instructions. */
  tool?: string;
  /** The tool or the instructions, for messages: `tool "read_file"`. */
  owner: string;
  /** Where the text is: 'description', 'inputSchema.properties.path.description', 'instructions'. */
  field: string;
  /** The text read (at most FIELD_SCAN_LIMIT characters of it). */
  text: string;
  /** Read for words (instructions, descriptions, titles) or for characters only. */
  prose: boolean;
  /** What the text is, for the length limits: other strings (names, enum values ...) have none. */
  kind: 'instructions' | 'description' | 'title' | 'schema-text' | 'other';
  /** The text's full length, when it was longer than what was read. */
  fullLength?: number;
}

/** One tool's texts (or the instructions'), in the order found. */
export interface FieldGroup {
  tool?: string;
  definition?: unknown;
  fields: FieldText[];
}

/**
 * The instructions' and each tool's texts. Texts beyond the server's bounds are not returned; an
 * `oversized-description` error for each tool they belong to goes to `findings` instead.
 */
export function collectFields(instructions: unknown, tools: readonly unknown[], findings: Finding[]): FieldGroup[] {
  const budget = { chars: SERVER_SCAN_LIMIT, values: SERVER_VALUE_LIMIT };
  const groups: FieldGroup[] = [];
  if (typeof instructions === 'string') {
    const group: FieldGroup = { fields: [] };
    const owner = "the server's instructions";
    addText(group, { owner, field: 'instructions', prose: true, kind: 'instructions' }, instructions, budget, findings);
    groups.push(group);
  }
  for (let index = 0; index < tools.length; index++) {
    const definition = tools[index];
    const name = toolName(definition, index);
    const group: FieldGroup = { tool: name, definition, fields: [] };
    groups.push(group);
    if (budget.values <= 0 || budget.chars <= 0) {
      findings.push(notChecked(name, '', 'the server listed more than Warden reads'));
      continue;
    }
    new ToolWalk(group, name, budget, findings).tool(definition);
  }
  return groups;
}

/** A tool's name for findings: as listed when it is a string, else its place in the list. */
export function toolName(definition: unknown, index: number): string {
  const name = (definition as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : `#${index + 1}`;
}

interface Budget {
  chars: number;
  values: number;
}

const PROSE_TOOL_KEYS: Record<string, FieldText['kind']> = { title: 'title', description: 'description' };
const SCHEMA_KEYS = new Set(['inputSchema', 'outputSchema']);

class ToolWalk {
  private stopped = false;
  private readonly owner: string;

  constructor(
    private readonly group: FieldGroup,
    private readonly name: string,
    private readonly budget: Budget,
    private readonly findings: Finding[],
  ) {
    this.owner = `tool ${quoted(name)}`;
  }

  tool(definition: unknown): void {
    if (typeof definition !== 'object' || definition === null || Array.isArray(definition)) {
      this.value(definition, 'tool', 1, false);
      return;
    }
    for (const [key, value] of Object.entries(definition)) {
      if (this.stopped) return;
      this.key(key, key);
      const kind = PROSE_TOOL_KEYS[key];
      if (kind !== undefined && typeof value === 'string') {
        this.text(key, value, true, kind);
      } else if (key === 'annotations' && typeof value === 'object' && value !== null) {
        this.object(value, key, 2, false);
      } else {
        this.value(value, key, 1, SCHEMA_KEYS.has(key));
      }
    }
  }

  private value(value: unknown, path: string, depth: number, inSchema: boolean): void {
    if (this.stopped) return;
    if (--this.budget.values < 0) return this.stop(path, `more than ${SERVER_VALUE_LIMIT} values`);
    if (typeof value === 'string') {
      this.text(path, value, !KEYWORD_VALUES.has(lastKey(path)), 'other');
    } else if (typeof value === 'object' && value !== null) {
      if (depth > DEPTH_LIMIT) return this.stop(path, `nested deeper than ${DEPTH_LIMIT} levels`);
      this.object(value, path, depth + 1, inSchema);
    }
  }

  private object(value: object, path: string, depth: number, inSchema: boolean): void {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length && !this.stopped; i++) this.value(value[i], `${path}.${i}`, depth, inSchema);
      return;
    }
    for (const [key, child] of Object.entries(value)) {
      if (this.stopped) return;
      const childPath = `${path}.${visible(key, 80)}`;
      this.key(key, childPath);
      const prose = (key === 'description' || key === 'title') && typeof child === 'string';
      if (prose && (inSchema || path === 'annotations')) {
        const kind = inSchema ? 'schema-text' : 'title';
        this.text(childPath, child as string, true, kind);
      } else {
        this.value(child, childPath, depth, inSchema);
      }
    }
  }

  /** A property name is text the agent reads too; a known keyword needs no reading. */
  private key(key: string, path: string): void {
    if (KEYWORDS.has(key)) return;
    this.text(`${path} (name)`, key, true, 'other');
  }

  private text(field: string, text: string, prose: boolean, kind: FieldText['kind']): void {
    if (this.stopped) return;
    if (!addText(this.group, { tool: this.name, owner: this.owner, field, prose, kind }, text, this.budget, this.findings)) {
      this.stopped = true;
    }
  }

  private stop(field: string, why: string): void {
    this.stopped = true;
    this.findings.push(notChecked(this.name, field, why));
  }
}

/** Adds a text within the budget; false (and a finding) when the server's budget ran out. */
function addText(
  group: FieldGroup,
  place: Omit<FieldText, 'text'>,
  text: string,
  budget: Budget,
  findings: Finding[],
): boolean {
  if (text.length === 0) return true;
  if (budget.chars <= 0) {
    findings.push(notChecked(place.tool, place.field, `more than ${SERVER_SCAN_LIMIT} characters in all`));
    return false;
  }
  const limit = Math.min(FIELD_SCAN_LIMIT, budget.chars);
  budget.chars -= Math.min(text.length, limit);
  if (text.length <= limit) {
    group.fields.push({ ...place, text });
    return true;
  }
  group.fields.push({ ...place, text: text.slice(0, limit), fullLength: text.length });
  const reason = limit < FIELD_SCAN_LIMIT ? `more than ${SERVER_SCAN_LIMIT} characters in all` : undefined;
  findings.push({
    code: 'oversized-description',
    severity: 'error',
    message:
      `${capitalised(place.owner)}: ${place.field} is ${text.length} characters long; only the first ${limit} were checked` +
      (reason ? ` (${reason})` : '') +
      ', and hostile text can hide in the rest',
    ...(place.tool !== undefined ? { tool: place.tool } : {}),
    field: place.field,
    start: limit,
    end: text.length,
    excerpt: visible(text.slice(limit, limit + 40)),
  });
  return reason === undefined;
}

/** The finding for definitions left unread: an error, since a payload would hide exactly there. */
function notChecked(tool: string | undefined, field: string, why: string): Finding {
  const owner = tool === undefined ? "The server's instructions" : `Tool ${quoted(tool)}`;
  return {
    code: 'oversized-description',
    severity: 'error',
    message: `${owner} was not fully checked: ${why}${field ? ` (from ${field} on)` : ''}`,
    ...(tool !== undefined ? { tool } : {}),
    field: field || 'tool',
    start: 0,
    end: 0,
    excerpt: '',
  };
}

export function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** JSON Schema keywords and the tool's own keys: fixed words, never hostile text as names. */
const KEYWORDS = new Set([
  'name', 'title', 'description', 'inputSchema', 'outputSchema', 'annotations', '_meta', 'icons', 'execution',
  'readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint',
  'type', 'properties', 'required', 'items', 'enum', 'const', 'default', 'examples', 'additionalProperties',
  '$schema', '$ref', '$id', '$defs', '$comment', 'definitions', 'anyOf', 'oneOf', 'allOf', 'not', 'minimum', 'maximum',
  'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minLength', 'maxLength', 'pattern', 'format', 'minItems',
  'maxItems', 'uniqueItems', 'prefixItems', 'contains', 'minProperties', 'maxProperties', 'propertyNames',
  'patternProperties', 'dependencies', 'dependentRequired', 'dependentSchemas', 'if', 'then', 'else', 'readOnly',
  'writeOnly', 'deprecated', 'contentEncoding', 'contentMediaType', 'nullable', 'unevaluatedProperties',
  'unevaluatedItems', 'src', 'mimeType', 'sizes', 'taskSupport',
]);

/** Keyword values that are fixed words or syntax: read for characters, not words. */
const KEYWORD_VALUES = new Set(['type', '$schema', '$ref', '$id', 'format', 'pattern', 'contentEncoding', 'contentMediaType', 'mimeType', 'src', 'sizes']);

function lastKey(path: string): string {
  return path.slice(path.lastIndexOf('.') + 1);
}
