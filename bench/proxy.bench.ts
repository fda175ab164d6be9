// Warden's proxy against the references, in one run: echo calls to server-everything over stdio
// (direct, a bare byte relay, a name-matching relay, Warden) and over Streamable HTTP with the server
// on stdio behind (Warden's --listen, Warden's gateway, mcp-proxy, supergateway); cold start to the
// first tools/list; the proxy's memory. Medians of several runs, the targets' order rotated each run;
// then the stdio targets again, all connected at once and taking turns.
//   npm run bench:proxy   (builds, then: node dist/bench/proxy.bench.js [--runs N] [--json FILE]
//                          [--stdio-only | --http-only])
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { format, median, percentile } from './stats';
import { AUDIT_KEY_ENV } from '../src/proxy/audit-key';
import { PROXY_NODE_OPTIONS } from '../src/workbench/proxy-launch';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist/cli.js');
const EVERYTHING = join(ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const BARE_RELAY = join(ROOT, 'bench/proxy-bare-relay.mjs');
const NAME_RELAY = join(ROOT, 'bench/proxy-name-relay.mjs');
const MCP_PROXY = join(ROOT, 'node_modules/mcp-proxy/dist/bin/mcp-proxy.mjs');
const SUPERGATEWAY = join(ROOT, 'node_modules/supergateway/dist/index.js');

// The SDK's HTTP client adds an abort listener per request to one signal; its warning is noise here.
process.removeAllListeners('warning');

const argv = process.argv.slice(2);
const RUNS = Number(argv[argv.indexOf('--runs') + 1]) || 5;
const JSON_OUT = argv.includes('--json') ? argv[argv.indexOf('--json') + 1] : undefined;
/** Only the stdio rows (a quicker run while working on the relay). */
const STDIO_ONLY = argv.includes('--stdio-only');
/** Only the HTTP rows (a quicker run while working on the listener or the gateway). */
const HTTP_ONLY = argv.includes('--http-only');
const WARMUP = 300;
const SEQUENTIAL = 1500;
const CONCURRENT_CALLS = 4000;
const IN_FLIGHT = 32;
const COLD_STARTS = 7;
/** Interleaved latency: blocks of this many sequential calls, each target in turn. */
const INTERLEAVED_BLOCK_CALLS = 25;
const INTERLEAVED_BLOCKS = 240;
/** Interleaved throughput: rounds of this many calls with 32 in flight, each target in turn. */
const INTERLEAVED_BURST_CALLS = 8000;
const INTERLEAVED_BURSTS = 10;

const work = mkdtempSync(join(tmpdir(), 'warden-bench-'));
// The proxies' audit key: the bench's own, in its folder (not the user's config folder), unless one is named.
process.env[AUDIT_KEY_ENV] ||= join(work, 'audit-key');
const policy = join(work, 'policy.yaml');
writeFileSync(
  policy,
  [
    'version: 1',
    'default: allow',
    'servers:',
    '  everything:',
    '    tools:',
    '      get-env: { action: deny, reason: prints the environment }',
    '      get-tiny-image: { hide: true }',
    '      "toggle*": { action: ask }',
    '      echo: { action: allow }',
    '',
  ].join('\n'),
);
// The gateway's policy: the same rules, and the server as a launch entry, served at /servers/everything/mcp.
const gatewayPolicy = join(work, 'gateway-policy.yaml');
writeFileSync(
  gatewayPolicy,
  readFileSync(policy, 'utf8').replace('  everything:\n', `  everything:\n    launch: { command: ${JSON.stringify(process.execPath)}, args: [${JSON.stringify(EVERYTHING)}, stdio] }\n`),
);
// In a folder of its own, as the editor keeps it (workspace storage): not beside the policy, whose
// folder the proxy watches.
const audit = join(work, 'audit', 'everything.jsonl');
// The HTTP listener's bearer token, which every request carries.
const LISTENER_TOKEN = randomBytes(32).toString('hex');
const TOKEN_FILE = join(work, 'listener-token');
writeFileSync(TOKEN_FILE, LISTENER_TOKEN, { mode: 0o600 });
// As the editor starts it (src/workbench/proxy-launch.ts), with its Node options.
const wardenArgs = (extra: string[] = [], withAudit = true): string[] => [...PROXY_NODE_OPTIONS, CLI, 'proxy', '--policy', policy, '--server', 'everything', ...(withAudit ? ['--audit', audit] : []), ...extra];

interface Handle {
  client: Client;
  /** The process whose memory is the proxy's (none for a direct connection). */
  proxyPid?: number;
  close(): Promise<void>;
}

interface Target {
  name: string;
  transport: 'stdio' | 'http';
  start(): Promise<Handle>;
}

/** The SDK passes a child only a default environment: the audit key's name is added to it. */
function stdioTransport(command: string[]): StdioClientTransport {
  const env = { ...getDefaultEnvironment(), [AUDIT_KEY_ENV]: process.env[AUDIT_KEY_ENV]! };
  return new StdioClientTransport({ command: command[0], args: command.slice(1), env, stderr: 'ignore' });
}

function stdioTarget(name: string, command: string[], proxied: boolean): Target {
  return {
    name,
    transport: 'stdio',
    async start() {
      const transport = stdioTransport(command);
      const client = new Client({ name: 'bench', version: '1' });
      await client.connect(transport);
      return { client, proxyPid: proxied ? (transport.pid ?? undefined) : undefined, close: () => client.close() };
    },
  };
}

function httpTarget(name: string, launch: (port: number) => { args: string[]; path: string; portFromStderr?: boolean; headers?: Record<string, string> }): Target {
  return {
    name,
    transport: 'http',
    async start() {
      const port = await freePort();
      const { args, path, headers } = launch(port);
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const url = new URL(`http://127.0.0.1:${port}${path}`);
      await waitForPort(port, child, () => stderr);
      const client = new Client({ name: 'bench', version: '1' });
      const transport = new StreamableHTTPClientTransport(url, headers ? { requestInit: { headers } } : undefined);
      await client.connect(transport);
      return {
        client,
        proxyPid: child.pid,
        close: async () => {
          await transport.terminateSession().catch(() => undefined);
          await client.close();
          await stop(child);
        },
      };
    },
  };
}

const STDIO_TARGETS: Target[] = [
  stdioTarget('direct', [process.execPath, EVERYTHING, 'stdio'], false),
  stdioTarget('bare relay', [process.execPath, BARE_RELAY, process.execPath, EVERYTHING, 'stdio'], true),
  stdioTarget('name-matching relay', [process.execPath, NAME_RELAY, 'get-env,get-tiny-image', process.execPath, EVERYTHING, 'stdio'], true),
  stdioTarget('Warden', [process.execPath, ...wardenArgs(['--', process.execPath, EVERYTHING, 'stdio'])], true),
  stdioTarget('Warden, no audit log', [process.execPath, ...wardenArgs(['--', process.execPath, EVERYTHING, 'stdio'], false)], true),
];

const HTTP_TARGETS: Target[] = [
  httpTarget('Warden', (port) => ({
    args: wardenArgs(['--listen', `127.0.0.1:${port}`, '--token-file', TOKEN_FILE, '--', process.execPath, EVERYTHING, 'stdio']),
    path: '/mcp',
    headers: { authorization: `Bearer ${LISTENER_TOKEN}` },
  })),
  httpTarget('Warden gateway', (port) => ({
    args: [...PROXY_NODE_OPTIONS, CLI, 'gateway', '--policy', gatewayPolicy, '--audit', audit, '--listen', `127.0.0.1:${port}`, '--token-file', TOKEN_FILE],
    path: '/servers/everything/mcp',
    headers: { authorization: `Bearer ${LISTENER_TOKEN}` },
  })),
  httpTarget('mcp-proxy', (port) => ({ args: [MCP_PROXY, '--host', '127.0.0.1', '--port', String(port), '--server', 'stream', '--', process.execPath, EVERYTHING, 'stdio'], path: '/mcp' })),
  httpTarget('supergateway', (port) => ({
    args: [SUPERGATEWAY, '--stdio', `${process.execPath} ${EVERYTHING} stdio`, '--outputTransport', 'streamableHttp', '--stateful', '--port', String(port), '--logLevel', 'none'],
    path: '/mcp',
  })),
];

interface Sample {
  p50: number;
  p99: number;
  rate1: number;
  rate32: number;
  rssMb?: number;
  peakRssMb?: number;
  /** The proxy process's CPU time (user + system) per sequential call, in microseconds. */
  cpuUs?: number;
}

async function echo(client: Client, i: number): Promise<void> {
  const result = await client.callTool({ name: 'echo', arguments: { message: `m${i}` } });
  if (result.isError) throw new Error(`echo failed: ${JSON.stringify(result.content)}`);
}

async function measure(target: Target): Promise<Sample> {
  const handle = await target.start();
  try {
    const { client } = handle;
    for (let i = 0; i < WARMUP; i++) await echo(client, i);
    const latencies: number[] = [];
    const cpuBefore = handle.proxyPid ? cpuTicksOf(handle.proxyPid) : undefined;
    const started = performance.now();
    for (let i = 0; i < SEQUENTIAL; i++) {
      const t0 = performance.now();
      await echo(client, i);
      latencies.push(performance.now() - t0);
    }
    const rate1 = SEQUENTIAL / ((performance.now() - started) / 1000);
    const cpuAfter = handle.proxyPid ? cpuTicksOf(handle.proxyPid) : undefined;
    const cpuUs = cpuBefore !== undefined && cpuAfter !== undefined ? ((cpuAfter - cpuBefore) * 1e6) / CLOCK_TICKS / SEQUENTIAL : undefined;
    const rate32 = await inFlight(client, CONCURRENT_CALLS);
    const memory = handle.proxyPid ? rssOf(handle.proxyPid) : undefined;
    return { p50: median(latencies), p99: percentile(latencies, 99), rate1, rate32, ...(memory ?? {}), ...(cpuUs !== undefined ? { cpuUs } : {}) };
  } finally {
    await handle.close();
  }
}

function rssOf(pid: number): { rssMb: number; peakRssMb: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string): number => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

/** Linux's USER_HZ: /proc reports CPU time in these ticks. */
const CLOCK_TICKS = 100;

function cpuTicksOf(pid: number): number | undefined {
  try {
    // utime and stime are fields 14 and 15; the command name (field 2) may hold spaces, so count after its ')'.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

async function coldStart(command: string[]): Promise<number> {
  const t0 = performance.now();
  const transport = stdioTransport(command);
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(transport);
  await client.listTools();
  const elapsed = performance.now() - t0;
  await client.close();
  return elapsed;
}

/** Per target: p50 latency, and calls/s at 1 and at 32 in flight (medians over the blocks or rounds). */
interface Interleaved {
  p50: number;
  rate1: number;
  rate32: number;
}

/**
 * The stdio targets all connected at once and taking turns, so that what else the machine does at any
 * moment falls on every target alike (the rows above measure each target in a time window of its
 * own): sequential calls in blocks, then rounds of calls with 32 in flight.
 */
async function interleaved(targets: Target[]): Promise<Record<string, Interleaved>> {
  const handles = await Promise.all(targets.map((target) => target.start()));
  try {
    for (const handle of handles) for (let i = 0; i < WARMUP; i++) await echo(handle.client, i);
    const latencies: number[][] = targets.map(() => []);
    const blockRates: number[][] = targets.map(() => []);
    for (let block = 0; block < INTERLEAVED_BLOCKS; block++) {
      for (let k = 0; k < handles.length; k++) {
        const index = (k + block) % handles.length;
        const started = performance.now();
        for (let i = 0; i < INTERLEAVED_BLOCK_CALLS; i++) {
          const t0 = performance.now();
          await echo(handles[index]!.client, i);
          latencies[index]!.push(performance.now() - t0);
        }
        blockRates[index]!.push(INTERLEAVED_BLOCK_CALLS / ((performance.now() - started) / 1000));
      }
    }
    const burstRates: number[][] = targets.map(() => []);
    for (let round = 0; round < INTERLEAVED_BURSTS; round++) {
      for (let k = 0; k < handles.length; k++) {
        const index = (k + round) % handles.length;
        burstRates[index]!.push(await inFlight(handles[index]!.client, INTERLEAVED_BURST_CALLS));
      }
    }
    return Object.fromEntries(targets.map((target, k) => [target.name, { p50: median(latencies[k]!), rate1: median(blockRates[k]!), rate32: median(burstRates[k]!) }]));
  } finally {
    await Promise.all(handles.map((handle) => handle.close()));
  }
}

/** Calls/s for `calls` echo calls with IN_FLIGHT of them in flight at a time. */
async function inFlight(client: Client, calls: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < calls) await echo(client, next++);
    }),
  );
  return calls / ((performance.now() - started) / 1000);
}

