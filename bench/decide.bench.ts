// Decision engine and parser benchmarks: decisions per second on one core for a 1,000-rule policy,
// and the time to parse and validate a 5,000-line policy. Medians of several runs.
// Run: npm run bench:policy
import { EngineState, PolicyEngine } from '../src/policy/engine';
import { parsePolicy } from '../src/policy/parse';
import { largePolicy, policyOfLines } from './policy-fixtures';
import { format, median, percentile } from './stats';

const RUNS = 7;

function decisionsPerSecond(engine: PolicyEngine, calls: { server: string; tool: string; args?: unknown }[], count: number): number {
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const d = engine.decide(calls[i % calls.length]);
    sink += d.decision.length;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (sink === 0) throw new Error('unreachable');
  return count / seconds;
}

function main(): void {
  const { text, calls } = largePolicy(1000);
  const parsed = parsePolicy(text);
  if (!parsed.policy) throw new Error('benchmark policy is invalid: ' + parsed.diagnostics[0]?.message);
  const ruleCount = [...parsed.policy.servers.values()].reduce((n, s) => n + s.tools.length, 0);

  const withArgs = [...parsed.policy.servers.values()].flatMap((s) =>
    s.tools.filter((r) => r.args).map((r) => ({ server: s.name, tool: r.pattern, args: { id: 'A-1' } })),
  );

  const engine = new PolicyEngine(parsed.policy, new EngineState());
  decisionsPerSecond(engine, calls, 200_000); // warm up
  const plain: number[] = [];
  const checked: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    plain.push(decisionsPerSecond(engine, calls, 2_000_000));
    checked.push(decisionsPerSecond(engine, withArgs, 300_000));
  }

  const compileTimes: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now();
    new PolicyEngine(parsePolicy(text).policy!);
    compileTimes.push(performance.now() - start);
  }

  const big = policyOfLines(5000);
  const parseTimes: number[] = [];
  for (let run = 0; run < 5; run++) parsePolicy(big); // warm up the JIT
  for (let run = 0; run < RUNS * 2; run++) {
    const start = performance.now();
    const result = parsePolicy(big);
    parseTimes.push(performance.now() - start);
    if (!result.policy) throw new Error('5,000-line policy is invalid');
  }

  // The same file sharing one rate limit through an anchor and an alias: the fast reader leaves such files
  // to yaml's own parser, the path every file with anchors, tags, multi-line plain scalars or errors takes.
  const limit = '        rate_limit: { max: 5, window: 1m }';
  const withAlias = big.replace(limit, '        rate_limit: &limit { max: 5, window: 1m }').replace(limit, '        rate_limit: *limit');
  if (!withAlias.includes('*limit')) throw new Error('the alias was not placed');
  const yamlTimes: number[] = [];
  for (let run = 0; run < 5; run++) parsePolicy(withAlias);
  for (let run = 0; run < RUNS * 2; run++) {
    const start = performance.now();
    const result = parsePolicy(withAlias);
    yamlTimes.push(performance.now() - start);
    if (!result.policy) throw new Error('5,000-line policy with an alias is invalid');
  }

  const rows: [string, string][] = [
    [`decisions/s, ${ruleCount} rules, calls without args (exact, glob, default), median of ${RUNS}`, format(median(plain))],
    [`decisions/s, ${ruleCount} rules, calls with an args schema, median of ${RUNS}`, format(median(checked))],
    [`parse + compile the ${ruleCount}-rule policy (${text.split('\n').length - 1} lines), ms, median`, format(median(compileTimes))],
    [`parse + validate a ${big.split('\n').length - 1}-line policy, ms, median of ${RUNS * 2}`, format(median(parseTimes))],
    [`parse + validate a ${big.split('\n').length - 1}-line policy, ms, p95`, format(percentile(parseTimes, 95))],
    [`the same with an anchor and an alias (yaml's parser), ms, median of ${RUNS * 2}`, format(median(yamlTimes))],
  ];
  console.log(`Node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`);
  console.log('| measure | value |\n| --- | ---: |');
  for (const [label, value] of rows) console.log(`| ${label} | ${value} |`);
}

main();
