// "Try a call…": the form for a tool's arguments, built from its input schema, and the arguments a
// filled-in form gives. Strings, numbers, integers, booleans and enums get a field of their own; any
// other property (objects, arrays, unions) is written as JSON. The schema comes from the server, which
// may be hostile: nothing here trusts its shape, and the page escapes every name and word of it.

export type FieldKind = 'string' | 'number' | 'integer' | 'boolean' | 'enum' | 'json';

export interface FormField {
  name: string;
  kind: FieldKind;
  required: boolean;
  description?: string;
  /** For `enum`: each value as JSON, the option's value and label. */
  options?: string[];
  /** A starting value from the schema's `default`, as the field shows it (JSON for `json` and `enum`). */
  initial?: string | boolean;
  /** The one field of a form that takes all the arguments as a JSON object. */
  whole?: true;
}

export interface CallForm {
  fields: FormField[];
}

const WHOLE: FormField = { name: '', kind: 'json', required: false, whole: true, initial: '{}', description: 'All the arguments, as one JSON object.' };

/** The most fields a form shows; a schema with more is written as one JSON object. */
export const MAX_FIELDS = 64;

export function callForm(inputSchema: unknown): CallForm {
  const schema = asRecord(inputSchema);
  const properties = asRecord(schema?.properties);
  const names = properties ? Object.keys(properties) : [];
  // No schema, one too large for a form, or one that names no property but takes any: one JSON object.
  if (!schema || names.length > MAX_FIELDS || (names.length === 0 && schema.additionalProperties !== false)) return { fields: [WHOLE] };
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((name): name is string => typeof name === 'string') : []);
  return { fields: names.map((name) => field(name, asRecord(properties![name]), required.has(name))) };
}

function field(name: string, schema: Record<string, unknown> | undefined, required: boolean): FormField {
  const out: FormField = { name, kind: kindOf(schema), required };
  if (typeof schema?.description === 'string') out.description = schema.description;
  if (out.kind === 'enum') out.options = (schema!.enum as unknown[]).map((value) => JSON.stringify(value));
  const initial = schema && 'default' in schema ? initialText(out.kind, schema.default) : undefined;
  if (initial !== undefined) out.initial = initial;
  return out;
}

function kindOf(schema: Record<string, unknown> | undefined): FieldKind {
  if (!schema) return 'json';
  if (Array.isArray(schema.enum) && schema.enum.length > 0 && schema.enum.every((value) => JSON.stringify(value) !== undefined)) return 'enum';
  switch (schema.type) {
    case 'string':
    case 'number':
    case 'integer':
    case 'boolean':
      return schema.type;
    default:
      return 'json';
  }
}

function initialText(kind: FieldKind, value: unknown): string | boolean | undefined {
  if (kind === 'boolean') return typeof value === 'boolean' ? value : undefined;
  if (kind === 'string') return typeof value === 'string' ? value : undefined;
  if (kind === 'number' || kind === 'integer') return typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
  return JSON.stringify(value);
}

/** What the page sends back: each field's text (an enum's chosen JSON, '' for none), or a checkbox's state. */
export type FormValues = Record<string, string | boolean | undefined>;

export type CallInput = { ok: true; input: Record<string, unknown> } | { ok: false; problems: string[] };

/**
 * The call's arguments from the filled-in form. An empty optional field is left out; an empty required
 * one, a number that is not one, or JSON that does not parse is a problem named by its field.
 */
export function callInput(form: CallForm, values: FormValues): CallInput {
  const input: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const f of form.fields) {
    const raw = Object.hasOwn(values, f.name) ? values[f.name] : undefined;
    const label = f.whole ? 'The arguments' : `"${f.name}"`;
    if (f.kind === 'boolean') {
      if (typeof raw === 'boolean') set(input, f.name, raw);
      else if (f.required) problems.push(`${label} is required.`);
      continue;
    }
    const text = typeof raw === 'string' ? raw : '';
    // A string may be empty on purpose; any other empty field is no value.
    if (raw === undefined || (text.trim() === '' && f.kind !== 'string')) {
      if (f.required) problems.push(`${label} is required.`);
      continue;
    }
    if (text === '' && !f.required) continue;
    const value = parsed(f.kind, text);
    if (!value.ok) problems.push(`${label} ${value.problem}`);
    else if (f.whole) {
      if (!isRecord(value.value)) problems.push(`${label} must be a JSON object.`);
      else for (const [key, item] of Object.entries(value.value)) set(input, key, item);
    } else set(input, f.name, value.value);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, input };
}

function parsed(kind: FieldKind, text: string): { ok: true; value: unknown } | { ok: false; problem: string } {
  switch (kind) {
    case 'string':
      return { ok: true, value: text };
    case 'number':
    case 'integer': {
      const value = Number(text.trim());
      if (!Number.isFinite(value)) return { ok: false, problem: `must be a number, not ${JSON.stringify(text)}.` };
      if (kind === 'integer' && !Number.isInteger(value)) return { ok: false, problem: `must be a whole number, not ${text.trim()}.` };
      return { ok: true, value };
    }
    default:
      try {
        return { ok: true, value: JSON.parse(text) };
      } catch (error) {
        return { ok: false, problem: `is not valid JSON: ${(error as Error).message}` };
      }
  }
}

/** An own property whatever its name (a server may name one `__proto__`). */
function set(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return isRecord(value) ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
