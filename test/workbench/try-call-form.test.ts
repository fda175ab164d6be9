import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callForm, callInput, MAX_FIELDS } from '../../src/workbench/try-call-form';

const SCHEMA = {
  type: 'object',
  properties: {
    target: { type: 'string', description: 'Host to scan' },
    depth: { type: 'integer', default: 2 },
    ratio: { type: 'number' },
    dry_run: { type: 'boolean', default: true },
    profile: { enum: ['quick', 'full', 3, null] },
    tags: { type: 'array', items: { type: 'string' } },
  },
  required: ['target', 'profile'],
};

test('fields from the schema: kinds, required marks, descriptions, enum options and defaults', () => {
  assert.deepEqual(callForm(SCHEMA).fields, [
    { name: 'target', kind: 'string', required: true, description: 'Host to scan' },
    { name: 'depth', kind: 'integer', required: false, initial: '2' },
    { name: 'ratio', kind: 'number', required: false },
    { name: 'dry_run', kind: 'boolean', required: false, initial: true },
    { name: 'profile', kind: 'enum', required: true, options: ['"quick"', '"full"', '3', 'null'] },
    { name: 'tags', kind: 'json', required: false },
  ]);
});

test('the arguments of a filled-in form: typed values, empty optional fields left out', () => {
  const form = callForm(SCHEMA);
  assert.deepEqual(callInput(form, { target: 'staging', depth: '3', ratio: '', dry_run: false, profile: '3', tags: '["a"]' }), {
    ok: true,
    input: { target: 'staging', depth: 3, dry_run: false, profile: 3, tags: ['a'] },
  });
  assert.deepEqual(callInput(form, { target: '', profile: 'null' }), { ok: true, input: { target: '', profile: null } }, 'a required string may be empty');
});

test('mistakes are named by their field, and nothing is sent', () => {
  const form = callForm(SCHEMA);
  assert.deepEqual(callInput(form, { depth: '2.5', ratio: 'lots', tags: '[a', profile: '' }), {
    ok: false,
    problems: ['"target" is required.', '"depth" must be a whole number, not 2.5.', '"ratio" must be a number, not "lots".', '"profile" is required.', `"tags" is not valid JSON: ${jsonError('[a')}`],
  });
});

test('no schema, an open one without properties, or too many properties: one JSON object', () => {
  for (const schema of [undefined, 'nonsense', { type: 'object' }, { type: 'object', properties: Object.fromEntries(Array.from({ length: MAX_FIELDS + 1 }, (_, i) => [`p${i}`, { type: 'string' }])) }]) {
    const form = callForm(schema);
    assert.deepEqual(form.fields.map((f) => [f.kind, f.whole]), [['json', true]]);
    assert.deepEqual(callInput(form, { '': '{"a":1}' }), { ok: true, input: { a: 1 } });
    assert.deepEqual(callInput(form, { '': '' }), { ok: true, input: {} });
    assert.deepEqual(callInput(form, { '': '[1]' }), { ok: false, problems: ['The arguments must be a JSON object.'] });
  }
  assert.deepEqual(callForm({ type: 'object', additionalProperties: false }).fields, [], 'a tool that takes nothing gets no field');
});

test('a hostile schema: odd property names stay own properties, odd shapes fall back to JSON', () => {
  const form = callForm(JSON.parse('{"properties":{"__proto__":{"type":"string"},"constructor":"x","toString":{"enum":[]}},"required":[1,"constructor"]}'));
  assert.deepEqual(form.fields.map((f) => [f.name, f.kind, f.required]), [['__proto__', 'string', false], ['constructor', 'json', true], ['toString', 'json', false]]);
  const result = callInput(form, JSON.parse('{"__proto__":"polluted","constructor":"1"}'));
  assert.ok(result.ok);
  assert.equal(JSON.stringify(result.input), '{"__proto__":"polluted","constructor":1}');
  assert.equal(Object.getPrototypeOf(result.input), Object.prototype);
});

function jsonError(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  return '';
}
