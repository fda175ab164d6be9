// Language service benchmarks on two 5,000-line policies (many small servers, few large ones): completion
// and hover at many positions (on a version already seen, and on the first request after a keystroke), and
// full diagnostics (on first sight of the file, after a keystroke). Budgets: completion and hover 5 ms at
// p95, diagnostics 30 ms.
// Run: npm run bench:language
import { MemoryCatalogue } from '../src/language/catalogue';
import { PolicyLanguageService, type DocumentRef } from '../src/language/service';
import type { Position, ToolInfo } from '../src/policy/model';
import { policyOfLines } from './policy-fixtures';
import { format, median, percentile } from './stats';

const LINES = 5000;
const URI = 'file:///bench/.vscode/mcp-policy.yaml';

function catalogueFor(servers: number): MemoryCatalogue {
  const catalogue = new MemoryCatalogue();
  catalogue.setServers(
    'workspace',
    Array.from({ length: servers }, (_, s) => ({ name: `server-${s}`, transport: 'stdio' as const, source: { origin: 'workspace' as const } })),
  );
  for (let s = 0; s < servers; s++) {
    const tools: ToolInfo[] = Array.from({ length: 20 }, (_, t) => ({
      name: `tool_${t}`,
      description: `Tool ${t}.`,
      inputSchema: { type: 'object', properties: { path: { type: 'string' } } },
    }));
    tools.push({ name: 'delete_everything', description: 'Deletes everything.' }, { name: 'run_shell', description: 'Runs a command.' });
    catalogue.setTools(`server-${s}`, tools, 'cache');
  }
  return catalogue;
}

