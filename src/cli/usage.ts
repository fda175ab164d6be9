// How every subcommand reads its command line: Node's parseArgs, with mistakes reported as usage errors.
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A problem with how the command was called: printed on stderr, exit code 2. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses `argv` up to a `--`; what follows it is returned as `command` (the server to start).
 * A malformed command line throws a UsageError that ends with `usage`.
 */
export function parseCommandLine<O extends Options>(argv: string[], options: O, usage: string, allowPositionals = false) {
  const dashes = argv.indexOf('--');
  const own = dashes === -1 ? argv : argv.slice(0, dashes);
  const command = dashes === -1 ? [] : argv.slice(dashes + 1);
  try {
    const { values, positionals } = parseArgs({ args: own, options, allowPositionals, strict: true });
    return { values, positionals, command };
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${usage}`);
  }
}

/** `--help` or `-h` among a command's own arguments (those before a `--`, which belong to the server it starts). */
export function asksForHelp(argv: string[]): boolean {
  const dashes = argv.indexOf('--');
  return (dashes === -1 ? argv : argv.slice(0, dashes)).some((arg) => arg === '--help' || arg === '-h');
}