type Results = Record<string, Sample[]>;

async function runAll(targets: Target[], results: Results, run: number): Promise<void> {
  const order = targets.map((_, i) => targets[(i + run) % targets.length]);
  for (const target of order) {
    const key = `${target.transport}:${target.name}`;
    (results[key] ??= []).push(await measure(target));
  }
}

function summarise(samples: Sample[]): Sample {
  const pick = (key: keyof Sample): number => median(samples.map((s) => s[key] as number).filter((v) => Number.isFinite(v)));
  return { p50: pick('p50'), p99: pick('p99'), rate1: pick('rate1'), rate32: pick('rate32'), rssMb: pick('rssMb'), cpuUs: pick('cpuUs'), peakRssMb: Math.max(...samples.map((s) => s.peakRssMb ?? NaN).filter(Number.isFinite)) };
}

async function main(): Promise<void> {
  const results: Results = {};
  for (let run = 0; run < RUNS; run++) {
    if (!HTTP_ONLY) await runAll(STDIO_TARGETS, results, run);
    if (!STDIO_ONLY) await runAll(HTTP_TARGETS, results, run);
    process.stderr.write(`run ${run + 1}/${RUNS} done\n`);
  }
  const cold: Record<string, number[]> = { direct: [], Warden: [] };
  for (let i = 0; i < (STDIO_ONLY ? 0 : COLD_STARTS); i++) {
    cold.direct.push(await coldStart([process.execPath, EVERYTHING, 'stdio']));
    cold.Warden.push(await coldStart([process.execPath, ...wardenArgs(['--', process.execPath, EVERYTHING, 'stdio'])]));
  }
  const summary = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, summarise(v)]));
  if (HTTP_ONLY) {
    process.stdout.write(httpTable(summary, results).join('\n') + '\n');
    if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify({ runs: RUNS, summary, results }, null, 2));
    rmSync(work, { recursive: true, force: true });
    return;
  }
  const together = await interleaved(STDIO_TARGETS);
  print(summary, results, { direct: median(cold.direct), Warden: median(cold.Warden) }, together);
  if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify({ runs: RUNS, summary, cold, interleaved: together, results }, null, 2));
  rmSync(work, { recursive: true, force: true });
}

