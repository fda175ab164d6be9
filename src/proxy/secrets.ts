// Masks values that look like secrets before arguments are written to the audit log. Two signals:
// the key names a secret (password, token, api_key...), or the value has the shape of one (a JWT, a
// provider's key prefix, a PEM block, credentials in a URL, a long random-looking string).

export const MASK = '[masked]';

/** Matched against the key in snake case (`accessToken` -> `access_token`): its last word or words. */
const SECRET_KEY = /(^|[-_. ])(pass(word|wd|phrase)?|secrets?|token|api[-_]?keys?|(secret|private|signing|encryption|access)[-_]?key|credentials?|auth|authorization|cookies?|session[-_]?id|signature|bearer|otp|pin)$/;

function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase());
}

const SECRET_VALUES: RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /^eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}$/, // JWT
  /\b(sk|pk|rk)[-_](live|test|proj|ant)?[-_]?[A-Za-z0-9_-]{16,}/, // Stripe, OpenAI, Anthropic style
  /\bgh[pousr]_[A-Za-z0-9]{30,}/, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{30,}/,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/, // Slack
  /\bAKIA[0-9A-Z]{16}\b/, // AWS access key id
  /\bAIza[0-9A-Za-z_-]{35}\b/, // Google API key
  /\bglpat-[A-Za-z0-9_-]{20,}/, // GitLab
  /\bnpm_[A-Za-z0-9]{36}\b/,
  /^(Bearer|Basic|Token)\s+\S{8,}$/i,
];

/** `scheme://user:password@host` keeps the user and host, masks the password. */
const URL_CREDENTIALS = /^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]+:)([^@\s]+)(@)/i;

/** A copy of `value` with secret-looking strings replaced by MASK. */
export function maskSecrets(value: unknown, key?: string, depth = 0): unknown {
  if (depth > 32) return MASK;
  if (typeof value === 'string') {
    if (key !== undefined && value.length > 0 && isSecretKey(key)) return MASK;
    return maskString(value);
  }
  if (typeof value === 'number' && key !== undefined && isSecretKey(key)) return MASK;
  if (Array.isArray(value)) return value.map((item) => maskSecrets(item, key, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = maskSecrets(v, k, depth + 1);
    return out;
  }
  return value;
}

function maskString(text: string): string {
  if (SECRET_VALUES.some((pattern) => pattern.test(text))) return MASK;
  if (URL_CREDENTIALS.test(text)) return text.replace(URL_CREDENTIALS, `$1${MASK}$3`);
  if (looksRandom(text)) return MASK;
  return text;
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
