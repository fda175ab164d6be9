// Reads a policy file: YAML -> its plain value -> diagnostics (syntax, schema, argument schemas) and the
// policy model, with the position of every part so editors and reasons can point at it. The schema
// validates that value and the model is built from it, never from the YAML nodes: whatever the YAML's
// style (aliases, merge keys, flow or block), what is enforced is what was checked.
import type { ValidateFunction } from 'ajv';
import { Document, isScalar, LineCounter, parseDocument, type Node } from 'yaml';
import { readBlockYaml } from './block-yaml';
import { buildModel } from './build-model';
import { validate as generatedValidator } from './generated/policy-validator';
import type { Diagnostic, Policy } from './model';
import { offsetRange, START_OF_FILE } from './positions';
import { schemaDiagnostics } from './schema-diagnostics';
import { placeErrors } from './yaml-error-place';
import { DUPLICATE_KEY, resolveDocument } from './yaml-resolve';

export interface ParseResult {
  /** The policy, only when the file has no error: callers that enforce must fail closed without it. */
  policy?: Policy;
  /** A best-effort model even when the file has errors, for editor features. */
  partial: Policy;
  diagnostics: Diagnostic[];
  document: Document;
  lineCounter: LineCounter;
}

/** The schema's validator, compiled ahead of time (scripts/gen-policy-validator.mjs). */
const validatePolicy = generatedValidator as unknown as ValidateFunction;

export function parsePolicy(text: string, file?: string): ParseResult {
  try {
    return parsePlainPolicy(text, file) ?? parseYaml(text, file);
  } catch (error) {
    // Nothing known throws here; should anything, the file is refused with the reason, never a crash.
    const diagnostic: Diagnostic = { range: START_OF_FILE, severity: 'error', code: 'unreadable-policy', message: `The policy could not be read: ${(error as Error)?.message ?? String(error)}` };
    const partial: Policy = { version: 1, default: 'allow', servers: new Map(), audit: { args: false }, ...(file ? { file } : {}) };
    return { partial, diagnostics: [diagnostic], document: new Document(), lineCounter: new LineCounter() };
  }
}

/**
 * The same result as parsePolicy, but only when the fast reader takes the text (plain block YAML, which
 * has no YAML error): a few milliseconds for 5,000 lines. Undefined otherwise.
 */
export function parsePlainPolicy(text: string, file?: string): ParseResult | undefined {
  const plain = readBlockYaml(text);
  if (!plain) return undefined;
  const document = new Document();
  document.contents = plain.contents;
  return parsed(document, plain.lineCounter, plain.value, [], file);
}

/**
 * By `yaml` itself: anchors, aliases, merge keys, tags, multi-line scalars, and every YAML error with
 * yaml's message. Aliases and merge keys are resolved once, here (yaml-resolve.ts), into the value that
 * is both validated and enforced. Exported so tests can hold the fast reader to it.
 */
export function parseYaml(text: string, file?: string): ParseResult {
  const lineCounter = new LineCounter();
  // Duplicate keys are found by resolveDocument: yaml's uniqueKeys takes quadratic time (seconds for a large map).
  const document = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false, merge: true });
  placeErrors(text, document.errors);
  const resolved = isEmpty(document) ? { value: {}, diagnostics: [] } : resolveDocument(document, lineCounter);
  return parsed(document, lineCounter, resolved.value, resolved.diagnostics, file);
}

/**
 * Diagnostics and model of a YAML document. `value` is its plain value, the one thing the schema
 * validates and the model is built from; `problems` are what resolving it found.
 */
function parsed(document: Document, lineCounter: LineCounter, value: unknown, problems: Diagnostic[], file?: string): ParseResult {
  const diagnostics: Diagnostic[] = [];
  for (const error of document.errors) {
    diagnostics.push({
      range: offsetRange(lineCounter, error.pos[0], error.pos[1]),
      severity: 'error',
      code: error.code === 'DUPLICATE_KEY' ? 'duplicate-key' : 'yaml-syntax',
      message: error.code === 'DUPLICATE_KEY' ? DUPLICATE_KEY : error.message,
    });
  }
  for (const warning of document.warnings) {
    diagnostics.push({ range: offsetRange(lineCounter, warning.pos[0], warning.pos[1]), severity: 'warning', code: 'yaml-warning', message: warning.message });
  }
  diagnostics.push(...problems);
  const valid = document.errors.length === 0 && value !== undefined;
  if (valid && !validatePolicy(value)) diagnostics.push(...schemaDiagnostics(validatePolicy.errors ?? [], document, lineCounter, value));

  const partial = buildModel(value, document.contents as Node | null, lineCounter, diagnostics, file);
  const hasError = diagnostics.some((d) => d.severity === 'error');
  return { policy: hasError ? undefined : partial, partial, diagnostics, document, lineCounter };
}

function isEmpty(document: Document): boolean {
  const contents = document.contents;
  return contents === null || (isScalar(contents) && (contents.value === null || contents.value === ''));
}
