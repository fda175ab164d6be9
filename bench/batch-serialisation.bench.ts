// A batch of tools/call requests on its way through the proxy: split into frames (parseFrames, as the
// stdio and HTTP transports do) and made unambiguous before it is decided (the relay's own step).
// Reports the time per batch and how many times each call was serialised. Medians of several runs.
// Run: node scripts/build.mjs --bench && node dist/bench/batch-serialisation.bench.js
import { createHash } from 'node:crypto';
import { parseFrames } from '../src/proxy/jsonrpc';
import { normalisedIfAmbiguous } from '../src/proxy/relay';
import { format, median } from './stats';

const RUNS = 7;
const CALLS = 64;
const BATCHES = 400;

function batchText(): string {
  const calls = Array.from({ length: CALLS }, (_, i) => ({
    jsonrpc: '2.0',
    id: i,
    method: 'tools/call',
    params: { name: 'write_file', arguments: { path: `notes/${i}.md`, content: 'a line of notes\n'.repeat(512), tags: ['x', 'y', 'z'] } },
  }));
  return JSON.stringify(calls);
}

function main(): void {
  const text = batchText();
  const stringify = JSON.stringify;
  let serialised = 0;
  JSON.stringify = ((...args: Parameters<typeof stringify>) => (serialised++, stringify(...args))) as typeof stringify;
  const forwarded = createHash('sha256');
  let bytes = 0;
  for (const parsed of parseFrames(text, '')) {
    if (!parsed.ok) continue;
    const { line } = normalisedIfAmbiguous(parsed.frame);
    forwarded.update(line);
    bytes += line.length;
  }
  JSON.stringify = stringify;

  const times: number[] = [];
  let sink = 0;
  for (let run = 0; run < RUNS; run++) {
    const start = process.hrtime.bigint();
    for (let b = 0; b < BATCHES; b++) {
      for (const parsed of parseFrames(text, '')) if (parsed.ok) sink += normalisedIfAmbiguous(parsed.frame).line.length;
    }
    times.push(Number(process.hrtime.bigint() - start) / 1e6 / BATCHES);
  }
  if (sink === 0) throw new Error('unreachable');
  console.log(`batch of ${CALLS} tools/call, ${format(text.length / 1024, 0)} KiB (${format(bytes / 1024, 0)} KiB forwarded)`);
  console.log(`  serialisations per call: ${serialised / CALLS}; SHA-256 of the lines forwarded: ${forwarded.digest('hex').slice(0, 16)}`);
  console.log(`  time per batch: ${format(median(times), 3)} ms (median of ${RUNS} runs of ${BATCHES})`);
}

main();
