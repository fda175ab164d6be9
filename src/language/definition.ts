// Go to definition: from a server's name in the policy to its entry in the mcp.json that declares it.
import type { Position } from '../policy/model';
import type { ToolCatalogue } from './catalogue';
import type { PolicySnapshot } from './policy-documents';
import type { Location } from './types';
import { contextAt } from './yaml-context';

export function definition(snapshot: PolicySnapshot, position: Position, catalogue: ToolCatalogue): Location | undefined {
  const ctx = contextAt(snapshot.lines, position);
  if (ctx.kind !== 'key' || ctx.path.length !== 1 || ctx.path[0] !== 'servers' || ctx.tokenText === '') return undefined;
  const source = catalogue.server(ctx.tokenText)?.source;
  if (!source?.uri) return undefined;
  return { uri: source.uri, range: source.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
}
