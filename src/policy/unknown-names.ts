// "Did you mean": a server or tool name that neither the policy nor the editor knows is most likely a
// typo, and the answer for it (a default deciding) would read as an answer about the intended name.
import { PolicyEngine } from './engine';
import type { Policy } from './model';
import { closestMatches } from './suggest';

/** What the editor knows: the declared servers, and the tools a server listed (undefined: never listed). */
export interface KnownNames {
  servers: readonly string[];
  tools(server: string): readonly string[] | undefined;
}

/** Notes on the names of a call the policy does not know; empty when both are known (or the policy is unusable). */
export function unknownNameNotes(policy: Policy | undefined, call: { server: string; tool: string }, known?: KnownNames): string[] {
  if (!policy) return [];
  const { server, tool } = call;
  const entry = policy.servers.get(server);
  const topDefault = `the top-level default decides (${policy.default})`;
  if (!entry) {
    if (known?.servers.includes(server)) return [`Server "${server}" has no entry in the policy: ${topDefault}.`];
    const where = known ? 'is neither in the policy nor among the servers VS Code knows' : 'is not in the policy';
    return [`Server "${server}" ${where}: ${topDefault}.${didYouMean(server, [...policy.servers.keys(), ...(known?.servers ?? [])])}`];
  }
  if (new PolicyEngine(policy).ruleFor(server, tool)) return [];
  const listed = known?.tools(server);
  if (listed?.includes(tool)) return [];
  const rules = entry.tools.filter((rule) => !rule.isGlob).map((rule) => rule.pattern);
  const suggestion = didYouMean(tool, [...rules, ...(listed ?? [])]);
  if (!listed && !suggestion) return [];
  const decides = entry.default !== undefined ? `the default of "${server}" decides (${entry.default})` : topDefault;
  const notListed = listed ? ` and is not among its ${listed.length} listed tools` : '';
  return [`Tool "${tool}" matches no rule of "${server}"${notListed}: ${decides}.${suggestion}`];
}

function didYouMean(word: string, candidates: string[]): string {
  const [closest] = closestMatches(word, new Set(candidates), 1);
  return closest === undefined ? '' : ` Did you mean "${closest}"?`;
}
