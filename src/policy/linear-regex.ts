// The regular-expression engine ajv runs `args` schemas' `pattern` and `patternProperties` with (its
// `code.regExp` option): RE2, whose matching time is linear in the input, so no pattern a policy
// holds can stall the proxy on a hostile argument. Part of the lazily loaded ajv-compiler bundle.
import type { RegExpEngine, RegExpLike } from 'ajv/dist/types';
import { RE2JS } from 're2js';
import { toRe2 } from './re2-pattern';

/** Why `pattern` cannot be matched in linear time with the meaning JSON Schema gives it; undefined when it can. */
export function patternProblem(pattern: string): string | undefined {
  const compiled = compile(pattern);
  return compiled instanceof Error ? compiled.message : undefined;
}

// Compiled patterns by source: a policy is re-read on every edit, and most of its patterns did not change.
const CACHE_SIZE = 1000;
const compiledPatterns = new Map<string, RE2JS | Error>();

function compile(pattern: string): RE2JS | Error {
  let compiled = compiledPatterns.get(pattern);
  if (!compiled) {
    compiled = compileNow(pattern);
    if (compiledPatterns.size >= CACHE_SIZE) compiledPatterns.delete(compiledPatterns.keys().next().value!);
    compiledPatterns.set(pattern, compiled);
  }
  return compiled;
}

function compileNow(pattern: string): RE2JS | Error {
  try {
    new RegExp(pattern, 'u'); // JSON Schema's syntax (ECMA-262, as ajv reads it); compiling runs nothing
  } catch (error) {
    return new Error(`is not a valid regular expression (${(error as Error).message})`);
  }
  const translated = toRe2(pattern);
  if (!translated.ok) return new Error(translated.problem);
  try {
    return RE2JS.compile(translated.source);
  } catch (error) {
    return new Error(re2Problem((error as Error).message));
  }
}

function re2Problem(message: string): string {
  const detail = message.replace(/^error parsing regexp: /, '');
  if (detail.startsWith('invalid repeat count')) return `uses a repeat count above 1000, or repeats nested beyond 1000 in all, which linear-time matching (RE2) does not support (${detail})`;
  if (/\\[pP]\{/.test(detail)) return `uses a Unicode property RE2 does not know (it knows categories such as \\p{L} and scripts such as \\p{Greek}): ${detail}`;
  return `cannot be matched in linear time by RE2 (${detail})`;
}

/** The engine handed to ajv; `code` is how generated standalone code would load it. */
export const linearRegExp: RegExpEngine = Object.assign(
  (pattern: string, flags: string): RegExpLike => {
    if (flags !== 'u' && flags !== '') throw new Error(`unexpected regular expression flags "${flags}"`);
    const compiled = compile(pattern);
    if (compiled instanceof Error) throw new Error(`pattern ${JSON.stringify(pattern)} ${compiled.message}`);
    // ajv keeps one compiled pattern per distinct toString(): keep it the pattern's own.
    const regex: RegExpLike & { toString(): string } = { test: (s: string) => compiled.test(s), toString: () => `/${pattern}/${flags}` };
    return regex;
  },
  { code: 'require("./ajv-compiler").linearRegExp' },
);
