// The JSON Schema keywords offered inside a rule's `args`, with what each one checks.
import type { SchemaNode } from './policy-schema';

export const JSON_TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'];

export const SCHEMA_KEYWORDS: Record<string, { node: SchemaNode; docs: string }> = {
  type: { node: { type: 'string', enum: JSON_TYPES }, docs: 'The JSON type the value must have.' },
  properties: { node: { type: 'object' }, docs: 'A schema for each named argument.' },
  required: { node: { type: 'array' }, docs: 'Arguments that must be present.' },
  additionalProperties: { node: { type: 'boolean' }, docs: '`false` refuses arguments not listed under `properties`.' },
  enum: { node: { type: 'array' }, docs: 'The only values allowed.' },
  const: { node: { type: 'string' }, docs: 'The one value allowed.' },
  pattern: { node: { type: 'string' }, docs: 'A regular expression a string must match (anchor it with `^` and `$` to match whole).' },
  minimum: { node: { type: 'number' }, docs: 'The smallest number allowed.' },
  maximum: { node: { type: 'number' }, docs: 'The largest number allowed.' },
  minLength: { node: { type: 'integer' }, docs: 'The fewest characters a string may have.' },
  maxLength: { node: { type: 'integer' }, docs: 'The most characters a string may have.' },
  items: { node: { type: 'object' }, docs: 'The schema every item of an array must satisfy.' },
  maxItems: { node: { type: 'integer' }, docs: 'The most items an array may have.' },
};

/** Keywords for the arguments object itself, and for one argument. */
export const MAP_KEYWORDS = ['type', 'properties', 'required', 'additionalProperties'];
export const VALUE_KEYWORDS = ['type', 'enum', 'const', 'pattern', 'minimum', 'maximum', 'minLength', 'maxLength', 'items', 'maxItems'];
