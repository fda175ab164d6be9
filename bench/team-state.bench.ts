// The team state's cost on a decision: the engine deciding a rate-limited call with its count in memory
// (one process, as today) or in Redis (one atomic script per decision, auto-pipelined), at 1 and 32 in
// flight on loopback. Two views: the decision alone, and the decision inside a loopback HTTP request
// (a POST answered after the decision, as a gateway answers a call), where Redis's share is what a
// caller sees. Starts its own redis-server (Debian's) on a free port; medians of several runs.
// Run: npm run bench:team-state
import { Agent, createServer, request, type Server } from 'node:http';
import { PolicyEngine } from '../src/policy/engine';
import { parsePolicy } from '../src/policy/parse';
import { MemoryState } from '../src/team/memory-state';
import { RedisState } from '../src/team/redis-state';
import type { TeamState } from '../src/team/state';
import { RedisHarness } from '../test/team/redis-harness';
import { format, median } from './stats';

const RUNS = 7;
const USERS = 64;
const POLICY = parsePolicy('version: 1\nservers:\n  sec:\n    tools:\n      start_scan:\n        rate_limit: { max: 50, window: 1s, scope: user }\n').policy!;

interface Run {
  perSecond: number;
  p50Us: number;
}

/** `count` decisions, `inFlight` at a time, each timed; the principal rotates so both allows and denials are decided. */
async function decisions(state: TeamState, inFlight: number, count: number): Promise<Run> {
  const engine = new PolicyEngine(POLICY);
  const latencies = new Float64Array(count);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      const start = process.hrtime.bigint();
      await engine.decideShared({ server: 'sec', tool: 'start_scan', principal: { name: `user${i % USERS}`, groups: [] } }, state);
      latencies[i] = Number(process.hrtime.bigint() - start) / 1000;
    }
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: inFlight }, worker));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { perSecond: count / seconds, p50Us: median([...latencies]) };
}

/** A loopback HTTP server that answers each POST after deciding it with `state`. */
async function decidingServer(state: TeamState): Promise<{ server: Server; port: number }> {
  const engine = new PolicyEngine(POLICY);
  let n = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { params: { name: string } };
      void engine.decideShared({ server: 'sec', tool: body.params.name, principal: { name: `user${n++ % USERS}`, groups: [] } }, state).then((decision) => {
        const text = JSON.stringify({ jsonrpc: '2.0', id: 1, result: { decision: decision.decision } });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

async function httpCalls(port: number, inFlight: number, count: number): Promise<Run> {
  const agent = new Agent({ keepAlive: true, maxSockets: inFlight });
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'start_scan', arguments: {} } });
  const latencies = new Float64Array(count);
  let next = 0;
  const call = () =>
    new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/mcp', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.on('data', () => {});
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end(body);
    });
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      const start = process.hrtime.bigint();
      await call();
      latencies[i] = Number(process.hrtime.bigint() - start) / 1000;
    }
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: inFlight }, worker));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  agent.destroy();
  return { perSecond: count / seconds, p50Us: median([...latencies]) };
}

/** Memory and Redis runs taken in turns (the machine's load drifts), after a warm-up of each; medians. */
async function compared(runs: number, memoryOnce: () => Promise<Run>, redisOnce: () => Promise<Run>): Promise<{ memory: Run; redis: Run; ratio: number }> {
  await memoryOnce();
  await redisOnce();
  const memory: Run[] = [];
  const redis: Run[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < runs; i++) {
    memory.push(await memoryOnce());
    redis.push(await redisOnce());
    ratios.push(redis[i].perSecond / memory[i].perSecond);
  }
  const med = (list: Run[]): Run => ({ perSecond: median(list.map((r) => r.perSecond)), p50Us: median(list.map((r) => r.p50Us)) });
  return { memory: med(memory), redis: med(redis), ratio: median(ratios) };
}

function row(what: string, inFlight: number, { memory, redis, ratio }: { memory: Run; redis: Run; ratio: number }): string {
  return `| ${what} | ${inFlight} | ${format(memory.perSecond, 0)} | ${format(redis.perSecond, 0)} | ${ratio.toFixed(2)} | ${format(memory.p50Us, 1)} | ${format(redis.p50Us, 1)} | ${format(redis.p50Us - memory.p50Us, 1)} |`;
}

async function main(): Promise<void> {
  const harness = await RedisHarness.start();
  const redis = new RedisState({ url: harness.url, prefix: 'bench:', timeoutMs: 1000 });
  const memory = new MemoryState();
  try {
    await redis.ready();
    const lines = [
      `Team state: ${RUNS} runs each, memory and Redis in turns (medians), node ${process.version}, redis-server on loopback`,
      '',
      '| what | in flight | memory /s | redis /s | redis / memory (median of pairs) | memory p50 µs | redis p50 µs | added p50 µs |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ];
    for (const inFlight of [1, 32]) {
      const count = inFlight === 1 ? 5_000 : 30_000;
      lines.push(row('decision', inFlight, await compared(RUNS, () => decisions(memory, inFlight, count), () => decisions(redis, inFlight, count))));
    }
    const viaMemory = await decidingServer(memory);
    const viaRedis = await decidingServer(redis);
    for (const inFlight of [1, 32]) {
      const count = inFlight === 1 ? 3_000 : 15_000;
      lines.push(row('decision in a loopback HTTP call', inFlight, await compared(RUNS, () => httpCalls(viaMemory.port, inFlight, count), () => httpCalls(viaRedis.port, inFlight, count))));
    }
    viaMemory.server.close();
    viaRedis.server.close();
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    await redis.close();
    await harness.stop();
  }
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
