// Masks values that look like secrets before arguments are written to the audit log. Three signals:
// the key names a secret (password, token, api_key...), and then everything under it is masked, at any
// depth; the value has the shape of one (a JWT, a provider's key, a PEM block, a long random string);
// or a string carries one in a known form (a bearer token, credentials in a URL or connection string,
// `password=...`, `-p<password>`, `--password VALUE`), and then only that part is masked.
// Keys are masked like string values (a secret can be a key: `{"sk-live-...": 1}`), each in its place;
// every other key is kept as received, `__proto__` and `constructor` included. Every pattern runs
// in linear time: the arguments come from the agent, which may be hostile.

export const MASK = '[masked]';

/** Deeper than this, a value is masked whole rather than walked. */
const MAX_DEPTH = 64;

/** Matched against the key in snake case (`accessToken` -> `access_token`): its last word or words. */
const SECRET_KEY =
  /(^|[-_. ])(pass(word|wd|phrase)?|pwd|secrets?|token|api[-_]?keys?|(secret|private|signing|encryption|access)[-_]?key|credentials?|auth|authorization|cookies?|session[-_]?id|signature|bearer|otp|pin|connection[-_]?string)$/;

function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(
    key
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
      .toLowerCase(),
  );
}

/** A command-line flag whose next argument is a secret (`--password`, `--api-key`, `-token`). */
const SECRET_FLAG = /^--?[\w-]{0,32}(password|passwd|pass|pwd|token|secret|api-?key|credentials?)$/i;

/** Tokens with a provider's shape, anywhere in a string; each is replaced by MASK. */
const SECRET_TOKENS: RegExp[] = [
  /-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----(?:[\s\S]*?-----END [A-Z ]{0,40}PRIVATE KEY-----|[\s\S]*$)/g,
  /\beyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}/g, // JWT
  /\b(?:sk|pk|rk)[-_](?:live|test|proj|ant)?[-_]?[A-Za-z0-9_-]{16,}/g, // Stripe, OpenAI, Anthropic style
  /\bgh[pousr]_[A-Za-z0-9]{30,}/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{30,}/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, // Slack
  /\bAKIA[0-9A-Z]{16}\b/g, // AWS access key id
  /\bAIza[0-9A-Za-z_-]{35}\b/g, // Google API key
  /\bglpat-[A-Za-z0-9_-]{20,}/g, // GitLab
  /\bnpm_[A-Za-z0-9]{36}\b/g,
];

/** `scheme://user:password@host` (postgres, mongodb+srv, redis, https...): the password. */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]{0,30}:\/\/[^\s:/@]{0,256}:)([^\s@]{1,512})(@)/gi;

/** `Bearer <token>`, wherever it is written. */
const BEARER = /\b(Bearer\s+)[\w.~+/=-]+/gi;

/**
 * `password=...`, `"api_key": "..."`, `Authorization: Basic ...`, `?token=...`, `PGPASSWORD=...`:
 * the value after a secret's name. Bounded quantifiers keep it linear on hostile strings.
 */
const NAMED_VALUE =
  /(pass(?:word|wd|phrase)|pwd|secrets?|token|api[-_]?keys?|(?:access|secret|private)[-_]?key|auth(?:orization)?|credentials?)(["']?[ \t]{0,16}[=:][ \t]{0,16}(?:(?:Bearer|Basic|Token|Digest)[ \t]+)?)("[^"\n]{0,1024}"|'[^'\n]{0,1024}'|[^\s"'&;,]+)/gi;

/** `-p<password>` as mysql and others take it, and `--password VALUE`. */
const SHORT_PASSWORD = /(^|\s)(-p)(?=[^\s-])\S+/g;
const FLAG_VALUE = /(--?[\w-]{0,32}?(?:password|passwd|pwd|token|secret|api-?key)[ \t]+)(?=[^\s-])\S+/gi;

/** A copy of `value` with secret-looking values replaced by MASK. */
export function maskSecrets(value: unknown): unknown {
  return masked(value, false, 0);
}

