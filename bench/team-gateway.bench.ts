// The team's gateway with its state in memory against in Redis: echo calls to server-everything (stdio)
// through `mcp-warden gateway --tokens`, each call rate-limited per user (a count that never runs out, so
// every call is counted and forwarded), at 1 and 32 in flight from one SDK HTTP client; calls per second
// and p50. Redis is a redis-server of its own on a free loopback port. Which state goes first alternates
// between runs; medians of the runs.
//   npm run bench:team-gateway   (builds, then: node dist/bench/team-gateway.bench.js [--runs N] [--calls N])
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { AUDIT_KEY_ENV } from '../src/proxy/audit-key';
import { tokenHash } from '../src/team/identity-tokens';
import { PROXY_NODE_OPTIONS } from '../src/workbench/proxy-launch';
import { RedisHarness } from '../test/team/redis-harness';
import { format, median } from './stats';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist/cli.js');
const EVERYTHING = join(ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');

process.removeAllListeners('warning');
const argv = process.argv.slice(2);
const RUNS = Number(argv[argv.indexOf('--runs') + 1]) || 5;
const CALLS = Number(argv[argv.indexOf('--calls') + 1]) || 2000;
const IN_FLIGHT = [1, 32];
/** `--no-audit`: without an audit log (so without its copy to the Redis Stream): what the count alone costs. */
const AUDIT = !argv.includes('--no-audit');
const TOKEN = 'bench-token-0123456789-abcdefghijklmnopqrstuvwxyz';

const work = mkdtempSync(join(tmpdir(), 'warden-team-gateway-bench-'));
process.env[AUDIT_KEY_ENV] ||= join(work, 'audit-key');
const tokens = join(work, 'tokens.yaml');
writeFileSync(tokens, `tokens:\n  - { sha256: ${tokenHash(TOKEN)}, name: bench, groups: [dev] }\n`);
const policy = join(work, 'policy.yaml');
writeFileSync(
  policy,
  [
    'version: 1',
    'servers:',
    '  everything:',
    `    launch: { command: ${JSON.stringify(process.execPath)}, args: [${JSON.stringify(EVERYTHING)}, stdio] }`,
    '    tools:',
    '      echo: { rate_limit: { max: 100000000, window: 1h, scope: user } }',
    '',
  ].join('\n'),
);

interface Gateway {
  child: ChildProcess;
  url: string;
}

function startGateway(extra: string[], name: string): Promise<Gateway> {
  const audit = AUDIT ? ['--audit', join(work, `${name}.jsonl`)] : [];
  const args = [...PROXY_NODE_OPTIONS, CLI, 'gateway', '--policy', policy, ...audit, '--listen', '127.0.0.1:0', '--tokens', tokens, ...extra];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  return new Promise((resolveStart, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /gateway listening on (http:\/\/\S+)/.exec(stderr);
      if (match) resolveStart({ child, url: match[1] });
    });
    child.once('exit', (code) => reject(new Error(`the gateway exited (${code}):\n${stderr}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** `CALLS` echo calls, `inFlight` at a time: calls per second and the median latency in ms. */
async function measure(client: Client, inFlight: number): Promise<{ perSecond: number; p50Ms: number }> {
  const latencies: number[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < CALLS; i = next++) {
      const t0 = process.hrtime.bigint();
      const result = await client.callTool({ name: 'echo', arguments: { message: `m${i}` } });
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (result.isError) throw new Error(`echo refused: ${JSON.stringify(result.content)}`);
    }
  };
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: inFlight }, worker));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { perSecond: CALLS / seconds, p50Ms: median(latencies) };
}

async function oneState(extra: string[], name: string): Promise<Record<number, { perSecond: number; p50Ms: number }>> {
  const gateway = await startGateway(extra, name);
  const transport = new StreamableHTTPClientTransport(new URL(`${gateway.url}/servers/everything/mcp`), { requestInit: { headers: { authorization: `Bearer ${TOKEN}` } } });
  const client = new Client({ name: 'bench', version: '1' });
  try {
    await client.connect(transport);
    await measure(client, 8); // warm up: the server started, the JIT and Redis's script loaded
    const out: Record<number, { perSecond: number; p50Ms: number }> = {};
    for (const inFlight of IN_FLIGHT) out[inFlight] = await measure(client, inFlight);
    return out;
  } finally {
    await client.close();
    await stop(gateway.child);
  }
}

async function main(): Promise<void> {
  const redis = await RedisHarness.start();
  const results: Record<string, Record<number, { perSecond: number[]; p50Ms: number[] }>> = { memory: {}, redis: {} };
  try {
    for (let run = 0; run < RUNS; run++) {
      const states: [string, string[]][] = [
        ['memory', []],
        ['redis', ['--redis', redis.url]],
      ];
      if (run % 2 === 1) states.reverse();
      for (const [name, extra] of states) {
        const measured = await oneState(extra, `${name}-${run}`);
        for (const inFlight of IN_FLIGHT) {
          const slot = (results[name][inFlight] ??= { perSecond: [], p50Ms: [] });
          slot.perSecond.push(measured[inFlight].perSecond);
          slot.p50Ms.push(measured[inFlight].p50Ms);
        }
      }
    }
  } finally {
    await redis.stop();
    rmSync(work, { recursive: true, force: true });
  }
  console.log(`team gateway: echo through mcp-warden gateway --tokens${AUDIT ? ' --audit' : ''}, rate-limited per user; ${CALLS} calls, median of ${RUNS} runs`);
  console.log('| state | in flight | calls/s | p50 ms |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const inFlight of IN_FLIGHT) {
    for (const name of ['memory', 'redis']) {
      const slot = results[name][inFlight];
      console.log(`| ${name} | ${inFlight} | ${format(median(slot.perSecond), 0)} | ${format(median(slot.p50Ms), 3)} |`);
    }
  }
  for (const inFlight of IN_FLIGHT) {
    // Each run's pair measured minutes apart at most: the median of the pairs' ratios moves less with the machine's load.
    const { redis: r, memory: m } = { redis: results.redis[inFlight], memory: results.memory[inFlight] };
    const ratio = median(r.perSecond.map((value, i) => value / m.perSecond[i]));
    const added = median(r.p50Ms.map((value, i) => value - m.p50Ms[i]));
    console.log(`at ${inFlight} in flight: Redis ${ratio.toFixed(2)} of in-memory throughput (median of pairs), p50 ${added >= 0 ? '+' : ''}${added.toFixed(3)} ms`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
