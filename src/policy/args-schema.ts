// Is a rule's `args` a JSON Schema Warden can enforce? Checked when the policy is read, so a broken
// schema is an error in the editor rather than a surprise at the first call.
import type Ajv from 'ajv';
import { loadAjv } from './ajv-loader';

let metaValidator: Ajv | undefined;

function ajv(): Ajv {
  metaValidator ??= loadAjv({ strict: false, allErrors: true });
  return metaValidator;
}

/** Problems that keep `schema` from being used; empty when it is fine. */
export function validateArgsSchema(schema: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const validator = ajv();
  if (!validator.validateSchema(schema)) {
    for (const error of validator.errors ?? []) {
      problems.push(`${error.instancePath || 'the schema'} ${error.message ?? 'is invalid'}`.trim());
    }
  }
  collectBadPatterns(schema, '', problems);
  return problems;
}

/** Regular expressions in `pattern` and `patternProperties` must compile as Unicode regexes (what ajv uses). */
function collectBadPatterns(node: unknown, path: string, problems: string[]): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => collectBadPatterns(item, `${path}/${i}`, problems));
    return;
  }
  if (!node || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'pattern' && typeof value === 'string') checkRegex(value, `${path}/pattern`, problems);
    if (key === 'patternProperties' && value && typeof value === 'object') {
      for (const regex of Object.keys(value)) checkRegex(regex, `${path}/patternProperties`, problems);
    }
    if (key !== 'const' && key !== 'enum' && key !== 'default' && key !== 'examples') collectBadPatterns(value, `${path}/${key}`, problems);
  }
}

function checkRegex(source: string, path: string, problems: string[]): void {
  try {
    new RegExp(source, 'u');
  } catch (error) {
    problems.push(`${path} is not a valid regular expression (${(error as Error).message})`);
  }
}
