// The outline: each server, and under it its rules (exact tool names and globs) with what they decide.
import { formatSeconds } from '../policy/duration';
import type { ToolCatalogue } from './catalogue';
import type { PolicySnapshot } from './policy-documents';
import { riskBadge } from './tool-docs';
import type { DocumentSymbol } from './types';

export function documentSymbols(snapshot: PolicySnapshot, catalogue: ToolCatalogue): DocumentSymbol[] {
  const symbols: DocumentSymbol[] = [];
  for (const server of snapshot.policy.servers.values()) {
    const children = server.tools.map((rule): DocumentSymbol => {
      const facts: string[] = [rule.hide ? 'hidden' : rule.action];
      if (rule.rateLimit) facts.push(`≤ ${rule.rateLimit.max} per ${formatSeconds(rule.rateLimit.windowSeconds)}`);
      if (rule.args) facts.push('args checked');
      const known = rule.isGlob ? undefined : catalogue.tool(server.name, rule.pattern);
      if (known) facts.push(riskBadge(known.risk));
      return { name: rule.pattern, detail: facts.join(' · '), kind: rule.isGlob ? 'glob' : 'tool', range: rule.range, selectionRange: rule.keyRange, children: [] };
    });
    const detail = [server.default ? `default ${server.default}` : '', `${server.tools.length} rule${server.tools.length === 1 ? '' : 's'}`].filter(Boolean).join(' · ');
    symbols.push({ name: server.name, detail, kind: 'server', range: server.range, selectionRange: server.keyRange, children });
  }
  return symbols;
}
