import { test } from 'node:test';
import assert from 'node:assert/strict';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import policySchema from '../../schemas/policy.schema.json';
import { ACTIONS, RATE_LIMIT_SCOPES, RISK_CATEGORIES, RISK_LEVELS } from '../../src/policy/model';

type SchemaNode = Record<string, unknown>;

// Editor annotations the schema carries besides the standard keywords; strict ajv must be told of them.
const ANNOTATION_KEYWORDS = ['markdownDescription', 'enumDescriptions', 'markdownEnumDescriptions'];

function strictAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true });
  for (const keyword of ANNOTATION_KEYWORDS) ajv.addKeyword(keyword);
  return ajv;
}

const validate: ValidateFunction = strictAjv().compile(policySchema);
const schema = policySchema as unknown as SchemaNode;

const EXAMPLE = `
version: 1
default: allow
audit:
  args: false
servers:
  security-agent:
    default: ask
    launch:
      type: stdio
      command: npx
      args: ["-y", "security-agent-mcp"]
      env: { LOG_LEVEL: info, RETRIES: 3, UNSET_ME: null }
      envFile: \${workspaceFolder}/.env
      dev: { watch: "src/**/*.ts" }
    tools:
      stop_scan:
        action: deny
        reason: Stopping a running security scan can hide an attack.
      start_security_scan:
        rate_limit: { max: 10, window: 60s, scope: session }
      delete_finding:
        action: ask
        args:
          type: object
          required: [finding_id]
          properties:
            finding_id: { type: string, pattern: "^F-[0-9]+$" }
      debug_*:
        hide: true
      run_query:
        risk: { category: execute, level: critical }
`;

function example(): any {
  return parse(EXAMPLE);
}

function errorsOf(doc: unknown): ErrorObject[] {
  assert.equal(validate(doc), false, 'the document should be invalid');
  return validate.errors ?? [];
}

function brief(errors: ErrorObject[]): Array<[string, string]> {
  return errors.map((e) => [e.keyword, e.instancePath]);
}

const STOP_SCAN = '/servers/security-agent/tools/stop_scan';
const START_SCAN = '/servers/security-agent/tools/start_security_scan';

test('the full example policy validates', () => {
  const ok = validate(example());
  assert.deepEqual(validate.errors, null);
  assert.equal(ok, true);
});

test('the smallest policy is a version alone', () => {
  assert.equal(validate({ version: 1 }), true);
  assert.equal(validate({ version: 1, servers: { s: { tools: {} } } }), true, 'an empty tools map is valid');
  assert.equal(validate({ version: 1, servers: { s: { tools: { t: {} } } } }), true, 'an empty rule is valid');
});

test('rate-limit windows: positive seconds or a duration with a unit', () => {
  for (const window of [60, 0.5, '60s', '500ms', '5m', '1.5h', '1d', '0.5s', '10ms']) {
    const doc = example();
    doc.servers['security-agent'].tools.start_security_scan.rate_limit.window = window;
    assert.equal(validate(doc), true, `window ${JSON.stringify(window)} should be valid: ${JSON.stringify(validate.errors)}`);
  }
  for (const window of ['10x', '60', 's', '1.s', '-5s', '0s', '0.0m', '1 h', '1H', 0, -1, true]) {
    const doc = example();
    doc.servers['security-agent'].tools.start_security_scan.rate_limit.window = window;
    const errors = errorsOf(doc);
    assert.ok(
      errors.some((e) => e.keyword === 'anyOf' && e.instancePath === `${START_SCAN}/rate_limit/window`),
      `window ${JSON.stringify(window)}: ${JSON.stringify(brief(errors))}`,
    );
  }
});

