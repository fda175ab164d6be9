// Writes docs/policy.md, the policy language reference, from schemas/policy.schema.json.
// `--check` exits 1 when the file on disk differs (a test keeps the two in sync).
import { readFileSync } from 'node:fs';
import { writeOrCheck } from './lib/write-or-check.mjs';
import { stringify } from 'yaml';

const SCHEMA = 'schemas/policy.schema.json';
const TARGET = 'docs/policy.md';

function typeOf(schema) {
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(' or ');
  if (schema.enum) return schema.enum.map((v) => `\`${v}\``).join(' \\| ');
  if (schema.const !== undefined) return `\`${schema.const}\``;
  const names = { object: 'map', array: 'list', integer: 'whole number' };
  const type = names[schema.type] ?? schema.type ?? 'any';
  return schema.type === 'array' && schema.items ? `list of ${typeOf(schema.items)}` : type;
}

function constraints(schema, required) {
  const notes = [];
  if (required) notes.push('required');
  if (schema.default !== undefined) notes.push(`default \`${JSON.stringify(schema.default)}\``);
  if (schema.minimum !== undefined) notes.push(`at least ${schema.minimum}`);
  if (schema.exclusiveMinimum !== undefined) notes.push(`more than ${schema.exclusiveMinimum}`);
  if (schema.pattern) notes.push(`matches \`${schema.pattern}\``);
  for (const branch of schema.anyOf ?? []) {
    if (branch.pattern) notes.push(`a string matching \`${branch.pattern}\``);
    if (branch.exclusiveMinimum !== undefined) notes.push(`a number more than ${branch.exclusiveMinimum}`);
  }
  return notes.join('; ');
}

function section(path, schema, required, depth, out) {
  out.push(`${'#'.repeat(Math.min(depth, 6))} \`${path}\``, '');
  const facts = [`**Type:** ${typeOf(schema)}`];
  const notes = constraints(schema, required);
  if (notes) facts.push(`**Rules:** ${notes}`);
  out.push(facts.join(' · '), '');
  out.push((schema.markdownDescription ?? schema.description ?? '').trim(), '');
  if (schema.enum && schema.markdownEnumDescriptions) {
    out.push('| value | meaning |', '| --- | --- |');
    schema.enum.forEach((value, i) => out.push(`| \`${value}\` | ${schema.markdownEnumDescriptions[i].replace(/\n/g, ' ').replace(/\|/g, '\\|')} |`));
    out.push('');
  }
  if (schema.examples?.length && depth > 2) {
    out.push('Example:', '', '```yaml', ...schema.examples.slice(0, 1).map((e) => `${path.split('.').pop()}: ${JSON.stringify(e)}`), '```', '');
  }
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    section(`${path}.${name}`, child, (schema.required ?? []).includes(name), depth + 1, out);
  }
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    const placeholder = path.endsWith('.tools') ? '<tool or glob>' : path.endsWith('servers') ? '<server>' : '<name>';
    section(`${path}.${placeholder}`, schema.additionalProperties, false, depth + 1, out);
  }
}

export function render(schema) {
  const out = [
    '# Policy language reference',
    '',
    `<!-- Generated from ${SCHEMA} by \`node scripts/gen-policy-docs.mjs\`; edit the schema, not this file. -->`,
    '',
    (schema.markdownDescription ?? schema.description).trim(),
    '',
    '## Example',
    '',
    '```yaml',
    stringify(schema.examples?.[0] ?? {}, { flowCollectionPadding: true }).trimEnd(),
    '```',
    '',
    '## Keys',
    '',
  ];
  for (const [name, child] of Object.entries(schema.properties)) section(name, child, (schema.required ?? []).includes(name), 3, out);
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}

const expected = render(JSON.parse(readFileSync(SCHEMA, 'utf8')));
writeOrCheck(TARGET, expected, 'node scripts/gen-policy-docs.mjs');