/** Warden's figures against the bare relay's, each run's rows compared with each other (both proxied/direct). */
function pairedRatios(results: Results, name: string): { added: number[]; rate1: number[]; rate32: number[] } {
  const direct = results['stdio:direct'];
  const relay = results['stdio:bare relay'];
  const warden = results[`stdio:${name}`];
  return {
    added: warden.map((w, i) => (w.p50 - direct[i].p50) / (relay[i].p50 - direct[i].p50)),
    rate1: warden.map((w, i) => w.rate1 / relay[i].rate1),
    rate32: warden.map((w, i) => w.rate32 / relay[i].rate32),
  };
}

function perRun(values: number[]): string {
  return `median ${format(median(values), 2)}; per run ${values.map((v) => format(v, 2)).join(', ')}`;
}

function print(summary: Record<string, Sample>, results: Results, cold: { direct: number; Warden: number }, together: Record<string, Interleaved>): void {
  const direct = summary['stdio:direct'];
  const relay = summary['stdio:bare relay'];
  const warden = summary['stdio:Warden'];
  const out: string[] = [];
  out.push(`Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${RUNS} runs, medians.`);
  out.push('');
  out.push('### stdio: echo calls to server-everything');
  out.push('');
  out.push('| | p50 ms | p99 ms | added p50 ms | calls/s, 1 in flight | calls/s, 32 in flight | 32 in flight vs direct | proxy RSS MB | proxy peak RSS MB | proxy CPU µs/call |');
  out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  const rows = STDIO_TARGETS.map((target) => [target.name, summary[`stdio:${target.name}`]!] as const);
  for (const [name, s] of rows) {
    const added = name === 'direct' ? '' : format(s.p50 - direct.p50, 3);
    const ratio = name === 'direct' ? '1.00' : format(s.rate32 / direct.rate32, 2);
    out.push(`| ${name} | ${format(s.p50, 3)} | ${format(s.p99, 3)} | ${added} | ${format(s.rate1, 0)} | ${format(s.rate32, 0)} | ${ratio} | ${s.rssMb ? format(s.rssMb, 1) : ''} | ${Number.isFinite(s.peakRssMb) ? format(s.peakRssMb!, 1) : ''} | ${s.cpuUs ? format(s.cpuUs, 0) : ''} |`);
  }
  out.push('');
  const addedRatio = (warden.p50 - direct.p50) / (relay.p50 - direct.p50);
  const throughputRatio = warden.rate32 / direct.rate32 / (relay.rate32 / direct.rate32);
  const throughput1Ratio = warden.rate1 / direct.rate1 / (relay.rate1 / direct.rate1);
  const bare = summary['stdio:Warden, no audit log'];
  out.push(`- Warden's added p50 latency is ${format(addedRatio, 2)} times the bare relay's (target: at most 1.10); without an audit log ${format((bare.p50 - direct.p50) / (relay.p50 - direct.p50), 2)}.`);
  out.push(`- Warden's proxied/direct throughput is ${format(throughput1Ratio, 2)} (1 in flight) and ${format(throughputRatio, 2)} (32 in flight) of the bare relay's (target: at least 0.90); without an audit log ${format(bare.rate1 / relay.rate1, 2)} and ${format(bare.rate32 / relay.rate32, 2)}.`);
  for (const name of ['Warden', 'Warden, no audit log']) {
    const paired = pairedRatios(results, name);
    out.push(`- ${name}, the same ratios within each run: added p50 ${perRun(paired.added)}; throughput at 1 in flight ${perRun(paired.rate1)}; at 32 in flight ${perRun(paired.rate32)}.`);
  }
  const added = (name: string): number => together[name]!.p50 - together['direct']!.p50;
  const versusRelay = (name: string, key: 'rate1' | 'rate32'): number => together[name]![key] / together['bare relay']![key];
  const p50s = STDIO_TARGETS.map((target) => `${target.name} ${format(together[target.name]!.p50, 3)}`).join(', ');
  out.push(
    `- **Interleaved** (all ${STDIO_TARGETS.length} connected at once, taking turns: ${INTERLEAVED_BLOCKS} blocks of ${INTERLEAVED_BLOCK_CALLS} sequential calls, then ${INTERLEAVED_BURSTS} rounds of ${format(INTERLEAVED_BURST_CALLS)} calls with ${IN_FLIGHT} in flight): p50 ${p50s} ms. Warden's added p50 is ${format(added('Warden') / added('bare relay'), 2)} times the bare relay's (without an audit log ${format(added('Warden, no audit log') / added('bare relay'), 2)}); its proxied/direct throughput is ${format(versusRelay('Warden', 'rate1'), 2)} (1 in flight) and ${format(versusRelay('Warden', 'rate32'), 2)} (32 in flight) of the bare relay's (without an audit log ${format(versusRelay('Warden, no audit log', 'rate1'), 2)} and ${format(versusRelay('Warden, no audit log', 'rate32'), 2)}).`,
  );
  out.push(
    `- The name-matching relay adds ${format(added('name-matching relay') / added('bare relay'), 2)} times the bare relay's p50, and reaches ${format(versusRelay('name-matching relay', 'rate1'), 2)} and ${format(versusRelay('name-matching relay', 'rate32'), 2)} of its throughput; Warden adds ${format(added('Warden') / added('name-matching relay'), 2)} times what the name-matching relay adds (without an audit log ${format(added('Warden, no audit log') / added('name-matching relay'), 2)}).`,
  );
  if (STDIO_ONLY) {
    process.stdout.write(out.join('\n') + '\n');
    return;
  }
  out.push('');
  out.push(...httpTable(summary, results));
  out.push('');
  out.push('### Cold start and memory');
  out.push('');
  out.push(`- Spawn to the first tools/list result over stdio: direct ${format(cold.direct, 1)} ms, through Warden ${format(cold.Warden, 1)} ms (+${format(cold.Warden - cold.direct, 1)} ms).`);
  const peaks = [warden.peakRssMb ?? NaN, summary['http:Warden'].peakRssMb ?? NaN];
  out.push(`- Warden's resident memory after the runs: ${format(warden.rssMb ?? NaN, 1)} MB (stdio), ${format(summary['http:Warden'].rssMb ?? NaN, 1)} MB (HTTP); peak ${format(Math.max(...peaks), 1)} MB (target: at most 60).`);
  process.stdout.write(out.join('\n') + '\n');
}

