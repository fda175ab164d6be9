// Masking of opt-in audit arguments: secrets under secret keys at any depth, secrets written inside
// strings in their usual forms, secrets used as keys (the other keys kept as received), and linear time
// on hostile strings.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MASK, maskSecrets } from '../../src/proxy/secrets';

describe('maskSecrets: keys', () => {
  it('masks everything under a secret key, at any depth and in lists', () => {
    assert.deepEqual(
      maskSecrets({
        a: [{ b: [[{ c: { clientSecret: 'x', DBPassword: 'y', 'x-api-key': 'z', pin: 1234 } }]] }],
        credentials: { user: 'alice', list: ['p', 'q'], n: 7, on: true, none: null },
        auth_token: { value: { deeper: 'v' } },
      }),
      {
        a: [{ b: [[{ c: { clientSecret: MASK, DBPassword: MASK, 'x-api-key': MASK, pin: MASK } }]] }],
        credentials: { user: MASK, list: [MASK, MASK], n: MASK, on: true, none: null },
        auth_token: { value: { deeper: MASK } },
      },
    );
  });

  it('masks the value of a name/value pair that names a secret', () => {
    assert.deepEqual(
      maskSecrets({
        env: [
          { name: 'GITHUB_TOKEN', value: 'v1' },
          { name: 'PATH', value: '/usr/bin' },
        ],
        headers: [{ key: 'Authorization', value: 'Basic abc' }],
      }),
      {
        env: [
          { name: 'GITHUB_TOKEN', value: MASK },
          { name: 'PATH', value: '/usr/bin' },
        ],
        headers: [{ key: 'Authorization', value: MASK }],
      },
    );
  });

  it('masks the argument after a secret flag in an argument list', () => {
    assert.deepEqual(maskSecrets(['mysql', '--password', 'p1', '--user', 'root', '-token', 't1', '--db-password', 'p2']), [
      'mysql',
      '--password',
      MASK,
      '--user',
      'root',
      '-token',
      MASK,
      '--db-password',
      MASK,
    ]);
  });

  it('keeps __proto__, constructor and prototype keys as own keys, and pollutes nothing', () => {
    const input = JSON.parse('{"__proto__":{"a":1,"password":"p"},"constructor":{"prototype":{"b":2}},"hasOwnProperty":"h"}') as unknown;
    const masked = maskSecrets(input) as Record<string, unknown>;
    assert.deepEqual(Object.keys(masked), ['__proto__', 'constructor', 'hasOwnProperty']);
    assert.equal(Object.getPrototypeOf(masked), Object.prototype);
    assert.equal(JSON.stringify(masked), '{"__proto__":{"a":1,"password":"[masked]"},"constructor":{"prototype":{"b":2}},"hasOwnProperty":"h"}');
    assert.equal((masked as { a?: unknown }).a, undefined);
  });

  it('masks secrets in keys as in values, in order, and never lets two masked keys fall together', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
    const masked = maskSecrets({
      first: 1,
      'sk-live-aaaaaaaaaaaaaaaaaaaa': { nested: 'value kept' },
      [`${MASK}#2`]: 'a real key that looks like a masked one',
      'sk-live-bbbbbbbbbbbbbbbbbbbb': 2,
      [jwt]: 3,
      'password=hunter2': 4,
      last: 5,
    }) as Record<string, unknown>;
    assert.deepEqual(Object.keys(masked), ['first', MASK, `${MASK}#2`, `${MASK}#3`, `${MASK}#4`, `password=${MASK}`, 'last']);
    assert.deepEqual(Object.values(masked), [1, { nested: 'value kept' }, 'a real key that looks like a masked one', 2, 3, 4, 5]);
  });

  it('masks secret keys under a secret key too, and leaves plain keys there as they are', () => {
    assert.deepEqual(maskSecrets({ secrets: { alice: 'x', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789': 'y' } }), {
      secrets: { alice: MASK, [MASK]: MASK },
    });
  });

  it('masks a value nested deeper than it walks, whole', () => {
    let deep: unknown = 'plain';
    for (let i = 0; i < 100; i++) deep = [deep];
    assert.ok(JSON.stringify(maskSecrets(deep)).includes(MASK));
  });
});

describe('maskSecrets: secrets inside strings', () => {
  const cases: [string, string][] = [
    ['Authorization: Bearer abc.def', 'Authorization: Bearer [masked]'],
    ['bearer xyz', 'bearer [masked]'],
    ['Authorization: Basic dXNlcjpwYXNz', 'Authorization: Basic [masked]'],
    ['postgres://user:pass@host/db', 'postgres://user:[masked]@host/db'],
    ['postgresql://u:p%40ss@h:5432/d?sslmode=require', 'postgresql://u:[masked]@h:5432/d?sslmode=require'],
    ['mongodb+srv://svc:pw@cluster0.example.net/db', 'mongodb+srv://svc:[masked]@cluster0.example.net/db'],
    ['redis://:pw@cache:6379', 'redis://:[masked]@cache:6379'],
    ['amqp://guest:guest@mq/ and https://a:b@c.example', 'amqp://guest:[masked]@mq/ and https://a:[masked]@c.example'],
    ['Server=db;Uid=sa;Pwd=x1;', 'Server=db;Uid=sa;Pwd=[masked];'],
    ['Host=db;Password="with space";Port=5', 'Host=db;Password="[masked]";Port=5'],
    ["password='quoted one'", "password='[masked]'"],
    ['https://x.example/cb?code=1&access_token=t0k&state=s', 'https://x.example/cb?code=1&access_token=[masked]&state=s'],
    ['export AWS_SECRET_ACCESS_KEY=abc123', 'export AWS_SECRET_ACCESS_KEY=[masked]'],
    ['{"api_key": "k1", "name": "n"}', '{"api_key": "[masked]", "name": "n"}'],
    ['mysql -uroot -psecret db', 'mysql -uroot -p[masked] db'],
    ['-pfirst', '-p[masked]'],
    ['tool --password=pw --token tk --api-key=ak --verbose', 'tool --password=[masked] --token [masked] --api-key=[masked] --verbose'],
    ['key: sk-live-abcdefghijklmnop1234 end', 'key: [masked] end'],
    ['-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\nafter', '[masked]\nafter'],
  ];
  for (const [input, expected] of cases) {
    it(`masks ${JSON.stringify(input)}`, () => assert.equal(maskSecrets(input), expected));
  }

  const kept = ['mkdir -p notes', 'user@example.com', 'https://example.com/a@b', 'max_tokens: 100', 'author: Bob', 'the tokens are counted', 'a password is needed', 'C:\\Users\\x', '123e4567-e89b-12d3-a456-426614174000', ''];
  for (const input of kept) {
    it(`keeps ${JSON.stringify(input)}`, () => assert.equal(maskSecrets(input), input));
  }
});

describe('maskSecrets: linear time on hostile strings', () => {
  const hostile = [
    'x://u:'.repeat(40_000),
    'password="'.repeat(25_000),
    'a'.repeat(250_000),
    '-'.repeat(250_000) + 'password',
    '--'.repeat(100_000) + 'token',
    'Bearer '.repeat(40_000),
    'postgres://' + 'u'.repeat(100_000) + ':' + 'p'.repeat(100_000),
    '-----BEGIN PRIVATE KEY-----'.repeat(10_000),
    'token' + ' '.repeat(200_000),
  ];
  for (const text of hostile) {
    it(`masks ${JSON.stringify(text.slice(0, 24))}... (${text.length} characters) within 500 ms`, () => {
      const started = performance.now();
      maskSecrets({ text, list: [text] });
      assert.ok(performance.now() - started < 500, `${Math.round(performance.now() - started)} ms`);
    });
  }
});

describe('maskSecrets: linear time on hostile keys', () => {
  // About 0.2 s alone, 1 s on a busy machine; numbering each key from #2 again would take minutes.
  it('masks 50,000 keys that all mask to the same text (and real keys in their way) within 5 s', () => {
    const object: Record<string, number> = {};
    for (let i = 0; i < 1000; i++) object[`${MASK}#${i + 2}`] = i;
    for (let i = 0; i < 50_000; i++) object[`sk-live-${String(i).padStart(20, 'x')}`] = i;
    const started = performance.now();
    const masked = maskSecrets(object) as Record<string, number>;
    const elapsed = performance.now() - started;
    assert.equal(Object.keys(masked).length, 51_000);
    assert.equal(masked[MASK], 0);
    assert.equal(masked[`${MASK}#1002`], 1);
    assert.ok(elapsed < 5000, `${Math.round(elapsed)} ms`);
  });
});
