// Checks a call's arguments against a rule's `args` JSON Schema and says, argument by argument, what is wrong.
import type { ErrorObject } from 'ajv';
import { compileArgsSchema } from './ajv-args';

export type ArgsVerdict = { ok: true } | { ok: false; problems: string[] };

/** Checks with each schema's validator, compiled once (ajv-args.ts: the same one the parser compiled). */
export class ArgsChecker {
  check(schema: Record<string, unknown>, args: unknown): ArgsVerdict {
    const validate = compileArgsSchema(schema);
    if (validate instanceof Error) return { ok: false, problems: [`the rule's args schema cannot be used: ${validate.message}`] };
    let valid: unknown;
    try {
      valid = validate(args ?? {});
    } catch (error) {
      return { ok: false, problems: [`the arguments could not be checked: ${(error as Error).message}`] }; // fail closed
    }
    if (valid === true) return { ok: true };
    return { ok: false, problems: describeErrors(validate.errors ?? []) };
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
