// What holding tools to their pins costs the proxy per tools/list of 100 tools: the check of a session's
// later lists (each definition seen before: found by its JSON text, no hashing, no findings), of the first
// list of a session (every definition hashed once and its description checked), and of a list where every
// tool changed (hash, drift fields, reason). Budget: 1 ms per list of 100 tools. Medians of several runs.
// Run: node scripts/build.mjs --bench && node dist/bench/pinning.bench.js
import { emptyLockfile, formatLockfile, pinServer, pinTool } from '../src/pinning/lockfile';
import type { Policy } from '../src/policy/model';
import { parsePolicy } from '../src/policy/parse';
import { LockHolder } from '../src/proxy/lock-source';
import { SessionPins } from '../src/proxy/tool-pins';
import { format, median } from './stats';

const RUNS = 9;
const TOOLS = 100;

/** A typical tool: a sentence or two of description, three parameters, annotations. */
function tool(i: number, edit = ''): Record<string, unknown> {
  return {
    name: `tool_${i}`,
    title: `Tool ${i}`,
    description: `Reads the records of collection ${i} that match a filter and returns them as JSON, newest first. Use it to look up an entry before changing it.${edit}`,
    inputSchema: {
      type: 'object',
      properties: {
        collection: { type: 'string', description: 'The collection to read' },
        filter: { type: 'string', description: 'A filter expression, e.g. status = "open"' },
        limit: { type: 'number', description: 'At most this many records', minimum: 1, maximum: 1000 },
      },
      required: ['collection'],
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
  };
}

const pinnedTools = Array.from({ length: TOOLS }, (_, i) => tool(i));
const listText = JSON.stringify(pinnedTools);
const changedText = JSON.stringify(Array.from({ length: TOOLS }, (_, i) => tool(i, ' Changed.')));

const lock = new LockHolder('/bench/.vscode/mcp-policy.yaml');
lock.apply(formatLockfile(pinServer(emptyLockfile(), 'bench', { tools: pinnedTools }).lockfile), 'for the benchmark');
const policy: Policy = parsePolicy('version: 1\n').policy!;
const sink = { drift: () => undefined, finding: () => undefined, more: () => undefined };
const session = (): SessionPins => new SessionPins('bench', lock, () => policy, sink);

/** Microseconds per list: `rounds` lists, each a fresh parse (the proxy parses every list anyway; not timed). */
function perList(rounds: number, pins: () => SessionPins, text: string): number {
  const lists = Array.from({ length: rounds }, () => JSON.parse(text) as unknown[]);
  const sessions = Array.from({ length: rounds }, pins);
  let held = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) held += sessions[i].page(lists[i], true, true).size;
  const micros = Number(process.hrtime.bigint() - start) / 1e3 / rounds;
  if (held < 0) throw new Error('unreachable');
  return micros;
}

function micros(f: () => void, rounds: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) f();
  return Number(process.hrtime.bigint() - start) / 1e3 / rounds;
}

let fresh = 0;
/** A list of 100 definitions the process has never seen. */
const unseenText = (): string => JSON.stringify(Array.from({ length: TOOLS }, (_, i) => tool(i, ` Version ${++fresh}.`)));

/** Hashing a list of definitions never seen, in µs (the list made beforehand). */
function hashUnseen(): number {
  const lists = Array.from({ length: 5 }, () => JSON.parse(unseenText()) as unknown[]);
  let i = 0;
  return micros(() => {
    for (const t of lists[i++]) pinTool(t);
  }, lists.length);
}

function main(): void {
  const steady = session();
  steady.page(JSON.parse(listText) as unknown[], true, true);
  const rows: [string, number[]][] = [
    ['(for scale) JSON.parse of the list', []],
    ['later list of a session, as before', []],
    ['first list of a session, definitions known', []],
    ['first list, every tool changed since its pin', []],
    ['never seen: hash 100 definitions (pinTool)', []],
    ['never seen: whole check (hash, drift, findings)', []],
  ];
  session().page(JSON.parse(changedText) as unknown[], true, true);
  for (let run = -2; run < RUNS; run++) {
    const results = [
      micros(() => JSON.parse(listText), 200),
      perList(200, () => steady, listText),
      perList(50, session, listText),
      perList(50, session, changedText),
      hashUnseen(),
      perList(1, session, unseenText()),
    ];
    if (run >= 0) results.forEach((value, i) => rows[i][1].push(value));
  }
  // On a busy machine every row is slower alike: the ratio to JSON.parse of the same list is the steadier figure.
  const parse = median(rows[0][1]);
  console.log(`Pin check per tools/list of ${TOOLS} tools (median of ${RUNS} runs; budget 1,000 µs for the pin check)`);
  for (const [name, values] of rows) console.log(`  ${name.padEnd(50)} ${format(median(values), 1).padStart(8)} µs  ${(median(values) / parse).toFixed(2).padStart(6)} × parse`);
}

main();
