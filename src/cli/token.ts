// `mcp-warden token new --name USER [--groups A,B]`: a fresh bearer token for a team's gateway, and
// the line to add to its tokens file (`--tokens FILE`), which keeps only the token's SHA-256.
// The token goes to stdout once; give it to its user and do not store it anywhere else.
import { stringify } from 'yaml';
import { newToken } from '../team/identity-tokens';
import { parseCommandLine, UsageError } from './usage';

export const USAGE = 'usage: mcp-warden token new --name USER [--groups A,B]';

export function runToken(argv: string[]): number {
  const { values, positionals } = parseCommandLine(argv, { name: { type: 'string' }, groups: { type: 'string' } }, USAGE, true);
  if (positionals.length !== 1 || positionals[0] !== 'new' || values.name === undefined) throw new UsageError(USAGE);
  if (values.name.trim() === '') throw new UsageError(`--name needs a user name\n${USAGE}`);
  const groups = (values.groups ?? '').split(',').map((g) => g.trim()).filter((g) => g !== '');
  const { token, entry } = newToken(values.name, groups);
  process.stdout.write(`token: ${token}\n\nAdd this entry under "tokens:" in the tokens file:\n\n${stringify([entry], { flowCollectionPadding: false })}`);
  return 0;
}
