// Checks a call's arguments against a rule's `args` JSON Schema and says, argument by argument, what is wrong.
import type Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { loadAjv } from './ajv-loader';

export type ArgsVerdict = { ok: true } | { ok: false; problems: string[] };

/** Compiles each distinct schema once, on first use, and keeps it. */
export class ArgsChecker {
  private ajv: Ajv | undefined;
  private readonly compiled = new WeakMap<object, ValidateFunction | Error>();

  check(schema: Record<string, unknown>, args: unknown): ArgsVerdict {
    const validate = this.compile(schema);
    if (validate instanceof Error) return { ok: false, problems: [`the rule's args schema cannot be used: ${validate.message}`] };
    if (validate(args ?? {})) return { ok: true };
    return { ok: false, problems: describeErrors(validate.errors ?? []) };
  }

  private compile(schema: Record<string, unknown>): ValidateFunction | Error {
    let validate = this.compiled.get(schema);
    if (!validate) {
      try {
        this.ajv ??= loadAjv({ allErrors: true, strict: false, validateSchema: true }, { formats: true });
        validate = this.ajv.compile(schema);
      } catch (error) {
        validate = error instanceof Error ? error : new Error(String(error));
      }
      this.compiled.set(schema, validate);
    }
    return validate;
  }
}

/** `/finding_id/0` -> `finding_id[0]`; the root -> `` */
function argumentName(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part, i) => (/^[0-9]+$/.test(part) ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join('');
}

export function describeErrors(errors: ErrorObject[]): string[] {
  const problems: string[] = [];
  for (const error of errors) {
    const name = argumentName(error.instancePath);
    const where = name ? `argument "${name}"` : 'the arguments';
    const params = error.params as Record<string, unknown>;
    let problem: string;
    switch (error.keyword) {
      case 'required':
        problem = `missing required argument "${name ? `${name}.` : ''}${String(params.missingProperty)}"`;
        break;
      case 'additionalProperties':
        problem = `unexpected argument "${name ? `${name}.` : ''}${String(params.additionalProperty)}"`;
        break;
      case 'enum':
        problem = `${where} must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
        break;
      case 'if':
        continue; // the failing branch reports the concrete problem
      default:
        problem = `${where} ${error.message ?? 'is invalid'}`;
    }
    if (!problems.includes(problem)) problems.push(problem);
  }
  return problems;
}
