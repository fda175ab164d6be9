/**
 * What each finding code and drift kind means, in words for people: the SARIF rules' descriptions
 * and help, and the editor's tooltips. One place, so the command line and the editor say the same.
 */

import type { FindingCode, FindingSeverity } from './findings';

export type DriftKind = 'changed' | 'new' | 'removed' | 'instructions';
export type DriftRuleId = 'pin-changed' | 'pin-new' | 'pin-removed' | 'instructions-changed';

export interface RuleText {
  /** One line. */
  short: string;
  /** What it catches. */
  full: string;
  /** What to do about it. */
  help: string;
  /** The level a finding of this rule has unless it says otherwise. */
  level: FindingSeverity;
}

export const FINDING_RULES: Record<FindingCode, RuleText> = {
  'hidden-unicode': {
    short: 'Hidden Unicode characters in a tool definition',
    full:
      'Tag characters (U+E0000-E007F), zero-width characters, bidirectional controls or other invisible format characters: ' +
      'the agent reads them, the user does not see them. Tag characters can spell out whole instructions invisibly.',
    help:
      'Look at the excerpt (hidden characters are written as \\u{...}) and at what they spell. A legitimate server has no ' +
      'reason to hide text from its users: do not pin or accept the tool; report it to the server\'s authors.',
    level: 'error',
  },
  'look-alike': {
    short: 'Letters that only look like Latin ones, mixed into a word',
    full:
      'A word that mixes Latin letters with Cyrillic or Greek look-alikes (a Cyrillic е in rеad_file) or with fullwidth or ' +
      'mathematical forms: a person reads the word they expect, while the characters say something else. Warden reads ' +
      'through such letters when it looks for hidden instructions, secrets and other tools; this says they were there.',
    help:
      'Look at the letters the message names. A tool or parameter name that imitates another is an impersonation attempt: ' +
      'do not pin it. In prose it can be a typing slip; ask the server\'s authors to fix it.',
    level: 'warning',
  },
  'ansi-escape': {
    short: 'Terminal escape or control characters in a tool definition',
    full:
      'ANSI escape sequences (ESC, CSI, OSC) or other control characters, which can hide, overwrite or recolour text ' +
      'when the definition is shown in a terminal, so what a person reviews differs from what the agent reads.',
    help: 'A tool definition has no use for terminal control codes: do not pin or accept the tool until they are gone.',
    level: 'error',
  },
  'hidden-instructions': {
    short: 'Instructions aimed at the agent rather than the user',
    full:
      'Text that addresses the model instead of describing the tool: <IMPORTANT> or <SYSTEM> blocks, "ignore previous ' +
      'instructions", "do not tell the user", "before using this tool, read ...", "you must first call ...". This is how ' +
      'tool poisoning steers an agent without any call being refused.',
    help:
      'Read the whole text the excerpt comes from. An error means the text tries to override the agent\'s instructions or ' +
      'to keep something from the user: do not pin or accept the tool. A warning is a weaker sign; accept it only when ' +
      'the wording is an honest usage note.',
    level: 'error',
  },
  'sensitive-path': {
    short: 'A secret or credential file named in a tool definition',
    full:
      'Paths and names of secrets: ~/.ssh, id_rsa and other private keys, .env files, mcp.json and other agent ' +
      'configuration, .aws/credentials, keychains, .netrc, .npmrc, the Warden policy. An error when the text also tells ' +
      'the agent to read, send or pass the file on; a warning otherwise.',
    help:
      'A tool description has no business telling the agent to read a secret. When the tool really works with such files ' +
      '(a key manager, say), accept the warning; an error is an exfiltration attempt.',
    level: 'warning',
  },
  'tool-shadowing': {
    short: 'A tool definition that tells the agent how to use other tools',
    full:
      "Text that names another server's tools or tells the agent how to use other tools or servers (\"when this tool is " +
      'available, send_email must ..."). One server can so redirect the calls the agent makes to another.',
    help:
      "A tool should describe itself only. Do not pin or accept a tool that gives rules for other servers' tools.",
    level: 'error',
  },
  'oversized-description': {
    short: 'A tool definition too long to review, or too large to check',
    full:
      'A description, title or instructions text longer than a person will read (a warning), or a definition larger or ' +
      'deeper than Warden checks (an error: hostile text can hide in the part not checked).',
    help:
      'Read the text in full before accepting it. An error means part of the definition was never checked: treat the tool ' +
      'as unreviewed.',
    level: 'warning',
  },
  'annotation-mismatch': {
    short: "Annotations that make a tool look safer than its name or description",
    full:
      'readOnlyHint or destructiveHint claims that contradict what the tool\'s name or description says it does. Clients ' +
      'skip confirmations for read-only tools, so a false claim removes a prompt.',
    help: 'Warden labels the tool by the riskier reading; give it a rule of its own in the policy if it matters.',
    level: 'warning',
  },
};

export const DRIFT_RULES: Record<DriftRuleId, RuleText> = {
  'pin-changed': {
    short: 'A pinned tool changed',
    full:
      "The tool's live definition (title, description, schemas or annotations) differs from the one pinned in the " +
      'lockfile: a server can change what a tool says after it was reviewed ("rug pull").',
    help: 'Review the difference (mcp-warden scan, or Review change in the editor) and pin again only if it is benign.',
    level: 'error',
  },
  'pin-new': {
    short: 'A tool that is not pinned',
    full: 'The server lists a tool that the lockfile does not have, so nobody has reviewed its definition.',
    help: 'Review the tool and pin it (mcp-warden pin --tool NAME) if you want the agent to use it.',
    level: 'error',
  },
  'pin-removed': {
    short: 'A pinned tool disappeared',
    full: 'A tool the lockfile pins is no longer listed by the server.',
    help: 'Pin the server again to drop the tool from the lockfile, or find out why the server stopped offering it.',
    level: 'warning',
  },
  'instructions-changed': {
    short: "The server's instructions changed",
    full: "The server's instructions, which the agent reads like a description, differ from the pinned text.",
    help: 'Review the new instructions and pin the server again if they are benign.',
    level: 'warning',
  },
};

export const DRIFT_RULE_IDS: Record<DriftKind, DriftRuleId> = {
  changed: 'pin-changed',
  new: 'pin-new',
  removed: 'pin-removed',
  instructions: 'instructions-changed',
};
