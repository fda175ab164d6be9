// The policy's JSON Schema, walked by key path: the source of key and value completions and of hover
// docs. The schema has no $ref; maps keyed by names (servers, tools) use additionalProperties.
import policySchema from '../../schemas/policy.schema.json';

export interface SchemaNode {
  type?: string | string[];
  description?: string;
  markdownDescription?: string;
  enum?: unknown[];
  enumDescriptions?: string[];
  markdownEnumDescriptions?: string[];
  const?: unknown;
  default?: unknown;
  examples?: unknown[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  required?: string[];
  items?: SchemaNode;
  anyOf?: SchemaNode[];
}

export const POLICY_SCHEMA = policySchema as unknown as SchemaNode;

/** The schema of the value at `path` (`-` steps into a sequence item); undefined off the schema. */
export function schemaAt(path: readonly string[]): SchemaNode | undefined {
  let node: SchemaNode | undefined = POLICY_SCHEMA;
  for (const segment of path) {
    if (!node) return undefined;
    if (segment === '-') {
      node = node.items;
    } else if (node.properties && Object.hasOwn(node.properties, segment)) {
      node = node.properties[segment];
    } else if (node.additionalProperties && typeof node.additionalProperties === 'object') {
      node = node.additionalProperties;
    } else {
      return undefined;
    }
  }
  return node;
}

/** What a key path means in a policy: which server, which rule, and where under `args`. */
export interface PolicyPlace {
  server?: string;
  tool?: string;
  /** Keys below a rule's `args` (the JSON Schema the call's arguments must satisfy). */
  args?: string[];
}

export function placeOf(path: readonly string[]): PolicyPlace {
  if (path[0] !== 'servers' || path.length < 2) return {};
  const place: PolicyPlace = { server: path[1] };
  if (path[2] !== 'tools' || path.length < 4) return place;
  place.tool = path[3];
  if (path[4] === 'args') place.args = path.slice(5);
  return place;
}

/** The first sentence of a description, for one-line details. */
export function firstSentence(text: string | undefined): string {
  if (!text) return '';
  // A full stop ends the sentence before a capital or the end, and not after `e.g` or `i.e`.
  const match = /^(.+?(?<!\be\.g|\bi\.e)[.!?])(?:\s+(?=[A-Z])|\s*$)/s.exec(text);
  const sentence = (match ? match[1] : text).replace(/\s+/g, ' ').trim();
  return sentence.length > 120 ? `${sentence.slice(0, 117)}...` : sentence;
}

/** The markdown docs of a schema node, falling back to its plain description. */
export function docsOf(node: SchemaNode | undefined): string {
  return node?.markdownDescription ?? node?.description ?? '';
}

export function typeOf(node: SchemaNode): string | undefined {
  if (node.enum || node.const !== undefined) return 'enum';
  if (Array.isArray(node.type)) return node.type[0];
  if (node.type) return node.type;
  if (node.anyOf) return 'union';
  if (node.properties || node.additionalProperties) return 'object';
  return undefined;
}

/** Values a scalar may take: enum values, a const, true/false, or the examples of a free value. */
export function valuesOf(node: SchemaNode): { value: string; docs?: string; detail?: string }[] {
  if (node.enum) {
    return node.enum.map((value, i) => ({
      value: String(value),
      detail: node.enumDescriptions?.[i],
      docs: node.markdownEnumDescriptions?.[i] ?? node.enumDescriptions?.[i],
    }));
  }
  if (node.const !== undefined) return [{ value: String(node.const), detail: firstSentence(node.description) }];
  if (node.type === 'boolean') {
    const fallback = node.default === true ? 'true' : 'false';
    return ['true', 'false'].map((value) => ({ value, detail: value === fallback ? 'the default' : undefined }));
  }
  return [];
}
