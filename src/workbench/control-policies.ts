// The policy texts the editor's proxies enforce: per policy file, the last one a person approved, and the
// last lockfile a person approved beside it (its pinned tool definitions). A proxy gets both in `welcome`
// and every later change in a `policy` message; what is on disk never reaches it. Keyed by the absolute
// path of the policy file the proxy names in its hello.
import { resolve } from 'node:path';

/** `lock`: the approved lockfile's text; absent when no lockfile is approved (nothing is pinned). */
export type ApprovedPolicyListener = (file: string, text: string, lock?: string) => void;

export interface ApprovedTexts {
  text: string;
  lock?: string;
}

export interface ApprovedPoliciesOptions {
  /**
   * Hold a file's policy back until its lockfile is settled (`setLock`, even to none): a proxy welcomed
   * before would enforce no pins for a moment, so until then it gets nothing and refuses every call.
   */
  awaitLocks?: boolean;
}

export class ApprovedPolicies {
  private readonly texts = new Map<string, string>();
  /** Settled lockfiles: the approved text, or undefined for none. */
  private readonly locks = new Map<string, string | undefined>();
  /** What listeners last heard per file, so an unchanged pair is no change. */
  private readonly sent = new Map<string, string>();
  private readonly listeners = new Set<ApprovedPolicyListener>();

  constructor(private readonly options: ApprovedPoliciesOptions = {}) {}

  /** Records `text` as the approved policy of `file`; listeners hear of it when it differs from the last. */
  set(file: string, text: string): void {
    const key = policyKey(file);
    this.texts.set(key, text);
    this.changed(key);
  }

  /** Records the approved lockfile of the policy `file` (undefined: none, nothing pinned). */
  setLock(file: string, lock: string | undefined): void {
    const key = policyKey(file);
    this.locks.set(key, lock);
    this.changed(key);
  }

  /** The approved text of `file`, or undefined when none was recorded. */
  get(file: string): string | undefined {
    return this.texts.get(policyKey(file));
  }

  /** The approved policy and lockfile of `file` as a proxy gets them; undefined while there is none to send. */
  approved(file: string): ApprovedTexts | undefined {
    const key = policyKey(file);
    const text = this.texts.get(key);
    if (text === undefined) return undefined;
    if (!this.locks.has(key)) return this.options.awaitLocks ? undefined : { text };
    const lock = this.locks.get(key);
    return lock === undefined ? { text } : { text, lock };
  }

  onDidChange(listener: ApprovedPolicyListener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private changed(key: string): void {
    const approved = this.approved(key);
    if (!approved) return;
    const pair = JSON.stringify([approved.text, approved.lock ?? null]);
    if (this.sent.get(key) === pair) return;
    this.sent.set(key, pair);
    for (const listener of [...this.listeners]) listener(key, approved.text, approved.lock);
  }
}

/** How a policy file is named on both sides: its absolute path. */
export function policyKey(file: string): string {
  return resolve(file);
}