test('an unknown key fails with additionalProperties at its parent', () => {
  const top = { ...example(), severs: {} };
  assert.deepEqual(brief(errorsOf(top)), [['additionalProperties', '']]);
  assert.equal(validate.errors?.[0]?.params.additionalProperty, 'severs');

  const inRule = example();
  inRule.servers['security-agent'].tools.stop_scan.acton = 'deny';
  assert.deepEqual(brief(errorsOf(inRule)), [['additionalProperties', STOP_SCAN]]);
  assert.equal(validate.errors?.[0]?.params.additionalProperty, 'acton');

  const inServer = example();
  inServer.servers['security-agent'].rules = {};
  assert.deepEqual(brief(errorsOf(inServer)), [['additionalProperties', '/servers/security-agent']]);

  const inRateLimit = example();
  inRateLimit.servers['security-agent'].tools.start_security_scan.rate_limit.per = 'user';
  assert.deepEqual(brief(errorsOf(inRateLimit)), [['additionalProperties', `${START_SCAN}/rate_limit`]]);

  const inRisk = example();
  inRisk.servers['security-agent'].tools.run_query.risk.severity = 'high';
  assert.deepEqual(brief(errorsOf(inRisk)), [['additionalProperties', '/servers/security-agent/tools/run_query/risk']]);

  const inAudit = { ...example(), audit: { arguments: true } };
  assert.deepEqual(brief(errorsOf(inAudit)), [['additionalProperties', '/audit']]);
});

test('a wrong enum value fails with enum at its own path', () => {
  const action = example();
  action.servers['security-agent'].tools.stop_scan.action = 'block';
  assert.deepEqual(brief(errorsOf(action)), [['enum', `${STOP_SCAN}/action`]]);
  assert.deepEqual(validate.errors?.[0]?.params.allowedValues, ['allow', 'ask', 'deny']);

  assert.deepEqual(brief(errorsOf({ version: 1, default: 'block' })), [['enum', '/default']]);

  const serverDefault = example();
  serverDefault.servers['security-agent'].default = 'prompt';
  assert.deepEqual(brief(errorsOf(serverDefault)), [['enum', '/servers/security-agent/default']]);

  const scope = example();
  scope.servers['security-agent'].tools.start_security_scan.rate_limit.scope = 'team';
  assert.deepEqual(brief(errorsOf(scope)), [['enum', `${START_SCAN}/rate_limit/scope`]]);

  const risk = example();
  risk.servers['security-agent'].tools.run_query.risk = { category: 'delete', level: 'extreme' };
  assert.deepEqual(brief(errorsOf(risk)), [
    ['enum', '/servers/security-agent/tools/run_query/risk/category'],
    ['enum', '/servers/security-agent/tools/run_query/risk/level'],
  ]);

  const transport = example();
  transport.servers['security-agent'].launch.type = 'websocket';
  assert.deepEqual(brief(errorsOf(transport)), [['enum', '/servers/security-agent/launch/type']]);
});

test('window: 10x fails with the string branch\'s pattern and the anyOf, all at the window', () => {
  const doc = example();
  doc.servers['security-agent'].tools.start_security_scan.rate_limit.window = '10x';
  const errors = errorsOf(doc);
  const path = `${START_SCAN}/rate_limit/window`;
  assert.deepEqual(brief(errors), [
    ['type', path],
    ['pattern', path],
    ['anyOf', path],
  ]);
  assert.equal(errors[0]?.schemaPath, '#/properties/servers/additionalProperties/properties/tools/additionalProperties/properties/rate_limit/properties/window/anyOf/0/type');
  assert.equal(errors[1]?.schemaPath, '#/properties/servers/additionalProperties/properties/tools/additionalProperties/properties/rate_limit/properties/window/anyOf/1/pattern');
});

test('max must be an integer of at least 1, and max and window are required', () => {
  const zero = example();
  zero.servers['security-agent'].tools.start_security_scan.rate_limit.max = 0;
  assert.deepEqual(brief(errorsOf(zero)), [['minimum', `${START_SCAN}/rate_limit/max`]]);
  assert.equal(validate.errors?.[0]?.params.limit, 1);

  const fraction = example();
  fraction.servers['security-agent'].tools.start_security_scan.rate_limit.max = 1.5;
  assert.deepEqual(brief(errorsOf(fraction)), [['type', `${START_SCAN}/rate_limit/max`]]);

  const empty = example();
  empty.servers['security-agent'].tools.start_security_scan.rate_limit = {};
  const errors = errorsOf(empty);
  assert.deepEqual(brief(errors), [
    ['required', `${START_SCAN}/rate_limit`],
    ['required', `${START_SCAN}/rate_limit`],
  ]);
  assert.deepEqual(
    errors.map((e) => e.params.missingProperty),
    ['max', 'window'],
  );
});

