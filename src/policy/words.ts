// The verbs the risk classifier knows, by the category of action they name, and the lookup tables
// built from them once at load. Names are matched on base forms only ("delete" in `delete_user`);
// descriptions also on inflected forms ("Deletes", "Deleting", "Deleted", "Stops").

import { RISK_CATEGORIES, type RiskCategory } from './model';

/**
 * Base forms, lower case. A word belongs to the category of the worst thing it usually does to
 * the world; words that are mostly nouns or mean opposite things in different tools
 * ("format", "open", "select", "scan", "generate") are left out on purpose.
 */
export const VERBS: Readonly<Record<RiskCategory, readonly string[]>> = {
  read: [
    'get', 'list', 'describe', 'read', 'search', 'fetch', 'find', 'query', 'show', 'view', 'lookup',
    'look', 'check', 'count', 'inspect', 'retrieve', 'browse', 'explore', 'return', 'echo', 'ping',
    'display', 'print', 'preview', 'peek', 'tail', 'grep', 'analyze', 'analyse', 'summarize',
    'summarise', 'explain', 'compare', 'diff', 'parse', 'calculate', 'compute', 'estimate',
    'validate', 'verify', 'capture', 'screenshot', 'watch', 'poll',
  ],
  write: [
    'create', 'update', 'put', 'set', 'write', 'add', 'edit', 'modify', 'patch', 'upload', 'save',
    'insert', 'rename', 'move', 'append', 'tag', 'upsert', 'replace', 'copy', 'clone', 'import',
    'export', 'download', 'commit', 'push', 'pull', 'merge', 'rebase', 'fork', 'apply', 'submit',
    'assign', 'unassign', 'attach', 'detach', 'comment', 'label', 'annotate', 'star', 'unstar',
    'enable', 'disable', 'configure', 'register', 'link', 'archive', 'unarchive', 'restore',
    'revert', 'undo', 'lock', 'unlock', 'approve', 'reject', 'decline', 'dismiss', 'close',
    'reopen', 'mark', 'pin', 'unpin', 'follow', 'unfollow', 'subscribe', 'unsubscribe', 'share',
    'invite', 'grant', 'store', 'record', 'increment', 'decrement', 'toggle', 'switch', 'sync',
    'init', 'initialize', 'initialise', 'resize', 'scale', 'activate', 'deactivate',
  ],
  execute: [
    'run', 'exec', 'execute', 'start', 'stop', 'trigger', 'invoke', 'send', 'restart', 'reboot',
    'launch', 'call', 'deploy', 'schedule', 'rerun', 'retry', 'eval', 'evaluate', 'spawn', 'build',
    'rebuild', 'compile', 'install', 'upgrade', 'downgrade', 'migrate', 'provision', 'rollback',
    'pause', 'resume', 'suspend', 'unpause', 'cancel', 'abort', 'halt', 'shut', 'shutdown',
    'post', 'publish', 'reply', 'forward', 'notify', 'broadcast', 'emit', 'dispatch', 'enqueue',
    'transfer', 'pay', 'purchase', 'buy', 'perform', 'click', 'press', 'drag', 'navigate',
    'connect', 'disconnect', 'mount', 'unmount',
  ],
  // `kill` is destructive, not execute like `stop` and `cancel`: it is `terminate` without the
  // grace period, whatever the process or session held is lost, and it cannot be resumed.
  destructive: [
    'delete', 'remove', 'drop', 'destroy', 'purge', 'terminate', 'erase', 'wipe', 'truncate',
    'revoke', 'uninstall', 'reset', 'kill', 'clear', 'flush', 'discard', 'unlink', 'unregister',
    'deregister', 'overwrite', 'shred', 'nuke', 'evict', 'expunge', 'prune', 'clean', 'cleanup',
    'rm', 'rmdir', 'del',
  ],
};

/** Inflected forms that the regular rules in `inflect` cannot make, mapped to their base form. */
export const IRREGULAR_FORMS: Readonly<Record<string, string>> = {
  got: 'get', gotten: 'get', found: 'find', shown: 'show', wrote: 'write', written: 'write',
  ran: 'run', reran: 'rerun', sent: 'send', built: 'build', rebuilt: 'rebuild',
  overwrote: 'overwrite', overwritten: 'overwrite', forwarded: 'forward',
};

/** Words that, right before a verb, say the tool does not do it ("does not modify", "without deleting"). */
export const NEGATIONS: ReadonlySet<string> = new Set([
  'not', 'never', 'without', 'no', "don't", "doesn't", "didn't", "won't", 'cannot', "can't",
]);

/** Words that join two actions in a tool name (`get_or_create`, `list_and_delete`). */
export const NAME_CONJUNCTIONS: ReadonlySet<string> = new Set(['and', 'or', 'then']);

const VOWELS = 'aeiou';
const TAKES_ES = /(?:s|x|z|ch|sh|o)$/;

function isConsonant(ch: string | undefined): boolean {
  return ch !== undefined && ch >= 'a' && ch <= 'z' && !VOWELS.includes(ch);
}

/**
 * The regular English forms of a base verb: third person (-s, -es, -ies), present participle
 * (-ing) and past (-ed), with the doubled final consonant of `stop`/`stopping` offered as an
 * extra spelling. Over-generation is harmless: a spelling no one writes never matches.
 */
export function inflect(base: string): string[] {
  const forms = [base];
  const last = base[base.length - 1];
  const beforeLast = base[base.length - 2];
  const endsInConsonantY = last === 'y' && isConsonant(beforeLast);
  const stem = endsInConsonantY ? base.slice(0, -1) : base;

  if (endsInConsonantY) forms.push(stem + 'ies');
  else if (TAKES_ES.test(base)) forms.push(base + 'es');
  else forms.push(base + 's');

  if (last === 'e' && beforeLast !== 'e') forms.push(base.slice(0, -1) + 'ing');
  else forms.push(base + 'ing');

  if (last === 'e') forms.push(base + 'd');
  else if (endsInConsonantY) forms.push(stem + 'ied');
  else forms.push(base + 'ed');

  // stop -> stopping, stopped; run -> running
  if (isConsonant(last) && last !== 'w' && last !== 'x' && last !== 'y' && VOWELS.includes(beforeLast ?? '') &&
    isConsonant(base[base.length - 3])) {
    forms.push(base + last + 'ing', base + last + 'ed');
  }
  return forms;
}

function riskier(a: RiskCategory, b: RiskCategory): RiskCategory {
  return RISK_CATEGORIES.indexOf(a) >= RISK_CATEGORIES.indexOf(b) ? a : b;
}

function buildTable(withForms: boolean): Map<string, RiskCategory> {
  const table = new Map<string, RiskCategory>();
  const put = (word: string, category: RiskCategory): void => {
    const known = table.get(word);
    // Should two lists ever share a spelling, the riskier reading wins.
    table.set(word, known === undefined ? category : riskier(known, category));
  };
  for (const category of RISK_CATEGORIES) {
    for (const base of VERBS[category]) {
      for (const form of withForms ? inflect(base) : [base]) put(form, category);
    }
  }
  if (withForms) {
    for (const [form, base] of Object.entries(IRREGULAR_FORMS)) {
      const category = table.get(base);
      if (category !== undefined) put(form, category);
    }
  }
  return table;
}

/** Base form -> category; what a tool's name is matched against. */
export const NAME_VERBS: ReadonlyMap<string, RiskCategory> = buildTable(false);

/** Base and inflected forms -> category; what a tool's description is matched against. */
export const TEXT_VERBS: ReadonlyMap<string, RiskCategory> = buildTable(true);