function time(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function summary(name: string, samples: number[], budget: number): string {
  const p95 = percentile(samples, 95);
  return `| ${name} | ${format(median(samples), 3)} | ${format(p95, 3)} | ${format(Math.max(...samples), 3)} | ${budget} | ${p95 <= budget ? 'yes' : 'NO'} |`;
}

/** Positions spread over the file: after keys' colons, inside keys, on blank lines under tools:, at the end. */
function positionsOf(text: string, count: number): Position[] {
  const lines = text.split('\n');
  const positions: Position[] = [];
  for (let i = 0; positions.length < count; i = (i + 97) % lines.length) {
    const line = lines[i];
    const colon = line.indexOf(':');
    positions.push(colon >= 0 ? { line: i, character: colon + 2 } : { line: i, character: line.length });
    const key = line.search(/\S/);
    if (key >= 0) positions.push({ line: i, character: key + 1 });
  }
  positions.push({ line: lines.length - 1, character: 0 });
  return positions;
}

/** A policy of about `targetLines` lines with few, large servers (200 rules each): the shape that makes a server's block long. */
function fewServersPolicy(targetLines: number): string {
  const lines = ['# generated', 'version: 1', 'default: allow', 'servers:'];
  for (let s = 0; lines.length < targetLines; s++) {
    lines.push(`  server-${s}:`, '    default: ask', '    tools:');
    for (let t = 0; t < 200 && lines.length < targetLines; t++) {
      lines.push(`      # rule ${t}`, `      tool_${t}:`, '        action: deny', `        reason: Tool ${t} of server ${s} is denied.`, '        rate_limit: { max: 5, window: 1m }');
      if (t % 4 === 0) lines.push('        args:', '          type: object', '          properties:', '            path: { type: string, pattern: "^/tmp/" }');
    }
  }
  return lines.join('\n') + '\n';
}

interface Edit {
  text: string;
  /** Where the keystroke left the cursor (completion). */
  position: Position;
  /** On the edited line's key (hover). */
  keyAt: Position;
}

/**
 * Texts as keystrokes leave them, one line changed each: a value cut to its first letter (`action: d`),
 * or a rule's key without its colon yet (`tool_1`). Built before timing, so building them is not measured.
 */
function keystrokes(text: string, count: number, seed: number): Edit[] {
  const lines = text.split('\n');
  const actionLines = lines.flatMap((line, i) => (line === '        action: deny' ? [i] : []));
  const keyLines = lines.flatMap((line, i) => (/^ {6}tool_\d+:$/.test(line) ? [i] : []));
  return Array.from({ length: count }, (_, k) => {
    const onKey = k % 2 === 1;
    const pool = onKey ? keyLines : actionLines;
    const target = pool[((k + seed) * 37) % pool.length];
    const edited = [...lines];
    edited[target] = onKey ? lines[target].slice(0, -1) : '        action: d';
    return { text: edited.join('\n'), position: { line: target, character: edited[target].length }, keyAt: { line: target, character: edited[target].search(/\S/) + 1 } };
  });
}

function scenario(title: string, text: string): void {
  const lineCount = text.split('\n').length - 1;
  const servers = (text.match(/^ {2}server-/gm) ?? []).length;
  const rules = (text.match(/^ {6}tool_/gm) ?? []).length;
  const catalogue = catalogueFor(servers + 2);
  const positions = positionsOf(text, 400);

  // First sight: a new service sees the file for the first time (what opening it costs), in an editor
  // whose language service has already run on other policies (main warms it up on another text).
  const cold: number[] = [];
  for (let run = 0; run < 20; run++) {
    const service = new PolicyLanguageService(catalogue);
    cold.push(time(() => service.diagnostics({ uri: URI, version: 1, text })));
  }

  const service = new PolicyLanguageService(catalogue);
  let version = 1;
  const doc = (t: string): DocumentRef => ({ uri: URI, version, text: t });
  const problems = service.diagnostics(doc(text)).length;

  // The same version: completion and hover work from the lines and the cached parse.
  for (const p of positions.slice(0, 50)) service.complete(doc(text), p); // warm up the JIT
  const completion = positions.map((p) => time(() => service.complete(doc(text), p)));
  const hovers = positions.map((p) => time(() => service.hover(doc(text), p)));

  // Typing: every request is the first on a new version.
  const typingCompletion: number[] = [];
  const typingHover: number[] = [];
  const editDiagnostics: number[] = [];
  for (const edit of keystrokes(text, 120, 0)) {
    version++;
    typingCompletion.push(time(() => service.complete(doc(edit.text), edit.position)));
    typingHover.push(time(() => service.hover(doc(edit.text), edit.keyAt)));
    editDiagnostics.push(time(() => service.diagnostics(doc(edit.text))));
  }
  const alone: number[] = [];
  for (const edit of keystrokes(text, 60, 120)) {
    version++;
    alone.push(time(() => service.diagnostics(doc(edit.text))));
  }

  console.log(`\n### ${title}\n`);
  console.log(`${lineCount} lines, ${servers} servers, ${rules} rules; catalogue: ${servers + 2} servers x 22 tools; ${problems} problems reported.\n`);
  console.log('| operation | median ms | p95 ms | max ms | budget ms | within |');
  console.log('| --- | ---: | ---: | ---: | ---: | --- |');
  console.log(summary('completion, same version (400 positions)', completion, 5));
  console.log(summary('hover, same version (400 positions)', hovers, 5));
  console.log(summary('completion, first request after a keystroke', typingCompletion, 5));
  console.log(summary('hover on the edited key, first request after a keystroke (parses the edited piece)', typingHover, 5));
  console.log(summary('full diagnostics after a keystroke, parse included', alone, 30));
  console.log(summary('full diagnostics after a keystroke, after that hover', editDiagnostics, 30));
  console.log(summary('full diagnostics, first sight of the file (20 new services)', cold, 30));
}

/**
 * The very first diagnostics of the process, before any of the code has been compiled; then a warm-up on
 * another policy of the same size (opened, then 200 keystrokes each followed by a completion, a hover and
 * diagnostics), as an editor's language service is once someone has typed a little: the measures below
 * are of code the JIT has compiled, like every other benchmark here.
 */
function firstOfProcess(): void {
  const text = policyOfLines(LINES);
  const first = time(() => new PolicyLanguageService(catalogueFor(43)).diagnostics({ uri: URI, version: 1, text }));
  const other = text.replaceAll('server-', 'warm-up-');
  const service = new PolicyLanguageService(catalogueFor(43));
  for (const [version, edit] of keystrokes(other, 200, 7).entries()) {
    const doc = { uri: 'file:///warm-up.mcp-policy.yaml', version: version + 1, text: edit.text };
    service.complete(doc, edit.position);
    service.hover(doc, edit.keyAt);
    service.diagnostics(doc);
  }
  for (let run = 0; run < 10; run++) new PolicyLanguageService(catalogueFor(43)).diagnostics({ uri: URI, version: 1, text: other });
  console.log(`\nThe process's very first diagnostics, of the ${LINES}-line many-servers policy, before any code was compiled: ${format(first)} ms.`);
}

function main(): void {
  firstOfProcess();
  scenario('Many servers (20 rules each)', policyOfLines(LINES));
  scenario('Few servers (200 rules each)', fewServersPolicy(LINES));
}

main();
