// The decisions the proxies reported since the editor started, latest first, with the count of blocked
// calls that the Decisions view shows as its badge, and their grouping by the chat conversation that
// made the calls.
import type { DecisionMessage } from '../proxy/control-protocol';
import { visibleName } from '../proxy/visible-text';

export interface DecisionEntry {
  /** Grows with each entry; unique in this editor session. */
  id: number;
  time: string;
  server: string;
  session: string;
  tool: string;
  decision: 'allow' | 'deny';
  policy: 'allow' | 'ask' | 'deny';
  reason: string | null;
  rule: string | null;
  line: number | null;
  latencyMs: number;
  approval?: { by: string; answer: string };
  /** The policy file of the reporting proxy, to reveal the rule in. */
  policyFile: string;
  /** The chat conversation that made the call (`_meta["vscode.conversationId"]`), when the client said. */
  conversation?: string;
  /** The chat request that made the call (`_meta["vscode.requestId"]`). */
  request?: string;
  /** The call's W3C trace context (`_meta.traceparent`). */
  traceparent?: string;
}

/** The decisions of one chat conversation, latest first. */
export interface ConversationGroup {
  kind: 'conversation';
  conversation: string;
  entries: DecisionEntry[];
  blocked: number;
}

/** What the Decisions view lists at its top: conversations and calls made outside one, latest first. */
export type DecisionRoot = ConversationGroup | DecisionEntry;

/** A conversation's id, a request's id or a trace context is kept up to this length (the proxy bounds them too). */
const ORIGIN_LENGTH = 256;

export const DEFAULT_CAPACITY = 1000;

export class DecisionLog {
  private readonly items: DecisionEntry[] = [];
  private nextId = 1;
  private blockedCount = 0;
  private readonly listeners = new Set<(entry: DecisionEntry | undefined) => void>();

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  add(message: DecisionMessage, policyFile: string): DecisionEntry {
    const entry: DecisionEntry = {
      id: this.nextId++,
      time: typeof message.time === 'string' ? message.time : new Date().toISOString(),
      server: String(message.server),
      session: String(message.session ?? ''),
      tool: String(message.tool),
      decision: message.decision === 'allow' ? 'allow' : 'deny',
      policy: message.policy === 'allow' || message.policy === 'ask' ? message.policy : 'deny',
      reason: message.reason ?? null,
      rule: message.rule ?? null,
      line: typeof message.line === 'number' ? message.line : null,
      latencyMs: Number(message.latencyMs) || 0,
      policyFile,
    };
    if (message.approval) entry.approval = { by: String(message.approval.by), answer: String(message.approval.answer) };
    for (const key of ['conversation', 'request', 'traceparent'] as const) {
      const value = message[key];
      if (typeof value === 'string' && value !== '') entry[key] = value.slice(0, ORIGIN_LENGTH);
    }
    this.items.unshift(entry);
    if (this.items.length > this.capacity) this.items.length = this.capacity;
    if (entry.decision === 'deny') this.blockedCount++;
    this.fire(entry);
    return entry;
  }

  /** Latest first. */
  entries(): readonly DecisionEntry[] {
    return this.items;
  }

  /** Calls blocked since the editor started (cleared entries included). */
  get blocked(): number {
    return this.blockedCount;
  }

  /** Forgets the entries (the blocked count stays: it counts since start). */
  clear(): void {
    this.items.length = 0;
    this.fire(undefined);
  }

  onDidChange(listener: (entry: DecisionEntry | undefined) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private fire(entry: DecisionEntry | undefined): void {
    for (const listener of [...this.listeners]) listener(entry);
  }
}

/**
 * `entries` (latest first) grouped by conversation: each conversation where its latest call is, and the calls
 * made outside a conversation in between, on their own.
 */
export function groupByConversation(entries: readonly DecisionEntry[]): DecisionRoot[] {
  const roots: DecisionRoot[] = [];
  const groups = new Map<string, ConversationGroup>();
  for (const entry of entries) {
    if (entry.conversation === undefined) {
      roots.push(entry);
      continue;
    }
    let group = groups.get(entry.conversation);
    if (!group) {
      group = { kind: 'conversation', conversation: entry.conversation, entries: [], blocked: 0 };
      groups.set(entry.conversation, group);
      roots.push(group);
    }
    group.entries.push(entry);
    if (entry.decision === 'deny') group.blocked++;
  }
  return roots;
}

/** `Conversation 3f2a9c1e…`: the start of the id, enough to tell conversations apart. */
export function conversationLabel(group: ConversationGroup): string {
  const id = group.conversation;
  return `Conversation ${visibleName(id.length > 12 ? id.slice(0, 12) : id)}${id.length > 12 ? '…' : ''}`;
}

/** `4 calls · 1 blocked · latest 10:04:05` */
export function conversationDescription(group: ConversationGroup): string {
  const count = group.entries.length;
  const parts = [`${count} ${count === 1 ? 'call' : 'calls'}`];
  if (group.blocked > 0) parts.push(`${group.blocked} blocked`);
  if (group.entries[0]) parts.push(`latest ${clock(group.entries[0].time)}`);
  return parts.join(' · ');
}

/** `10:04:05  security-scanner › stop_scan` */
export function decisionLabel(entry: DecisionEntry): string {
  return `${clock(entry.time)}  ${entry.server} › ${entry.tool}`;
}

/** `denied — Stopping a scan hides attacks`, `allowed (approved in the editor)`, ... */
export function decisionDescription(entry: DecisionEntry): string {
  const word = entry.decision === 'allow' ? 'allowed' : 'denied';
  const how = entry.approval && entry.policy === 'ask' ? ` (asked: ${entry.approval.answer === 'accept' ? 'approved' : entry.approval.answer} via ${entry.approval.by})` : '';
  return `${word}${how}${entry.decision === 'deny' && entry.reason ? ` — ${entry.reason}` : ''}`;
}

/** One line for the log channel. */
export function decisionLogLine(entry: DecisionEntry): string {
  const rule = entry.rule ? ` rule "${entry.rule}"${entry.line ? ` (line ${entry.line})` : ''}` : entry.line ? ` default (line ${entry.line})` : '';
  return `${entry.server}/${entry.tool}: ${entry.decision} (policy: ${entry.policy}${rule}${entry.approval ? `; approval ${entry.approval.answer} via ${entry.approval.by}` : ''}) in ${entry.latencyMs.toFixed(1)} ms${entry.reason ? ` — ${entry.reason}` : ''}`;
}

function clock(time: string): string {
  const date = new Date(time);
  if (Number.isNaN(date.getTime())) return time;
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}
