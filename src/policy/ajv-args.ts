// The one ajv set-up for rules' `args` schemas, shared by the parser (which refuses a schema ajv cannot
// compile) and the engine (which checks calls with the very function the parser compiled). It fails
// closed: an unknown keyword or format is an error rather than ignored (strictSchema), and `pattern`
// runs on RE2 (linear-regex.ts), so no schema can stall a call.
import type Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import { loadCompiler } from './ajv-loader';

export type CompiledArgs = ValidateFunction | Error;

// Each compile leaves code and values in its ajv instance; a fresh one now and then bounds what an
// editor that recompiles on every keystroke holds.
const COMPILES_PER_INSTANCE = 100;
// Compiled schemas by content: re-reading a policy (a reload, an edit elsewhere) compiles nothing again.
const CACHE_SIZE = 500;

let instance: { ajv: Ajv; compiles: number; vocabulary?: Vocabulary } | undefined;
const byContent = new Map<string, CompiledArgs>();
const byObject = new WeakMap<object, CompiledArgs>();

function argsAjv(): Ajv {
  if (!instance || instance.compiles >= COMPILES_PER_INSTANCE) {
    const compiler = loadCompiler();
    const ajv = new compiler.Ajv({
      allErrors: true,
      strict: false,
      strictSchema: true, // unknown keywords and formats, and keywords ajv would ignore, are errors
      allowMatchingProperties: true, // that strict check runs the policy's patterns with JavaScript's engine
      code: { regExp: compiler.linearRegExp },
    });
    compiler.addFormats(ajv);
    instance = { ajv, compiles: 0 };
  }
  return instance.ajv;
}

/** The validator of `schema`, compiled once; an Error says why it cannot be used. */
export function compileArgsSchema(schema: Record<string, unknown>): CompiledArgs {
  let compiled = byObject.get(schema);
  if (compiled) return compiled;
  const key = JSON.stringify(schema);
  compiled = byContent.get(key);
  if (!compiled) {
    compiled = compileNow(schema);
    if (byContent.size >= CACHE_SIZE) byContent.delete(byContent.keys().next().value!);
    byContent.set(key, compiled);
  }
  byObject.set(schema, compiled);
  return compiled;
}

function compileNow(schema: Record<string, unknown>): CompiledArgs {
  const ajv = argsAjv();
  instance!.compiles++;
  try {
    const validate = ajv.compile(schema);
    // An async validator answers with a promise, which any caller would read as "valid".
    if ((validate as { $async?: boolean }).$async) return new Error('"$async" schemas are not supported: arguments are checked as the call arrives');
    return validate;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  } finally {
    // Each rule's schema stands alone: its `$id` neither clashes with nor can be referenced by another's.
    try {
      ajv.removeSchema(schema);
    } catch {
      // not added: nothing to remove
    }
  }
}

/**
 * Problems ajv's meta-schema (draft-07) finds in `schema`, each with the JSON pointer of its place; an
 * Error when ajv cannot even tell (a `$schema` it does not know).
 */
export function metaSchemaProblems(schema: Record<string, unknown>): { pointer: string; message: string }[] | Error {
  const ajv = argsAjv();
  try {
    if (ajv.validateSchema(schema)) return [];
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
  return (ajv.errors ?? []).map((e) => ({ pointer: e.instancePath, message: e.message ?? 'is invalid' }));
}

export interface Vocabulary {
  keywords: ReadonlySet<string>;
  formats: readonly string[];
}

/** Every keyword ajv knows (validation and annotation alike), and every format it checks. */
export function vocabulary(): Vocabulary {
  const ajv = argsAjv();
  instance!.vocabulary ??= { keywords: new Set(Object.keys(ajv.RULES.keywords)), formats: Object.keys(ajv.formats) };
  return instance!.vocabulary;
}

export function patternProblem(pattern: string): string | undefined {
  return loadCompiler().patternProblem(pattern);
}
