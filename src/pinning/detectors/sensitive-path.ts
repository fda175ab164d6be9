/**
 * `sensitive-path`: a text that names a secret: SSH keys and their folder, private key and
 * certificate files, `.env` files, MCP client configuration (mcp.json, claude_desktop_config.json),
 * Warden's own policy and lockfile, cloud and registry credentials (.aws/credentials, .kube/config,
 * .docker/config.json, .npmrc, .netrc, .git-credentials ...), keychains and key rings, shell history,
 * /etc/shadow; and the words "private key", "SSH key", "seed phrase".
 *
 * An error when the same or a neighbouring sentence tells the agent to send or pass something on, or
 * to read something in words aimed at it ("you", "first", "before", "must", "please", or inside an
 * <IMPORTANT>-style block): that is how tool poisoning exfiltrates. A warning otherwise, since a tool
 * may honestly work with such files.
 */

import type { Finding } from '../findings';
import type { FieldText } from '../fields';
import { FieldFindings, finding, type Detector } from './detector';
import { modelBlocks } from './hidden-instructions';
import { matchPhrase, phrase, sentenceAt, sentencesHave, slot, wordsOf } from './text';

/** A token longer than this is not a path (base64, a URL's query); it is not read for one. */
const TOKEN_LIMIT = 1024;

const SEND = new Set([
  'send', 'upload', 'post', 'forward', 'transmit', 'exfiltrate', 'pass', 'include', 'attach', 'append', 'embed',
  'copy', 'paste', 'share', 'leak', 'email', 'put', 'provide', 'submit', 'sidenote',
]);
const READ = new Set(['read', 'cat', 'open', 'load', 'fetch', 'get', 'access', 'print', 'output', 'dump', 'show', 'display', 'retrieve', 'grab', 'collect', 'extract', 'view']);
const AIMED_AT_AGENT = new Set(['you', 'your', 'first', 'before', 'must', 'please', 'sure', 'always', 'immediately']);
/** A property named for a secret's content asks the agent to fill it in: content_from_reading_ssh_id_rsa. */
const CONTENT = new Set(['content', 'contents', 'data', 'text', 'value', 'body']);

const PHRASES = [
  { phrase: phrase(slot(0, 'private', 'ssh', 'secret'), slot(0, 'key', 'keys')), what: 'a private key' },
  { phrase: phrase(slot(0, 'seed', 'recovery', 'mnemonic'), slot(0, 'phrase', 'phrases', 'words')), what: 'a wallet seed phrase' },
];

const SECRET_FILES: Record<string, string> = {
  authorized_keys: 'the SSH authorized keys',
  'mcp.json': "an MCP client's configuration",
  '.mcp.json': "an MCP client's configuration",
  'claude_desktop_config.json': "an MCP client's configuration",
  'mcp_config.json': "an MCP client's configuration",
  'mcp_settings.json': "an MCP client's configuration",
  'cline_mcp_settings.json': "an MCP client's configuration",
  'mcp-policy.yaml': "Warden's policy",
  'mcp-policy.yml': "Warden's policy",
  'mcp-policy.lock': "Warden's lockfile",
  '.npmrc': 'a registry token file',
  '.pypirc': 'a registry token file',
  '.netrc': 'a password file (.netrc)',
  _netrc: 'a password file (.netrc)',
  '.git-credentials': 'stored Git credentials',
  '.pgpass': 'a database password file',
  '.my.cnf': 'a database password file',
  'credentials.json': 'a credentials file',
  'application_default_credentials.json': 'cloud credentials',
  '.bash_history': 'the shell history',
  '.zsh_history': 'the shell history',
  '.histfile': 'the shell history',
  'wallet.dat': 'a cryptocurrency wallet',
  '.gnupg': 'the GnuPG key ring',
  '.password-store': 'a password store',
  '.ssh': 'the SSH folder',
};

const SECRET_PAIRS: Record<string, Record<string, string>> = {
  '.aws': { credentials: 'AWS credentials', config: 'AWS configuration' },
  '.kube': { config: 'Kubernetes credentials' },
  '.docker': { 'config.json': 'Docker registry credentials' },
  '.azure': { '': 'Azure credentials' },
  gcloud: { '': 'Google Cloud credentials' },
  etc: { shadow: 'the system password hashes', passwd: 'the system accounts', sudoers: 'the sudo rules' },
  '.cursor': { 'mcp.json': "an MCP client's configuration" },
};

const KEY_EXTENSIONS = new Set(['pem', 'key', 'p12', 'pfx', 'jks', 'keystore', 'ppk', 'kdbx', 'asc', 'gpg']);
const ENV_EXAMPLES = new Set(['example', 'sample', 'template', 'dist', 'defaults']);

