// Answers the proxies' approval requests: asks the approver (a dialog in the editor, a script in tests),
// remembers "allow for this session" per server, session and tool (the session being the chat conversation
// when the call names one, else the proxy's session), and denies when nobody answers in time.
// A request the proxy withdrew (timeout on its side, or the agent cancelled) closes its prompt and gets no answer.
import type { ApprovalRequestMessage } from '../proxy/control-protocol';

export type ApprovalChoice = 'allow-once' | 'allow-session' | 'deny';

/** A proxy's approval request as the editor asks it: the request's own fields, keyed for this editor. */
export interface ApprovalPrompt extends Omit<ApprovalRequestMessage, 'type' | 'id'> {
  /** Unique among the prompts of this editor session. */
  key: string;
  /** The policy file of the asking proxy, for "reveal the rule". */
  policyFile: string;
}

export interface Approver {
  /**
   * Asks the user. Resolves with the choice, or undefined when the prompt was closed without one.
   * `signal` aborts when the answer is no longer wanted (timeout, the call was withdrawn); the approver
   * should then close its prompt and may resolve with anything.
   */
  ask(prompt: ApprovalPrompt, signal: AbortSignal): Promise<ApprovalChoice | undefined>;
}

export interface ApprovalAnswer {
  approved: boolean;
  reason?: string;
  /** How it was decided, for the log. */
  by: 'user' | 'session' | 'timeout' | 'dismissed' | 'error';
}

export interface SettledApproval {
  prompt: ApprovalPrompt;
  answer: ApprovalAnswer | 'withdrawn';
}

/** The slack the editor gives itself past the proxy's own timeout before it answers "no" on its own. */
const TIMEOUT_GRACE_MS = 250;

interface Pending {
  prompt: ApprovalPrompt;
  controller: AbortController;
  withdrawn: boolean;
}

export class ApprovalBroker {
  private readonly pending = new Map<string, Pending>();
  private readonly sessionAllowances = new Set<string>();
  private readonly listeners = new Set<(settled: SettledApproval) => void>();

  constructor(private readonly approver: () => Approver) {}

  /**
   * Handles one request from connection `connection`. Resolves with the answer to send, or undefined when
   * the request was withdrawn before an answer (nothing must be sent then).
   */
  async request(connection: string, message: ApprovalRequestMessage, policyFile: string): Promise<ApprovalAnswer | undefined> {
    const prompt: ApprovalPrompt = {
      key: pendingKey(connection, message.id),
      server: message.server,
      session: message.session,
      ...(typeof message.conversation === 'string' ? { conversation: message.conversation } : {}),
      ...(typeof message.request === 'string' ? { request: message.request } : {}),
      tool: message.tool,
      arguments: message.arguments,
      risk: message.risk,
      reason: message.reason,
      rule: message.rule,
      line: message.line,
      policyFile,
      timeoutMs: Number(message.timeoutMs) > 0 ? Number(message.timeoutMs) : 60_000,
    };
    if (this.sessionAllowances.has(allowanceKey(prompt))) return this.settle({ prompt, controller: new AbortController(), withdrawn: false }, { approved: true, by: 'session' });

    const entry: Pending = { prompt, controller: new AbortController(), withdrawn: false };
    this.pending.set(prompt.key, entry);
    const seconds = Math.round(prompt.timeoutMs / 100) / 10;
    const timer = setTimeout(() => entry.controller.abort(`no answer within ${seconds} s`), prompt.timeoutMs + TIMEOUT_GRACE_MS);
    let choice: ApprovalChoice | undefined;
    let failed = false;
    try {
      choice = await this.approver().ask(prompt, entry.controller.signal);
    } catch {
      failed = true;
    } finally {
      clearTimeout(timer);
      this.pending.delete(prompt.key);
    }
    if (entry.withdrawn) return this.settle(entry, 'withdrawn');
    if (entry.controller.signal.aborted) return this.settle(entry, { approved: false, reason: `Not approved in the editor: ${String(entry.controller.signal.reason)}`, by: 'timeout' });
    if (failed) return this.settle(entry, { approved: false, reason: 'The approval prompt failed in the editor', by: 'error' });
    if (choice === 'allow-session') {
      this.sessionAllowances.add(allowanceKey(prompt));
      return this.settle(entry, { approved: true, by: 'user' });
    }
    if (choice === 'allow-once') return this.settle(entry, { approved: true, by: 'user' });
    if (choice === 'deny') return this.settle(entry, { approved: false, reason: 'Denied in the editor', by: 'user' });
    return this.settle(entry, { approved: false, reason: 'The approval prompt was closed without an answer', by: 'dismissed' });
  }

  /** The proxy stopped waiting for request `id` of `connection`. */
  withdraw(connection: string, id: string, reason: string): void {
    const entry = this.pending.get(pendingKey(connection, id));
    if (!entry) return;
    entry.withdrawn = true;
    entry.controller.abort(reason);
  }

  /** A connection ended: its open prompts close, and its sessions' allowances are forgotten. */
  connectionClosed(connection: string, sessions: Iterable<string> = []): void {
    for (const [key, entry] of this.pending) {
      if (key.startsWith(`${connection}\u0000`)) {
        entry.withdrawn = true;
        entry.controller.abort('the proxy disconnected');
      }
    }
    for (const session of sessions) {
      for (const allowance of [...this.sessionAllowances]) if (allowance.includes(`\u0000${session}\u0000`)) this.sessionAllowances.delete(allowance);
    }
  }

  /** Prompts waiting for the user, oldest first. */
  waiting(): ApprovalPrompt[] {
    return [...this.pending.values()].map((entry) => entry.prompt);
  }

  /** Tools allowed for the rest of a session, as `server/tool (session)` strings. */
  allowances(): string[] {
    return [...this.sessionAllowances].map((key) => {
      const [server, session, tool] = key.split('\u0000');
      return `${server}/${tool} (${session})`;
    });
  }

  onDidSettle(listener: (settled: SettledApproval) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private settle(entry: Pending, answer: ApprovalAnswer | 'withdrawn'): ApprovalAnswer | undefined {
    for (const listener of [...this.listeners]) listener({ prompt: entry.prompt, answer });
    return answer === 'withdrawn' ? undefined : answer;
  }
}

function pendingKey(connection: string, id: string): string {
  return `${connection}\u0000${id}`;
}

/** A conversation outlives the proxy's connection: its allowances stay until the editor ends. */
function allowanceKey(prompt: ApprovalPrompt): string {
  const session = prompt.conversation !== undefined ? `conversation:${prompt.conversation}` : prompt.session;
  return `${prompt.server}\u0000${session}\u0000${prompt.tool}`;
}