test('version must be present and exactly 1', () => {
  assert.deepEqual(brief(errorsOf({ ...example(), version: 2 })), [['const', '/version']]);
  assert.deepEqual(brief(errorsOf({ ...example(), version: '1' })), [['const', '/version']]);
  const { version: _version, ...rest } = example();
  assert.deepEqual(brief(errorsOf(rest)), [['required', '']]);
  assert.equal(validate.errors?.[0]?.params.missingProperty, 'version');
});

test('maps, rules and flags must have the right type', () => {
  assert.deepEqual(brief(errorsOf(parse('version: 1\nservers:\n'))), [['type', '/servers']]);
  assert.deepEqual(brief(errorsOf(parse('version: 1\nservers:\n  s:\n'))), [['type', '/servers/s']]);
  assert.deepEqual(brief(errorsOf(parse('version: 1\nservers:\n  s:\n    tools:\n'))), [['type', '/servers/s/tools']]);
  assert.deepEqual(brief(errorsOf(parse('version: 1\nservers:\n  s:\n    tools:\n      t: deny\n'))), [['type', '/servers/s/tools/t']]);
  assert.deepEqual(brief(errorsOf(parse('version: 1\nservers:\n  s:\n    tools:\n      t: { hide: "yes" }\n'))), [['type', '/servers/s/tools/t/hide']]);
  assert.deepEqual(brief(errorsOf(parse('version: 1\nservers:\n  s:\n    tools:\n      t: { args: "string" }\n'))), [['type', '/servers/s/tools/t/args']]);
  assert.deepEqual(brief(errorsOf(parse('version: 1\nservers:\n  s:\n    tools:\n      t: { reason: 42 }\n'))), [['type', '/servers/s/tools/t/reason']]);
  assert.deepEqual(brief(errorsOf(parse('version: 1\naudit: { args: 1 }\n'))), [['type', '/audit/args']]);
  assert.deepEqual(brief(errorsOf(parse('version: 1\nservers:\n  s:\n    launch: { args: "-y" }\n'))), [['type', '/servers/s/launch/args']]);
});

test('enums agree with the policy model', () => {
  const at = (...path: string[]): SchemaNode => path.reduce<SchemaNode>((node, key) => node[key] as SchemaNode, schema);
  const rule = at('properties', 'servers', 'additionalProperties', 'properties', 'tools', 'additionalProperties');
  assert.deepEqual(at('properties', 'default').enum, ACTIONS);
  assert.deepEqual(at('properties', 'servers', 'additionalProperties', 'properties', 'default').enum, ACTIONS);
  assert.deepEqual((rule.properties as Record<string, SchemaNode>).action!.enum, ACTIONS);
  const rateLimit = (rule.properties as Record<string, SchemaNode>).rate_limit!.properties as Record<string, SchemaNode>;
  assert.deepEqual(rateLimit.scope!.enum, RATE_LIMIT_SCOPES);
  const risk = (rule.properties as Record<string, SchemaNode>).risk!.properties as Record<string, SchemaNode>;
  assert.deepEqual(risk.category!.enum, RISK_CATEGORIES);
  assert.deepEqual(risk.level!.enum, RISK_LEVELS);
});

interface Visited {
  path: string;
  node: SchemaNode;
  /** A property or map-value schema: what a hover over a key shows. */
  isProperty: boolean;
}

/** Every schema in the tree, with a readable path; anyOf branches and array items included. */
function walk(node: SchemaNode, path: string, isProperty: boolean, out: Visited[] = []): Visited[] {
  out.push({ path, node, isProperty });
  for (const [key, child] of Object.entries((node.properties ?? {}) as Record<string, SchemaNode>)) {
    walk(child, `${path}.${key}`, true, out);
  }
  for (const [pattern, child] of Object.entries((node.patternProperties ?? {}) as Record<string, SchemaNode>)) {
    walk(child, `${path}[/${pattern}/]`, true, out);
  }
  if (typeof node.additionalProperties === 'object') walk(node.additionalProperties as SchemaNode, `${path}.<name>`, true, out);
  if (typeof node.items === 'object') walk(node.items as SchemaNode, `${path}[]`, false, out);
  ((node.anyOf ?? []) as SchemaNode[]).forEach((branch, i) => walk(branch, `${path}|anyOf${i}`, false, out));
  return out;
}

