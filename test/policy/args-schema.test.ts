import assert from 'node:assert/strict';
import { test } from 'node:test';
import { codeActions } from '../../src/language/code-actions';
import { policyDiagnostics } from '../../src/language/diagnostics';
import { applyEdits } from '../../src/language/text-edit';
import { compileArgsSchema } from '../../src/policy/ajv-args';
import { ArgsChecker } from '../../src/policy/args-check';
import { argsSchemaProblems } from '../../src/policy/args-schema';
import { PolicyEngine } from '../../src/policy/engine';
import { parsePolicy } from '../../src/policy/parse';
import { snapshotOf, testCatalogue } from '../language/helpers';

const yaml = (...lines: string[]) => lines.join('\n') + '\n';

/** A policy whose one rule `t` on server `s` has `args` written as the given lines (indented under it). */
function policyWithArgs(...argsLines: string[]): string {
  return yaml('version: 1', 'servers:', '  s:', '    tools:', '      t:', '        args:', ...argsLines.map((l) => `          ${l}`));
}

/** `line:col-line:col code message` of each diagnostic, one-based like `check`. */
function diagnosticsOf(text: string): string[] {
  return parsePolicy(text).diagnostics.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1}-${d.range.end.line + 1}:${d.range.end.character + 1} ${d.code} ${d.message}`);
}

test('an unknown keyword is an error at any depth, on its key, with the keyword meant', () => {
  const depths: [Record<string, unknown>, (string | number)[], string][] = [
    [{ type: 'object', requried: ['a'] }, ['requried'], 'required'],
    [{ type: 'object', properties: { path: { type: 'string', patern: '^/tmp/' } } }, ['properties', 'path', 'patern'], 'pattern'],
    [{ properties: { list: { type: 'array', items: { type: 'string', maxLenght: 3 } } } }, ['properties', 'list', 'items', 'maxLenght'], 'maxLength'],
    [{ properties: { list: { items: [{ type: 'string' }, { typ: 'number' }] } } }, ['properties', 'list', 'items', 1, 'typ'], 'type'],
    [{ properties: { p: { anyOf: [{ type: 'string' }, { type: 'number', minimun: 0 }] } } }, ['properties', 'p', 'anyOf', 1, 'minimun'], 'minimum'],
    [{ properties: { p: { oneOf: [{ allOf: [{ not: { enun: [1] } }] }] } } }, ['properties', 'p', 'oneOf', 0, 'allOf', 0, 'not', 'enun'], 'enum'],
    [{ additionalProperties: { type: 'string', maxLentgh: 9 } }, ['additionalProperties', 'maxLentgh'], 'maxLength'],
    [{ patternProperties: { '^x-': { type: 'string', constt: 'a' } } }, ['patternProperties', '^x-', 'constt'], 'const'],
    [{ definitions: { id: { type: 'string', pattren: '^F-' } }, properties: { id: { $ref: '#/definitions/id' } } }, ['definitions', 'id', 'pattren'], 'pattern'],
    [{ if: { required: ['a'] }, then: { requird: ['b'] } }, ['then', 'requird'], 'required'],
    [{ properties: { a: { properties: { b: { properties: { c: { type: 'string', formt: 'email' } } } } } } }, ['properties', 'a', 'properties', 'b', 'properties', 'c', 'formt'], 'format'],
    [{ propertyNames: { patern: '^[a-z]+$' } }, ['propertyNames', 'patern'], 'pattern'],
    [{ dependencies: { a: { requires: ['b'] } } }, ['dependencies', 'a', 'requires'], 'required'],
    [{ contains: { type: 'string', minLenght: 1 }, type: 'array' }, ['contains', 'minLenght'], 'minLength'],
  ];
  for (const [schema, path, meant] of depths) {
    const problems = argsSchemaProblems(schema);
    assert.equal(problems.length, 1, JSON.stringify(problems));
    assert.deepEqual(problems[0].path, path);
    assert.equal(problems[0].on, 'key');
    assert.equal(problems[0].code, 'unknown-key');
    assert.equal(problems[0].suggestions?.[0], meant, problems[0].message);
    assert.match(problems[0].message, new RegExp(`did you mean "${meant}"\\?$`));
  }
  // No keyword near: it says what the keyword would do.
  assert.match(argsSchemaProblems({ 'x-internal': true })[0].message, /Unknown JSON Schema keyword "x-internal" in "args": it would check nothing/);
  // Keywords of later drafts that this draft-07 checker would ignore are unknown too.
  assert.equal(argsSchemaProblems({ dependentRequired: { a: ['b'] } })[0].code, 'unknown-key');
  assert.equal(argsSchemaProblems({ unevaluatedProperties: false })[0].code, 'unknown-key');
});

test('names under properties, definitions and patternProperties are argument names, not keywords', () => {
  assert.deepEqual(argsSchemaProblems({ type: 'object', properties: { patern: { type: 'string' }, format: { type: 'string' } }, required: ['patern'] }), []);
  assert.deepEqual(argsSchemaProblems({ definitions: { anything: { type: 'string' } }, patternProperties: { '^requried$': {} } }), []);
  // Values are not schemas: a const or an enum may hold any object.
  assert.deepEqual(argsSchemaProblems({ const: { patern: 1 }, enum: [{ formt: 2 }], default: { x: 1 }, examples: [{ y: 2 }] }), []);
  // Annotations are known keywords.
  assert.deepEqual(argsSchemaProblems({ title: 't', description: 'd', $comment: 'c', readOnly: true, deprecated: false, type: 'object' }), []);
});

test('an unknown format is an error on its value; every format ajv-formats checks is accepted', () => {
  const problems = argsSchemaProblems({ properties: { path: { type: 'string', format: 'inside-workspace' } } });
  assert.equal(problems.length, 1);
  assert.deepEqual(problems[0].path, ['properties', 'path', 'format']);
  assert.equal(problems[0].on, 'value');
  assert.equal(problems[0].code, 'invalid-value');
  assert.match(problems[0].message, /^Unknown format "inside-workspace" in "args" at \/properties\/path: it would check nothing \(known formats: date, .*email.*\)$/);
  const typo = argsSchemaProblems({ format: 'date_time' })[0];
  assert.deepEqual(typo.suggestions, ['date-time']);
  for (const format of ['date', 'time', 'date-time', 'duration', 'uri', 'uri-reference', 'url', 'email', 'hostname', 'ipv4', 'ipv6', 'regex', 'uuid', 'json-pointer', 'relative-json-pointer', 'byte', 'int32', 'int64', 'float', 'double']) {
    assert.deepEqual(argsSchemaProblems({ type: 'string', format }), [], format);
  }
});

test('patterns: invalid ones and ones RE2 cannot run are errors that name the construct, as values or as patternProperties keys', () => {
  const at = (schema: Record<string, unknown>) => argsSchemaProblems(schema).map((p) => [p.path.join('/'), p.on, p.code, p.message]);
  assert.deepEqual(at({ properties: { code: { type: 'string', pattern: '^(a)\\1$' } } }), [
    ['properties/code/pattern', 'value', 'unsupported-pattern', 'Pattern "^(a)\\\\1$" in "args" at /properties/code uses a backreference (\\1), which linear-time matching (RE2) does not support'],
  ]);
  assert.deepEqual(at({ patternProperties: { '^(?!internal)': { type: 'string' } } }), [
    ['patternProperties/^(?!internal)', 'key', 'unsupported-pattern', 'Pattern "^(?!internal)" in "args" at /patternProperties uses a negative lookahead (?!…), which linear-time matching (RE2) does not support'],
  ]);
  assert.match(at({ propertyNames: { pattern: '(?<=a)b' } })[0][3], /lookbehind \(\?<=…\)/);
  assert.deepEqual(at({ properties: { p: { pattern: '([' } } }).map((p) => p.slice(0, 3)), [['properties/p/pattern', 'value', 'invalid-pattern']]);
  assert.match(at({ properties: { p: { pattern: '([' } } })[0][3], /\/properties\/p\/pattern is not a valid regular expression/);
  // Catastrophic for a backtracking engine, fine for RE2.
  for (const pattern of ['^(\\w+\\s?)*$', '(a+)+$', '(a|aa)+$', '^(([a-z])+.)+[A-Z]([a-z])+$']) assert.deepEqual(argsSchemaProblems({ pattern }), [], pattern);
});

test("what only ajv's compiler sees is an error too, at args: unresolvable $ref, ignored if, $async, id", () => {
  const messages = (schema: Record<string, unknown>) => argsSchemaProblems(schema).map((p) => `${p.path.join('/') || '(args)'} ${p.code} ${p.message}`);
  assert.deepEqual(messages({ properties: { p: { $ref: '#/definitions/missing' } } }), ['(args) invalid-args-schema "args" cannot be used: can\'t resolve reference #/definitions/missing from id #']);
  assert.match(messages({ if: { required: ['a'] } })[0], /"if" without "then" and "else" is ignored/);
  assert.match(messages({ then: { required: ['a'] } })[0], /"then" without "if" is ignored/);
  assert.match(messages({ $ref: 'https://example.com/schema.json' })[0], /can't resolve reference/);
  assert.deepEqual(messages({ $async: true, type: 'object' }), ['$async invalid-args-schema "$async" is not supported in "args": arguments are checked as the call arrives']);
  assert.match(messages({ id: 'x', type: 'object' })[0], /keyword "id"/);
  assert.match(messages({ type: 'objekt' })[0], /^\(args\) invalid-args-schema "args" is not a valid JSON Schema: \/type must be equal to one of the allowed values/);
  // What would make ajv throw rather than answer is a problem too, never an exception out of the parser.
  assert.deepEqual(messages({ $schema: 'https://json-schema.org/draft/2020-12/schema' }), ['(args) invalid-args-schema "args" cannot be used: no schema with key or ref "https://json-schema.org/draft/2020-12/schema"']);
  assert.deepEqual(messages({ $schema: 5 }), ['(args) invalid-args-schema "args" cannot be used: $schema must be a string']);
  assert.match(messages({ $defs: { a: { $ref: '#/$defs/a' } }, $ref: '#/$defs/a' })[0], /^\(args\) invalid-args-schema "args" cannot be used: /);
  let deep: Record<string, unknown> = { type: 'string' };
  for (let i = 0; i < 5000; i++) deep = { properties: { a: deep } };
  const tooDeep = argsSchemaProblems(deep);
  assert.ok(tooDeep.some((p) => /^Schemas nested more than 64 deep in "args"/.test(p.message)), JSON.stringify(tooDeep).slice(0, 300));
  let fine: Record<string, unknown> = { type: 'string' };
  for (let i = 0; i < 60; i++) fine = { properties: { a: fine } };
  assert.deepEqual(argsSchemaProblems(fine), []);
});

test('each rule stands alone: the same $id in two rules is fine, and one cannot reference the other', () => {
  const a = { $id: 'shared', type: 'object', properties: { x: { type: 'string' } } };
  const b = { $id: 'shared', type: 'object', properties: { y: { type: 'number' } } };
  assert.deepEqual(argsSchemaProblems(a), []);
  assert.deepEqual(argsSchemaProblems(b), []);
  assert.match(argsSchemaProblems({ $ref: 'shared' })[0].message, /can't resolve reference shared/);
});

test('diagnostics point at the offending key or value, in block and flow style and through an alias', () => {
  assert.deepEqual(diagnosticsOf(policyWithArgs('type: object', 'properties:', '  path:', '    type: string', '    patern: "^/tmp/"')), [
    '11:15-11:21 unknown-key Unknown JSON Schema keyword "patern" in "args" at /properties/path; did you mean "pattern"?',
  ]);
  assert.deepEqual(diagnosticsOf(policyWithArgs('properties:', '  path: { type: string, format: inside-workspace }')), [
    `8:43-8:59 invalid-value ${argsSchemaProblems({ properties: { path: { format: 'inside-workspace' } } })[0].message}`,
  ]);
  assert.deepEqual(diagnosticsOf(policyWithArgs('anyOf:', '  - { type: string }', '  - { type: number, minimun: 1 }')), [
    '9:31-9:38 unknown-key Unknown JSON Schema keyword "minimun" in "args" at /anyOf/1; did you mean "minimum"?',
  ]);
  assert.deepEqual(diagnosticsOf(policyWithArgs('patternProperties:', '  "(?=x)": { type: string }')).map((d) => d.split(' ').slice(0, 2).join(' ')), ['8:13-8:20 unsupported-pattern']);
  // A piece brought in by an alias is placed at the alias, where the text pulls it in.
  const aliased = yaml(
    'version: 1',
    'servers:',
    '  s:',
    '    tools:',
    '      a:',
    '        args: { properties: { p: &checked { type: string, patern: "^F-" } } }',
    '      b:',
    '        args: { properties: { q: *checked } }',
  );
  const found = diagnosticsOf(aliased);
  assert.equal(found.length, 2, found.join('\n'));
  assert.match(found[0], /^6:59-6:65 unknown-key /);
  assert.match(found[1], /^8:34-8:42 unknown-key /);
});

test('a policy with such a problem has no enforceable policy: the proxy refuses it', () => {
  const result = parsePolicy(policyWithArgs('properties:', '  path: { type: string, patern: "^/tmp/" }'));
  assert.equal(result.policy, undefined);
  assert.ok(parsePolicy(policyWithArgs('properties:', '  path: { type: string, pattern: "^/tmp/" }')).policy);
});

test('in the editor: the same diagnostics, with a quick fix that renames the keyword', () => {
  const text = policyWithArgs('type: object', 'properties:', '  path: { type: string, patern: "^/tmp/" }');
  const snapshot = snapshotOf(text);
  const problems = policyDiagnostics(snapshot, testCatalogue()).filter((p) => p.code === 'unknown-key');
  assert.equal(problems.length, 1);
  assert.equal(problems[0].range.start.line, 8);
  const fixes = codeActions(snapshot, problems[0].range, testCatalogue());
  assert.equal(fixes[0].title, 'Change to "pattern"');
  assert.ok(parsePolicy(applyEdits(text, fixes[0].edits)).policy, 'the fixed file is valid');
});

test('the engine checks with the function the parser compiled, once per schema', () => {
  const text = policyWithArgs('type: object', 'properties:', '  p: { type: string, pattern: "^(\\\\w+\\\\s?)*$" }');
  const policy = parsePolicy(text).policy!;
  const schema = policy.servers.get('s')!.tools[0].args!;
  const compiled = compileArgsSchema(schema);
  assert.equal(typeof compiled, 'function');
  assert.equal(compileArgsSchema(schema), compiled);
  assert.equal(compileArgsSchema(JSON.parse(JSON.stringify(schema)) as Record<string, unknown>), compiled, 'the same content is not compiled again');
  const engine = new PolicyEngine(policy);
  const start = performance.now();
  const decision = engine.decide({ server: 's', tool: 't', args: { p: 'a'.repeat(27) + '!' } });
  assert.ok(performance.now() - start < 100);
  assert.equal(decision.decision, 'deny');
  assert.match(decision.reason!, /argument "p" must match pattern/);
  assert.equal(engine.decide({ server: 's', tool: 't', args: { p: 'two words' } }).decision, 'allow');
});

test('a schema that never went through the parser still fails closed in the checker', () => {
  const checker = new ArgsChecker();
  const verdict = (schema: Record<string, unknown>, args: unknown = { p: 'x' }) => checker.check(schema, args);
  assert.deepEqual(verdict({ properties: { p: { type: 'string', format: 'inside-workspace' } } }).ok, false);
  assert.match(JSON.stringify(verdict({ properties: { p: { patern: 'y' } } })), /cannot be used: strict mode: unknown keyword: \\"patern\\"/);
  assert.match(JSON.stringify(verdict({ properties: { p: { pattern: '(a)\\1' } } })), /backreference/);
  assert.equal(verdict({ $async: true, properties: { p: { type: 'number' } } }).ok, false);
  assert.equal(verdict({ properties: { p: { type: 'string' } } }).ok, true);
});

test('arguments too deep for a recursive schema are refused, not thrown', () => {
  const schema = { $ref: '#/definitions/node', definitions: { node: { type: 'object', properties: { child: { $ref: '#/definitions/node' } } } } };
  assert.deepEqual(argsSchemaProblems(schema), []);
  let args: Record<string, unknown> = {};
  for (let i = 0; i < 100_000; i++) args = { child: args };
  const verdict = new ArgsChecker().check(schema, args);
  assert.equal(verdict.ok, false);
  assert.match(JSON.stringify(verdict), /the arguments could not be checked: Maximum call stack size exceeded/);
  assert.equal(new ArgsChecker().check(schema, { child: { child: {} } }).ok, true);
});
