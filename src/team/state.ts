// The state a decision may need beyond the policy: rate-limit counts, "allow for this session" grants,
// pending approvals, and a copy of the audit lines. In memory for one process (as today), or in Redis
// so that every gateway instance decides the same. Every operation either does what it says or rejects
// with a StateUnavailable whose message says why: a caller refuses the call then, never lets it through.
import type { SharedLimiter } from '../policy/engine';

export type { SharedLimiter };

/** The shared state could not be read or written (unreachable, too slow). The message is for people. */
export class StateUnavailable extends Error {
  override readonly name = 'StateUnavailable';
}

/**
 * Whose session a grant belongs to. A session name can come from the agent (a conversation id it sends),
 * so a grant is also bound to the caller: another caller naming the same session does not get it. A
 * gateway holds grants by its own MCP session id (which it chose, bound to the caller that opened it)
 * and the conversation the call names: an agent that names another conversation only narrows a grant.
 */
export interface GrantHolder {
  session: string;
  /** The caller's name; absent only where there are no identities (one local user). */
  principal?: string;
  /** The conversation inside the session the call named, if any: a grant for one is not one for another. */
  conversation?: string;
}

/** The longest "allow for this session" lasts, however long its session lives: a working day. */
export const SESSION_GRANT_TTL_MS = 8 * 60 * 60 * 1000;

/** "Allow for this session": a person's yes to one tool of one server, for the rest of one session. */
export interface SessionGrants {
  /** Records the grant; it lasts `ttlMs` at most (and ends with the session). */
  grant(holder: GrantHolder, server: string, tool: string, ttlMs: number): Promise<void>;
  has(holder: GrantHolder, server: string, tool: string): Promise<boolean>;
  /** The session ended: its grants go, those of each conversation in it too (`holder.conversation` is ignored). */
  endSession(holder: GrantHolder): Promise<void>;
}

/** One key per holder: the caller's name and the session, apart (neither can hold the separator). The conversation is in the field (grantKey). */
export function holderKey(holder: GrantHolder): string {
  return holder.principal === undefined ? `local\u0000${holder.session}` : `user:${holder.principal}\u0000${holder.session}`;
}

export interface ApprovalAnswer {
  approved: boolean;
  /** Who answered (a user name), or `timeout`. */
  by: string;
  reason?: string;
  /** An approval for the rest of the call's session ("Allow for this session"), not only this call. */
  forSession?: boolean;
}

export interface PendingApproval {
  id: string;
  /** What is asked, as the asking instance described it (server, tool, every argument, risk, who asked). */
  request: Record<string, unknown>;
  createdAt: number;
  expiresAt: number;
}

/** Calls waiting for a person, visible to and answerable from every instance. */
export interface ApprovalQueue {
  /** Records a pending call; unanswered after `ttlMs` it is denied. Resolves with its id. */
  create(request: Record<string, unknown>, ttlMs: number): Promise<string>;
  /** The calls still waiting, oldest first. */
  list(): Promise<PendingApproval[]>;
  /** The first answer wins: true when this one was taken, false when the call was answered, expired or is unknown. */
  answer(id: string, answer: ApprovalAnswer): Promise<boolean>;
  /**
   * Resolves with the answer, wherever it was given; at the call's expiry (or when `signal` aborts) with a
   * denial, after marking the call so no later answer is taken. Never rejects: a store that cannot be read denies.
   */
  wait(id: string, signal?: AbortSignal): Promise<ApprovalAnswer>;
}

/** A copy of the audit log's lines, bounded in length. */
export interface AuditCopy {
  append(line: string): Promise<void>;
}

export interface TeamState extends SharedLimiter {
  readonly grants: SessionGrants;
  readonly approvals: ApprovalQueue;
  readonly audit: AuditCopy;
  /** Where the state lives, for logs (`memory`, `redis://host:port`). */
  readonly where: string;
  close(): Promise<void>;
}
