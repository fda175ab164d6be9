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

// How the YAML a policy is written in becomes the policy: not in the schema, which sees only the result.
const YAML_NOTES = [
  'A policy is the plain value its YAML resolves to, and that value is both what `mcp-warden check` validates and what the proxy enforces, whatever the style: block or flow, quoted or plain.',
  '',
  '- **Anchors, aliases and merge keys** are resolved first: `delete_all: *deny_rule` is the rule `&deny_rule` names, and `<<: *base` adds the keys of `base` that the map does not write itself (a written key wins, wherever `<<` stands; in `<<: [*a, *b]` the earlier map wins). A rule that comes through an alias or `<<` is reported at that alias or `<<`, and on a glob tie it counts as written there. An alias that names no anchor, an alias inside the value it names, a merge of anything but maps, and aliases that would expand the policy past 200,000 values (an alias bomb) are errors.',
  '- **Keys are names, exactly as written.** A key that YAML reads as a number, boolean or null (`007`, `1e3`, `0x1F`, `.5`, `true`, `null`, `~`) is an error that says to quote it: `"007":` is the tool `007`. Likewise a key that is a list, a map or an alias. Each key may appear once in a map.',
];

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
    '## YAML',
    '',
    ...YAML_NOTES,
    '',
    '## Keys',
    '',
  ];
  for (const [name, child] of Object.entries(schema.properties)) section(name, child, (schema.required ?? []).includes(name), 3, out);
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}

const expected = render(JSON.parse(readFileSync(SCHEMA, 'utf8')));
writeOrCheck(TARGET, expected, 'node scripts/gen-policy-docs.mjs');