/** The HTTP rows: Warden's `--listen`, the gateway, and the peers; the gateway against `--listen` within each run. */
function httpTable(summary: Record<string, Sample>, results: Results): string[] {
  const out: string[] = [];
  out.push('### Streamable HTTP downstream, server-everything on stdio behind, SDK HTTP client');
  out.push('');
  out.push('| | p50 ms | p99 ms | calls/s, 1 in flight | calls/s, 32 in flight | RSS MB |');
  out.push('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const name of ['Warden', 'Warden gateway', 'mcp-proxy', 'supergateway']) {
    const s = summary[`http:${name}`];
    out.push(`| ${name === 'Warden' ? 'Warden (`proxy --listen`)' : name} | ${format(s.p50, 3)} | ${format(s.p99, 3)} | ${format(s.rate1, 0)} | ${format(s.rate32, 0)} | ${s.rssMb ? format(s.rssMb, 1) : ''} |`);
  }
  const bestPeer = Math.max(summary['http:mcp-proxy'].rate32, summary['http:supergateway'].rate32);
  out.push('');
  out.push(`- Warden at 32 in flight: ${format(summary['http:Warden'].rate32 / bestPeer, 2)} times the best peer (target: at least 1.3); p50 ${format(summary['http:Warden'].p50, 3)} ms (target: at most 1.0).`);
  const listen = results['http:Warden'];
  const gateway = results['http:Warden gateway'];
  const ratio = (key: 'p50' | 'rate1' | 'rate32'): number[] => gateway.map((g, i) => g[key] / listen[i][key]);
  out.push(`- The gateway against \`--listen\`, within each run: p50 ${perRun(ratio('p50'))}; calls/s at 1 in flight ${perRun(ratio('rate1'))}; at 32 in flight ${perRun(ratio('rate32'))} (target: not slower).`);
  return out;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(500) });
      return;
    } catch {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`server on port ${port} did not start:\n${stderr()}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}

main().catch((error: unknown) => {
  console.error(error);
  rmSync(work, { recursive: true, force: true });
  process.exit(1);
});