const nodes = walk(schema, '$', true);

test('every property and every map value has a description and a markdownDescription', () => {
  const properties = nodes.filter((v) => v.isProperty);
  assert.ok(properties.length >= 30, `walked only ${properties.length} property schemas`);
  const undocumented = properties
    .filter((v) => !(typeof v.node.description === 'string' && v.node.description.length > 10))
    .concat(properties.filter((v) => !(typeof v.node.markdownDescription === 'string' && v.node.markdownDescription.length > 10)))
    .map((v) => v.path);
  assert.deepEqual(undocumented, []);
});

test('every enum documents each value, in enum order, in plain text and Markdown', () => {
  const enums = nodes.filter((v) => Array.isArray(v.node.enum));
  assert.equal(enums.length, 11, 'top default, server default, action, scope, category, level, launch.type, pin and poisoning at the top and per server');
  for (const { path, node } of enums) {
    const values = node.enum as unknown[];
    for (const key of ['enumDescriptions', 'markdownEnumDescriptions']) {
      const docs = node[key];
      assert.ok(Array.isArray(docs), `${path} lacks ${key}`);
      assert.equal(docs.length, values.length, `${path}.${key} has ${docs.length} entries for ${values.length} values`);
      docs.forEach((text: unknown, i: number) => assert.ok(typeof text === 'string' && text.length > 10, `${path}.${key}[${i}] is empty`));
    }
    assert.ok(typeof node.description === 'string' && typeof node.markdownDescription === 'string', `${path} lacks docs`);
  }
});

test('the main keys show a YAML example in their Markdown', () => {
  const main = [
    '$',
    '$.version',
    '$.default',
    '$.audit',
    '$.servers',
    '$.servers.<name>',
    '$.servers.<name>.default',
    '$.servers.<name>.launch',
    '$.servers.<name>.tools',
    '$.servers.<name>.tools.<name>',
    '$.servers.<name>.tools.<name>.action',
    '$.servers.<name>.tools.<name>.reason',
    '$.servers.<name>.tools.<name>.rate_limit',
    '$.servers.<name>.tools.<name>.args',
    '$.servers.<name>.tools.<name>.hide',
    '$.servers.<name>.tools.<name>.risk',
  ];
  const missing = main.filter((path) => {
    const found = nodes.find((v) => v.path === path);
    assert.ok(found, `no schema at ${path}`);
    return !String(found.node.markdownDescription).includes('```yaml\n');
  });
  assert.deepEqual(missing, []);
});

test('every object schema states additionalProperties', () => {
  const open = nodes.filter((v) => v.node.type === 'object' && v.node.additionalProperties === undefined).map((v) => v.path);
  // args is any JSON Schema; every other object is closed, a map, or (launch) open on purpose.
  assert.deepEqual(open, ['$.servers.<name>.tools.<name>.args']);
});

test('examples and defaults in the schema satisfy their own schemas', () => {
  const ajv = strictAjv();
  let checked = 0;
  for (const { path, node } of nodes) {
    const samples = [...((node.examples ?? []) as unknown[]), ...('default' in node ? [node.default] : [])];
    if (samples.length === 0) continue;
    const { $schema: _s, $id: _i, ...standalone } = node;
    const check = ajv.compile(standalone);
    for (const sample of samples) {
      assert.equal(check(sample), true, `${path}: ${JSON.stringify(sample)} fails: ${JSON.stringify(check.errors)}`);
      checked++;
    }
  }
  assert.ok(checked >= 25, `only ${checked} examples checked`);
});

test('the schema\'s own top-level example is the example policy (without its launch entry)', () => {
  const expected = example();
  delete expected.servers['security-agent'].launch;
  assert.deepEqual((schema.examples as unknown[])[0], expected);
});
