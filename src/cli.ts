// The `mcp-warden` command line.
import { version } from '../package.json';
import { runAudit, USAGE as AUDIT_USAGE } from './cli/audit';
import { runCheck, USAGE as CHECK_USAGE } from './cli/check';
import { runExplain, USAGE as EXPLAIN_USAGE } from './cli/explain';
import { runGatewayCommand, USAGE as GATEWAY_USAGE } from './cli/gateway';
import { runPin, USAGE as PIN_USAGE } from './cli/pin';
import { runProxyCommand, USAGE as PROXY_USAGE } from './cli/proxy';
import { runScan, USAGE as SCAN_USAGE } from './cli/scan';
import { runToken, USAGE as TOKEN_USAGE } from './cli/token';
import { runTools, USAGE as TOOLS_USAGE } from './cli/tools';
import { asksForHelp, UsageError } from './cli/usage';

const HELP = `mcp-warden: a policy between AI agents and the MCP servers they call

  mcp-warden check <policy>                       report the policy's problems (exit 1 on errors)
  mcp-warden explain <policy> --server S --tool T [--args JSON] [--annotations JSON] [--description TEXT]
                     [--as USER [--groups A,B]]   what the policy decides for one call, as JSON
  mcp-warden proxy --policy P --server NAME [--audit FILE] [--listen 127.0.0.1:PORT [--token-file F]]
                   [--approval-timeout SECONDS] [--max-frame-bytes N]
                   (-- CMD [ARGS...] | --url URL [--header "K: V"]...)
                                                  enforce the policy between an agent and an MCP server
  mcp-warden gateway --policy P --listen 127.0.0.1:PORT [--token-file F] [--audit FILE]
                                                  one process for every server with a launch entry in the
                                                  policy, each at /servers/NAME/mcp, enforced as by proxy
  mcp-warden tools (-- CMD [ARGS...] | --url URL [--header "K: V"]...) [--policy P --server S] [--json]
                                                  a server's tools with their risk and the policy's decision
  mcp-warden pin --policy P [--server S [--tool T]...] [(-- CMD [ARGS...] | --url URL)]
                                                  pin a server's tool definitions in the policy's lockfile
                                                  (without -- or --url: every server with a launch entry)
  mcp-warden scan [--policy P] [--server S] [(-- CMD [ARGS...] | --url URL)] [--format text|json|sarif]
                                                  description findings and drift from the pins (exit 1 on errors)
  mcp-warden audit FILE [--json]                  calls per server, tool and decision in an audit log
  mcp-warden audit verify FILE --args JSON [--line N] [--key FILE]
                                                  the lines written for a call with these arguments
  mcp-warden token new --name USER [--groups A,B] a bearer token for a team's gateway, and its tokens-file entry
  mcp-warden --version                            the version
`;

interface Command {
  run(argv: string[]): number | Promise<number>;
  usage: string;
}
const COMMANDS: Record<string, Command> = {
  check: { run: runCheck, usage: CHECK_USAGE },
  explain: { run: runExplain, usage: EXPLAIN_USAGE },
  proxy: { run: runProxyCommand, usage: PROXY_USAGE },
  gateway: { run: runGatewayCommand, usage: GATEWAY_USAGE },
  tools: { run: runTools, usage: TOOLS_USAGE },
  pin: { run: runPin, usage: PIN_USAGE },
  scan: { run: runScan, usage: SCAN_USAGE },
  audit: { run: runAudit, usage: AUDIT_USAGE },
  token: { run: runToken, usage: TOKEN_USAGE },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(HELP);
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`mcp-warden ${version}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`unknown command "${name}"\n\n${HELP}`);
  if (asksForHelp(rest)) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`mcp-warden: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  },
);