export const sensitivePaths: Detector = (field: FieldText, _context, out: Finding[]) => {
  if (!field.prose) return;
  const found = new FieldFindings(out);
  const text = field.text;
  let i = 0;
  while (i < text.length) {
    if (isTokenBreak(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    while (i < text.length && !isTokenBreak(text.charCodeAt(i))) i++;
    let end = i;
    while (end > start && isTrailingPunctuation(text.charCodeAt(end - 1))) end--;
    if (end > start && end - start <= TOKEN_LIMIT && mayBePath(text, start, end)) {
      const what = secretNamed(text.slice(start, end));
      if (what !== undefined) report(field, found, start, end, what);
    }
  }
  const words = wordsOf(field);
  for (const p of PHRASES) {
    for (const m of matchPhrase(words, p.phrase)) report(field, found, m.start, m.end, p.what);
  }
  found.finish();
};

function report(field: FieldText, found: FieldFindings, start: number, end: number, what: string): void {
  const sentence = sentenceAt(field, start);
  const sends =
    sentencesHave(field, sentence - 1, sentence + 1, SEND) ||
    (field.field.endsWith(' (name)') && sentencesHave(field, sentence, sentence, CONTENT));
  const reads =
    sentencesHave(field, sentence - 1, sentence + 1, READ) &&
    (sentencesHave(field, sentence - 1, sentence + 1, AIMED_AT_AGENT) || insideModelBlock(field, start));
  if (sends || reads) {
    found.add('error', () => finding(field, 'sensitive-path', 'error', start, end, `tells the agent to ${sends ? 'send or pass on' : 'read'} ${what}`));
  } else {
    found.add('warning', () => finding(field, 'sensitive-path', 'warning', start, end, `names ${what}`));
  }
}

const coveredCache = new WeakMap<FieldText, { start: number; end: number }[]>();

/** Whether `at` is inside an <IMPORTANT>-style block: a binary search in the blocks' union. */
function insideModelBlock(field: FieldText, at: number): boolean {
  let covered = coveredCache.get(field);
  if (covered === undefined) {
    covered = [];
    for (const b of modelBlocks(field)) {
      const last = covered[covered.length - 1];
      if (last !== undefined && b.start <= last.end) last.end = Math.max(last.end, b.end);
      else covered.push({ start: b.start, end: b.end });
    }
    coveredCache.set(field, covered);
  }
  let low = 0;
  let high = covered.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (covered[mid].end <= at) low = mid + 1;
    else if (covered[mid].start > at) high = mid - 1;
    else return true;
  }
  return false;
}

/** What secret a path names, by its segments (`~/.ssh/id_rsa`, `C:\Users\me\.aws\credentials`). */
export function secretNamed(token: string): string | undefined {
  const segments = token.toLowerCase().replaceAll('\\', '/').split('/');
  let named: string | undefined;
  for (let s = 0; s < segments.length; s++) {
    const segment = segments[s];
    const next = segments[s + 1];
    const pair = SECRET_PAIRS[segment];
    const paired = pair === undefined ? undefined : next !== undefined ? (pair[next] ?? pair['']) : pair[''];
    // The most specific name wins: ~/.ssh/id_rsa is a private key, not just the SSH folder.
    const here = paired ?? fileNamed(segment);
    if (here !== undefined && (named === undefined || s > 0)) named = here;
  }
  return named;
}

function fileNamed(segment: string): string | undefined {
  if (Object.hasOwn(SECRET_FILES, segment)) return SECRET_FILES[segment];
  if (/(^|[^a-z0-9])id_(rsa|dsa|ecdsa|ed25519)/.test(segment) && !segment.endsWith('.pub')) return 'an SSH private key';
  if (segment === '.env' || (segment.startsWith('.env.') && !ENV_EXAMPLES.has(segment.slice(5)))) return 'a .env file of secrets';
  if (segment.endsWith('.mcp-policy.yaml') || segment.endsWith('.mcp-policy.yml') || segment.endsWith('.mcp-policy.lock')) return "Warden's policy";
  if (segment.includes('keychain')) return 'a keychain';
  const dot = segment.lastIndexOf('.');
  if (dot > 0 && KEY_EXTENSIONS.has(segment.slice(dot + 1)) && /^[\w*.-]+$/.test(segment.slice(0, dot))) return 'a key or certificate file';
  return undefined;
}

/** Only a token with a dot, slash or underscore, or one naming a keychain, can name a secret file. */
function mayBePath(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 || c === 47 || c === 92 || c === 95) return true;
  }
  return text.slice(start, end).toLowerCase().includes('keychain');
}

/** Paths end at white space, quotes, brackets and commas. */
function isTokenBreak(code: number): boolean {
  return (
    code <= 32 || code === 34 || code === 39 || code === 96 || code === 40 || code === 41 || code === 91 || code === 93 ||
    code === 123 || code === 125 || code === 60 || code === 62 || code === 44 || code === 0x2018 || code === 0x2019 ||
    code === 0x201c || code === 0x201d || code === 0xa0
  );
}

function isTrailingPunctuation(code: number): boolean {
  return code === 46 || code === 59 || code === 58 || code === 33 || code === 63;
}
