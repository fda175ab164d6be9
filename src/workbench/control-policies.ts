// The policy texts the editor's proxies enforce: per policy file, the last one a person approved. A proxy
// gets its file's text in `welcome` and every later one in a `policy` message; what is on disk never
// reaches it. Keyed by the absolute path the proxy names in its hello.
import { resolve } from 'node:path';

export type ApprovedPolicyListener = (file: string, text: string) => void;

export class ApprovedPolicies {
  private readonly texts = new Map<string, string>();
  private readonly listeners = new Set<ApprovedPolicyListener>();

  /** Records `text` as the approved policy of `file`; listeners hear of it when it differs from the last. */
  set(file: string, text: string): void {
    const key = policyKey(file);
    if (this.texts.get(key) === text) return;
    this.texts.set(key, text);
    for (const listener of [...this.listeners]) listener(key, text);
  }

  /** The approved text of `file`, or undefined when none was recorded. */
  get(file: string): string | undefined {
    return this.texts.get(policyKey(file));
  }

  onDidChange(listener: ApprovedPolicyListener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
}

/** How a policy file is named on both sides: its absolute path. */
export function policyKey(file: string): string {
  return resolve(file);
}
