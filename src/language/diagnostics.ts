// Everything wrong with a policy: the parser's problems (what `mcp-warden check` reports) and those only
// the live tools reveal. Computed once per document version and catalogue revision.
import type { PolicySnapshot } from './policy-documents';
import { argsDiagnostics } from './args-diagnostics';
import type { ToolCatalogue } from './catalogue';
import { ruleDiagnostics } from './rule-diagnostics';
import type { PolicyProblem } from './types';

/** The parser's codes whose suggestions replace the key, or the value, the problem is on. */
const REPLACES: Record<string, 'key' | 'value'> = { 'unknown-key': 'key', 'invalid-value': 'value', 'bad-duration': 'value' };

export function policyDiagnostics(snapshot: PolicySnapshot, catalogue: ToolCatalogue): PolicyProblem[] {
  return snapshot.cached('diagnostics', catalogue.revision, () => [...parserDiagnostics(snapshot), ...languageDiagnostics(snapshot, catalogue)]);
}

/** Only the problems beyond the parser's (for an editor that already shows the parser's). */
export function languageDiagnostics(snapshot: PolicySnapshot, catalogue: ToolCatalogue): PolicyProblem[] {
  return snapshot.cached('language-diagnostics', catalogue.revision, () => [...ruleDiagnostics(snapshot, catalogue), ...argsDiagnostics(snapshot, catalogue)]);
}

export function parserDiagnostics(snapshot: PolicySnapshot): PolicyProblem[] {
  return snapshot.parse.diagnostics.map((d) => (REPLACES[d.code] ? { ...d, data: { replaces: REPLACES[d.code] } } : d));
}
