// The floor for a stdio proxy that reads the calls it relays: it splits what the client sends into
// lines, takes the tool's name out of each tools/call with a regular expression, answers the names it
// is told to refuse, and forwards everything else as it came; the server's side is piped untouched.
// No JSON parse, no policy engine, no audit log: whatever a real policy proxy does costs more.
//   node bench/proxy-name-relay.mjs DENIED[,DENIED...] CMD [ARGS...]
import { spawn } from 'node:child_process';

const [denied, command, ...args] = process.argv.slice(2);
const refused = new Set(denied.split(','));
const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
child.stdout.pipe(process.stdout);
child.on('exit', (code) => process.exit(code ?? 0));

const TOOLS_CALL = /"method"\s*:\s*"tools\/call"/;
const NAME = /"name"\s*:\s*"([^"\\]*)"/;
const ID = /"id"\s*:\s*(\d+|"[^"\\]*")/;
let partial = '';
process.stdin.on('data', (chunk) => {
  const lines = (partial + chunk.toString('utf8')).split('\n');
  partial = lines.pop();
  let forward = '';
  for (const line of lines) {
    const name = TOOLS_CALL.test(line) ? NAME.exec(line)?.[1] : undefined;
    if (name !== undefined && refused.has(name)) {
      const id = ID.exec(line)?.[1] ?? 'null';
      process.stdout.write(`{"jsonrpc":"2.0","id":${id},"result":{"isError":true,"content":[{"type":"text","text":"refused"}]}}\n`);
    } else {
      forward += line + '\n';
    }
  }
  if (forward) child.stdin.write(forward);
});
process.stdin.on('end', () => child.stdin.end());
