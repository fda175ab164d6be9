// Is a rule's `args` a JSON Schema Warden can enforce, exactly as written? Checked when the policy is
// read, so a schema that would check less than it says is an error in the editor and in `check`, and a
// policy the proxy refuses, rather than a check that silently passes every call. Fails closed on:
// - a keyword ajv does not know (`patern:`), at any depth: it would check nothing;
// - a `format` ajv-formats does not check (`inside-workspace`): it would check nothing;
// - a `pattern` (or `patternProperties` key) that is not a valid regular expression, or that RE2, the
//   linear-time engine calls are checked with, cannot run (backreferences, lookaround);
// - anything else that keeps ajv from compiling it (an unresolvable `$ref`, `"if"` without `"then"`…).
import { compileArgsSchema, metaSchemaProblems, patternProblem, vocabulary } from './ajv-args';
import { closestMatches } from './suggest';

export type SchemaPath = (string | number)[];

export interface ArgsSchemaProblem {
  /** Keys and list indexes from the schema's root to the problem. */
  path: SchemaPath;
  /** Whether the key at `path` is wrong (an unknown keyword) or its value. */
  on: 'key' | 'value';
  code: 'unknown-key' | 'invalid-value' | 'invalid-pattern' | 'unsupported-pattern' | 'invalid-args-schema';
  message: string;
  suggestions?: string[];
}

/** Problems that keep `schema` from being used; empty when it is fine. */
export function argsSchemaProblems(schema: Record<string, unknown>): ArgsSchemaProblem[] {
  try {
    return problemsOf(schema);
  } catch (error) {
    // Whatever ajv or the walk throws on (a schema too deep for the stack): the schema is not used.
    return [{ path: [], on: 'key', code: 'invalid-args-schema', message: `"args" cannot be checked: ${(error as Error).message}` }];
  }
}

function problemsOf(schema: Record<string, unknown>): ArgsSchemaProblem[] {
  const problems: ArgsSchemaProblem[] = [];
  const meta = metaSchemaProblems(schema);
  if (meta instanceof Error) {
    problems.push({ path: [], on: 'key', code: 'invalid-args-schema', message: `"args" cannot be used: ${meta.message}` });
  } else if (meta.length > 0) {
    // One problem at `args` itself: ajv often says several things about one wrong value.
    const said = meta.map(({ pointer, message }) => `${pointer || 'the schema'} ${message}`);
    problems.push({ path: [], on: 'key', code: 'invalid-args-schema', message: `"args" is not a valid JSON Schema: ${said.join('; ')}` });
  }
  new SchemaWalker(problems).schema(schema, [], 0);
  if (problems.length === 0) {
    const compiled = compileArgsSchema(schema);
    if (compiled instanceof Error) problems.push({ path: [], on: 'key', code: 'invalid-args-schema', message: `"args" cannot be used: ${compiled.message}` });
  }
  return problems;
}

/** Schemas inside schemas, at most: far beyond any argument check, well within the stack. */
export const MAX_SCHEMA_DEPTH = 64;

type SchemaObject = Record<string, unknown>;

const isObject = (value: unknown): value is SchemaObject => typeof value === 'object' && value !== null && !Array.isArray(value);

// Where draft-07 keeps subschemas: a schema, a map of schemas, or a list of schemas.
const ONE_SCHEMA = new Set(['additionalItems', 'additionalProperties', 'contains', 'propertyNames', 'not', 'if', 'then', 'else']);
const SCHEMA_MAP = new Set(['properties', 'definitions', '$defs', 'dependencies']);
const SCHEMA_LIST = new Set(['allOf', 'anyOf', 'oneOf']);

class SchemaWalker {
  private readonly known = vocabulary();

  constructor(private readonly problems: ArgsSchemaProblem[]) {}

  schema(node: unknown, path: SchemaPath, depth: number): void {
    if (!isObject(node)) return; // `true`, `false`, or a wrong type the meta-schema reports
    if (depth > MAX_SCHEMA_DEPTH) {
      this.problems.push({ path, on: 'key', code: 'invalid-args-schema', message: `Schemas nested more than ${MAX_SCHEMA_DEPTH} deep in "args": no argument check needs that, and it is not supported` });
      return;
    }
    for (const [key, value] of Object.entries(node)) {
      const at = [...path, key];
      if (key === '$async') {
        this.problems.push({ path: at, on: 'key', code: 'invalid-args-schema', message: `"$async" is not supported in "args": arguments are checked as the call arrives` });
      } else if (!this.known.keywords.has(key)) {
        this.unknownKeyword(key, at);
      } else if (key === 'format') {
        if (typeof value === 'string') this.format(value, at);
      } else if (key === 'pattern') {
        if (typeof value === 'string') this.pattern(value, at, 'value');
      } else if (key === 'patternProperties') {
        if (isObject(value)) {
          for (const [regex, sub] of Object.entries(value)) {
            this.pattern(regex, [...at, regex], 'key');
            this.schema(sub, [...at, regex], depth + 1);
          }
        }
      } else if (key === 'items') {
        if (Array.isArray(value)) value.forEach((sub, i) => this.schema(sub, [...at, i], depth + 1));
        else this.schema(value, at, depth + 1);
      } else if (ONE_SCHEMA.has(key)) {
        this.schema(value, at, depth + 1);
      } else if (SCHEMA_MAP.has(key)) {
        if (isObject(value)) for (const [name, sub] of Object.entries(value)) this.schema(sub, [...at, name], depth + 1);
      } else if (SCHEMA_LIST.has(key)) {
        if (Array.isArray(value)) value.forEach((sub, i) => this.schema(sub, [...at, i], depth + 1));
      }
    }
  }

  private unknownKeyword(key: string, at: SchemaPath): void {
    const suggestions = closestMatches(key, this.known.keywords);
    const hint = suggestions.length > 0 ? `; did you mean "${suggestions[0]}"?` : ': it would check nothing';
    this.problems.push({ path: at, on: 'key', code: 'unknown-key', message: `Unknown JSON Schema keyword "${key}" ${where(at)}${hint}`, suggestions });
  }

  private format(name: string, at: SchemaPath): void {
    if (this.known.formats.includes(name)) return;
    const suggestions = closestMatches(name, this.known.formats);
    const hint = suggestions.length > 0 ? `; did you mean "${suggestions[0]}"?` : `: it would check nothing (known formats: ${this.known.formats.join(', ')})`;
    this.problems.push({ path: at, on: 'value', code: 'invalid-value', message: `Unknown format "${name}" ${where(at)}${hint}`, suggestions });
  }

  private pattern(source: string, at: SchemaPath, on: 'key' | 'value'): void {
    const problem = patternProblem(source);
    if (!problem) return;
    const invalid = problem.startsWith('is not a valid');
    const message = invalid
      ? `"args" is not a valid JSON Schema: ${pointerOf(at)} is not a valid regular expression${problem.slice('is not a valid regular expression'.length)}`
      : `Pattern ${JSON.stringify(source)} ${where(at)} ${problem}`;
    this.problems.push({ path: at, on, code: invalid ? 'invalid-pattern' : 'unsupported-pattern', message });
  }
}

/** `in "args"` or `in "args" at /properties/path` */
function where(path: SchemaPath): string {
  const parent = pointerOf(path.slice(0, -1));
  return parent ? `in "args" at ${parent}` : 'in "args"';
}

function pointerOf(path: SchemaPath): string {
  return path.map((part) => `/${String(part).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}
