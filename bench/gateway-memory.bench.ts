// The gateway against per-server proxies, in one run: the resident memory of Warden's processes (not
// the servers') with 1, 4 and 8 protected servers, each server listed and called through Warden; and
// the start, from a client's first request to its first tools/list result, for the first and the
// eighth server of a running gateway, next to the server's own start and a stdio proxy's. Every server
// is server-everything over stdio. Both Warden forms run with the Node options the editor gives the
// proxy where it can (PROXY_NODE_OPTIONS). Medians of several runs.
//   npm run bench:gateway   (builds, then: node dist/bench/gateway-memory.bench.js [--runs N] [--json FILE])
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { format, median } from './stats';
import { AUDIT_KEY_ENV } from '../src/proxy/audit-key';
import { PROXY_NODE_OPTIONS } from '../src/workbench/proxy-launch';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist/cli.js');
const EVERYTHING = join(ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const SERVER = [process.execPath, EVERYTHING, 'stdio'];

process.removeAllListeners('warning');
const argv = process.argv.slice(2);
const RUNS = Number(argv[argv.indexOf('--runs') + 1]) || 3;
const JSON_OUT = argv.includes('--json') ? argv[argv.indexOf('--json') + 1] : undefined;
const COUNTS = [1, 4, 8];
/** Calls per server before memory is read, so each session has done real work. */
const CALLS = 50;
/** Stdio proxy starts per run. */
const COLD_STARTS = 3;
/** Gateways started per run, each measuring the start of its eight servers. */
const STARTS_PER_RUN = 2;

const work = mkdtempSync(join(tmpdir(), 'warden-gateway-bench-'));
process.env[AUDIT_KEY_ENV] ||= join(work, 'audit-key');
const TOKEN = randomBytes(32).toString('hex');
const TOKEN_FILE = join(work, 'token');
writeFileSync(TOKEN_FILE, TOKEN, { mode: 0o600 });
const audit = (name: string): string => join(work, 'audit', `${name}.jsonl`);

/** A policy with servers s1..sN, each launched as server-everything, with the proxy bench's rules. */
function policyFor(count: number): string {
  const file = join(work, `policy-${count}.yaml`);
  const lines = ['version: 1', 'default: allow', 'servers:'];
  for (let k = 1; k <= count; k++) {
    lines.push(
      `  s${k}:`,
      `    launch: { command: ${JSON.stringify(SERVER[0])}, args: [${JSON.stringify(SERVER[1])}, stdio] }`,
      '    tools:',
      '      get-env: { action: deny, reason: prints the environment }',
      '      get-tiny-image: { hide: true }',
      '      echo: { action: allow }',
    );
  }
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

function rssOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

async function exercise(client: Client): Promise<void> {
  await client.listTools();
  for (let i = 0; i < CALLS; i++) {
    const result = await client.callTool({ name: 'echo', arguments: { message: `m${i}` } });
    if (result.isError) throw new Error(`echo failed: ${JSON.stringify(result.content)}`);
  }
}

interface RunningGateway {
  child: ChildProcess;
  url: string;
  close(): Promise<void>;
}

function startGateway(policy: string, name: string): Promise<RunningGateway> {
  const child = spawn(process.execPath, [...PROXY_NODE_OPTIONS, CLI, 'gateway', '--policy', policy, '--audit', audit(name), '--listen', '127.0.0.1:0', '--token-file', TOKEN_FILE], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  return new Promise((resolveStart, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /gateway listening on (http:\/\/\S+)/.exec(stderr);
      if (match) resolveStart({ child, url: match[1], close: () => stop(child) });
    });
    child.once('exit', (code) => reject(new Error(`the gateway exited (${code}):\n${stderr}`)));
  });
}

async function connectGateway(gateway: RunningGateway, server: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`${gateway.url}/servers/${server}/mcp`), { requestInit: { headers: { authorization: `Bearer ${TOKEN}` } } });
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(transport);
  return client;
}

