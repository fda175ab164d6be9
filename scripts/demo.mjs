// `npm run demo`: the proxy in front of server-everything with examples/demo/everything.mcp-policy.yaml.
// An SDK client makes allowed, denied, asked-and-declined, over-limit and bad-argument calls, then the
// decisions and the audit summary are printed. Needs `npm run build` first (npm run demo does it).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const cli = join(root, 'dist', 'cli.js');
const policy = join(root, 'examples', 'demo', 'everything.mcp-policy.yaml');
const everything = join(root, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');
const work = mkdtempSync(join(tmpdir(), 'warden-demo-'));
const audit = join(work, 'audit.jsonl');

const calls = [
  ['an allowed call', 'echo', { message: 'hello through Warden' }],
  ['a denied call (server says read-only)', 'get-env', {}],
  ['asked, and the person declines', 'get-tiny-image', {}],
  ['a call with bad arguments', 'get-sum', { a: 1, b: 'two' }],
  ['within the rate limit (1 of 3)', 'get-sum', { a: 1, b: 2 }],
  ['within the rate limit (2 of 3)', 'get-sum', { a: 3, b: 4 }],
  ['within the rate limit (3 of 3)', 'get-sum', { a: 5, b: 6 }],
  ['over the rate limit', 'get-sum', { a: 7, b: 8 }],
  ['a hidden tool', 'toggle-simulated-logging', {}],
];

async function main() {
  const started = Date.now();
  const client = new Client({ name: 'warden-demo', version: '1.0.0' }, { capabilities: { elicitation: {} } });
  // The person behind this client declines every approval Warden asks for.
  client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'decline' }));
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [cli, 'proxy', '--policy', policy, '--server', 'everything', '--audit', audit, '--', process.execPath, everything, 'stdio'],
    stderr: 'ignore',
  });
  await client.connect(transport);
  const listed = (await client.listTools()).tools.map((t) => t.name);
  console.log(`MCP Warden demo: server-everything behind the proxy, policy ${policy.slice(root.length + 1)}`);
  console.log(`tools/list shows ${listed.length} tools; hidden by the policy: ${['toggle-simulated-logging', 'toggle-subscriber-updates'].filter((t) => !listed.includes(t)).join(', ')}\n`);

  const rows = [];
  for (const [what, tool, args] of calls) {
    const result = await client.callTool({ name: tool, arguments: args });
    const text = result.content?.find((c) => c.type === 'text')?.text ?? `(${result.content?.[0]?.type ?? 'no'} content)`;
    rows.push([what, tool, result.isError ? 'blocked' : 'passed', shorten(relativePaths(text.replace(/\s+/g, ' ')), 160)]);
  }
  await client.close();

  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length), ['call', 'tool', 'result'][i].length));
  const line = (r) => r.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]) : cell)).join('  ');
  console.log(line(['call', 'tool', 'result', 'what the agent saw']));
  console.log(line(widths.map((w) => '-'.repeat(w)).concat(['-'.repeat(20)])));
  for (const row of rows) console.log(line(row));

  console.log(`\nAudit log (${readFileSync(audit, 'utf8').trim().split('\n').length} lines, arguments only as SHA-256):`);
  const summary = spawnSync(process.execPath, [cli, 'audit', audit], { encoding: 'utf8' });
  process.stdout.write(summary.stdout);
  console.log(`\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}

/** Paths under the working folder written relative to it, as a person in that folder would type them. */
function relativePaths(text) {
  const here = process.cwd() + sep;
  return text.split(here).join('');
}

/** At most `max` characters, cut at a space (never inside a word or path), with … where it was cut. */
function shorten(text, max) {
  if (text.length <= max) return text;
  const space = text.lastIndexOf(' ', max - 1);
  return `${text.slice(0, space > 0 ? space : max - 1)} …`;
}

main()
  .catch((error) => {
    console.error(`demo failed: ${error.stack ?? error}`);
    process.exitCode = 1;
  })
  .finally(() => rmSync(work, { recursive: true, force: true }));