function masked(value: unknown, secret: boolean, depth: number): unknown {
  if (depth > MAX_DEPTH) return MASK;
  if (typeof value === 'string') return secret && value.length > 0 ? MASK : maskString(value);
  if (typeof value === 'number') return secret ? MASK : value;
  if (Array.isArray(value)) return maskedArray(value, secret, depth);
  if (value && typeof value === 'object') return maskedObject(value as Record<string, unknown>, secret, depth);
  return value;
}

/** An argument list: the element after a secret flag (`["--password", "x"]`) is masked too. */
function maskedArray(items: unknown[], secret: boolean, depth: number): unknown[] {
  const out: unknown[] = new Array(items.length);
  let afterFlag = false;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    out[i] = masked(item, secret || afterFlag, depth + 1);
    afterFlag = typeof item === 'string' && SECRET_FLAG.test(item);
  }
  return out;
}

function maskedObject(object: Record<string, unknown>, secret: boolean, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // `{ name: "DB_PASSWORD", value: "..." }`: an environment list or a header list.
  const namedSecret = Object.prototype.hasOwnProperty.call(object, 'value') && (isSecretName(object.name) || isSecretName(object.key));
  const keys = Object.keys(object);
  const maskedKeys = keys.map(maskString);
  // Keys written as received are taken first, so a masked key never replaces one of them.
  const taken: TakenKeys = { keys: new Set(keys.filter((key, i) => maskedKeys[i] === key)), next: new Map() };
  keys.forEach((key, i) => {
    const value = masked(object[key], secret || isSecretKey(key) || (namedSecret && key === 'value'), depth + 1);
    const outKey = maskedKeys[i] === key ? key : unusedKey(maskedKeys[i], taken);
    // A plain assignment to "__proto__" would set the copy's prototype and lose the key.
    if (outKey === '__proto__') Object.defineProperty(out, outKey, { value, enumerable: true, writable: true, configurable: true });
    else out[outKey] = value;
  });
  return out;
}

/** The keys of one copy so far, and for each masked text the next number to try after it. */
interface TakenKeys {
  keys: Set<string>;
  next: Map<string, number>;
}

/**
 * `key`, or `key#2`, `key#3`...: two keys masked to the same text stay two entries. Each number is
 * tried once per text, so thousands of keys masked alike still take linear time.
 */
function unusedKey(key: string, taken: TakenKeys): string {
  let n = taken.next.get(key) ?? 1;
  let candidate = n === 1 ? key : `${key}#${n}`;
  while (taken.keys.has(candidate)) candidate = `${key}#${++n}`;
  taken.next.set(key, n + 1);
  taken.keys.add(candidate);
  return candidate;
}

function isSecretName(name: unknown): boolean {
  return typeof name === 'string' && isSecretKey(name);
}

function maskString(text: string): string {
  let out = text;
  for (const pattern of SECRET_TOKENS) out = out.replace(pattern, MASK);
  out = out.replace(URL_PASSWORD, `$1${MASK}$3`);
  out = out.replace(BEARER, `$1${MASK}`);
  out = out.replace(NAMED_VALUE, (_all, name: string, between: string, value: string) => name + between + quotedMask(value));
  out = out.replace(SHORT_PASSWORD, `$1$2${MASK}`);
  out = out.replace(FLAG_VALUE, `$1${MASK}`);
  if (out === text && looksRandom(text)) return MASK;
  return out;
}

function quotedMask(value: string): string {
  const quote = value[0];
  return quote === '"' || quote === "'" ? quote + MASK + quote : MASK;
}

/** A single long token mixing letters and digits with high entropy: a key, not a word or a path. */
function looksRandom(text: string): boolean {
  if (text.length < 24 || text.length > 512 || /[\s/\\.]/.test(text)) return false;
  if (!/[a-z]/i.test(text) || !/\d/.test(text)) return false;
  if (/^[0-9a-f-]{36}$/i.test(text)) return false; // a UUID is an identifier, not a secret
  return entropyBitsPerChar(text) >= 4;
}

function entropyBitsPerChar(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}