/**
 * An SDK client that starts `command`: with the SDK's default environment, or with `fullEnvironment` the
 * bench's own, as the gateway gives its servers (a variable such as NODE_EXTRA_CA_CERTS makes every Node
 * start tens of milliseconds slower, so the server's own start is measured with what the gateway passes).
 */
function stdioClient(command: string[], fullEnvironment = false): { client: Client; transport: StdioClientTransport } {
  const env = fullEnvironment ? (process.env as Record<string, string>) : { ...getDefaultEnvironment(), [AUDIT_KEY_ENV]: process.env[AUDIT_KEY_ENV]! };
  const transport = new StdioClientTransport({ command: command[0], args: command.slice(1), env, stderr: 'ignore' });
  return { client: new Client({ name: 'bench', version: '1' }), transport };
}

const proxyCommand = (policy: string, server: string): string[] => [process.execPath, ...PROXY_NODE_OPTIONS, CLI, 'proxy', '--policy', policy, '--server', server, '--audit', audit(server), '--', ...SERVER];

/** Warden's memory with `count` servers behind one gateway: one process. */
async function gatewayMemory(count: number): Promise<{ rssMb: number; peakMb: number }> {
  const gateway = await startGateway(policyFor(count), `gateway-${count}`);
  const clients: Client[] = [];
  try {
    for (let k = 1; k <= count; k++) clients.push(await connectGateway(gateway, `s${k}`));
    await Promise.all(clients.map(exercise));
    await new Promise((r) => setTimeout(r, 200));
    return rssOf(gateway.child.pid!);
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await gateway.close();
  }
}

/** Warden's memory with `count` servers behind a stdio proxy each, as the editor starts them today: the sum. */
async function proxiesMemory(count: number): Promise<{ rssMb: number; peakMb: number }> {
  const policy = policyFor(count);
  const connected: { client: Client; transport: StdioClientTransport }[] = [];
  try {
    for (let k = 1; k <= count; k++) {
      const one = stdioClient(proxyCommand(policy, `s${k}`));
      await one.client.connect(one.transport);
      connected.push(one);
    }
    await Promise.all(connected.map((c) => exercise(c.client)));
    await new Promise((r) => setTimeout(r, 200));
    const each = connected.map((c) => rssOf(c.transport.pid!));
    return { rssMb: each.reduce((a, b) => a + b.rssMb, 0), peakMb: each.reduce((a, b) => a + b.peakMb, 0) };
  } finally {
    await Promise.all(connected.map((c) => c.client.close()));
  }
}

/**
 * First request to first tools/list result, for each of 8 servers of a running gateway in turn, each
 * right after the server's own start (spawned alone over stdio), so that both meet the same machine.
 */
async function gatewayStarts(): Promise<{ gateway: number[]; server: number[] }> {
  const gateway = await startGateway(policyFor(8), 'gateway-start');
  const clients: Client[] = [];
  try {
    const times: { gateway: number[]; server: number[] } = { gateway: [], server: [] };
    for (let k = 1; k <= 8; k++) {
      times.server.push(await coldStart(SERVER, true));
      const t0 = performance.now();
      const client = await connectGateway(gateway, `s${k}`);
      await client.listTools();
      times.gateway.push(performance.now() - t0);
      clients.push(client);
    }
    return times;
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await gateway.close();
  }
}

/** Spawn to first tools/list result over stdio. */
async function coldStart(command: string[], fullEnvironment = false): Promise<number> {
  const t0 = performance.now();
  const { client, transport } = stdioClient(command, fullEnvironment);
  await client.connect(transport);
  await client.listTools();
  const elapsed = performance.now() - t0;
  await client.close();
  return elapsed;
}

async function main(): Promise<void> {
  const memory: Record<string, { rssMb: number; peakMb: number }[]> = {};
  const starts: Starts = { first: [], eighth: [], firstOver: [], eighthOver: [], server: [], proxy: [] };
  for (let run = 0; run < RUNS; run++) {
    const counts = run % 2 === 0 ? COUNTS : [...COUNTS].reverse();
    for (const count of counts) {
      // Which form goes first alternates, so neither always meets a busier machine.
      const forms: [string, () => Promise<{ rssMb: number; peakMb: number }>][] = [
        [`gateway:${count}`, () => gatewayMemory(count)],
        [`proxies:${count}`, () => proxiesMemory(count)],
      ];
      if (run % 2 === 1) forms.reverse();
      for (const [key, measure] of forms) (memory[key] ??= []).push(await measure());
    }
    for (let i = 0; i < STARTS_PER_RUN; i++) {
      const times = await gatewayStarts();
      starts.first.push(times.gateway[0]);
      starts.eighth.push(times.gateway[7]);
      starts.firstOver.push(times.gateway[0] - times.server[0]);
      starts.eighthOver.push(times.gateway[7] - times.server[7]);
      starts.server.push(...times.server);
    }
    for (let i = 0; i < COLD_STARTS; i++) starts.proxy.push(await coldStart(proxyCommand(policyFor(1), 's1')));
    process.stderr.write(`run ${run + 1}/${RUNS} done\n`);
  }
  print(memory, starts);
  if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify({ runs: RUNS, memory, starts }, null, 2));
  rmSync(work, { recursive: true, force: true });
}

interface Starts {
  first: number[];
  eighth: number[];
  /** Each gateway start less the server's own start measured right before it. */
  firstOver: number[];
  eighthOver: number[];
  server: number[];
  proxy: number[];
}

function print(memory: Record<string, { rssMb: number; peakMb: number }[]>, starts: Starts): void {
  const rss = (key: string): number => median(memory[key].map((m) => m.rssMb));
  const peak = (key: string): number => Math.max(...memory[key].map((m) => m.peakMb));
  const out: string[] = [];
  out.push(`Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${RUNS} runs, medians.`);
  out.push('');
  out.push("### Warden's resident memory (not the servers'), each server listed and called 50 times");
  out.push('');
  out.push('| servers | gateway RSS MB | per-server proxies RSS MB (sum) | gateway / proxies | gateway / one proxy | gateway peak MB | proxies peak MB (sum) |');
  out.push('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  const oneProxy = rss('proxies:1');
  for (const count of COUNTS) {
    const g = rss(`gateway:${count}`);
    const p = rss(`proxies:${count}`);
    out.push(`| ${count} | ${format(g, 1)} | ${format(p, 1)} | ${format(g / p, 2)} | ${format(g / oneProxy, 2)} | ${format(peak(`gateway:${count}`), 1)} | ${format(peak(`proxies:${count}`), 1)} |`);
  }
  out.push('');
  out.push(`- 8 servers through the gateway: ${format(rss('gateway:8') / oneProxy, 2)} times one proxy (goal: at most 1.25); per run ${memory['gateway:8'].map((m, i) => format(m.rssMb / memory['proxies:1'][i].rssMb, 2)).join(', ')}.`);
  out.push('');
  out.push("### Start: a client's first request to its first tools/list result");
  out.push('');
  const server = median(starts.server);
  out.push(`- The server alone (spawned over stdio, with the environment the gateway gives it): ${format(server, 1)} ms. Through a stdio proxy (spawn included): ${format(median(starts.proxy), 1)} ms.`);
  out.push(`- Through a running gateway: the first server ${format(median(starts.first), 1)} ms, the eighth (seven others open) ${format(median(starts.eighth), 1)} ms.`);
  out.push(`- The fastest of each (a busy machine only ever adds): the server alone ${format(Math.min(...starts.server), 1)} ms, the first server through the gateway ${format(Math.min(...starts.first), 1)} ms, the eighth ${format(Math.min(...starts.eighth), 1)} ms.`);
  out.push(`- Over the server's own start measured right before each: the first ${format(median(starts.firstOver), 1)} ms, the eighth ${format(median(starts.eighthOver), 1)} ms (goal: at most 20); each eighth: ${starts.eighthOver.map((v) => format(v, 1)).join(', ')}.`);
  process.stdout.write(out.join('\n') + '\n');
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
