// Runs the MCP conformance suite (@modelcontextprotocol/conformance) against a server URL and reads its
// verdicts from the checks.json files it writes, one folder per scenario, rather than from its console.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../proxy/helpers';

const CLI = join(ROOT, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
const RUN_TIMEOUT_MS = 120_000;
/** `server-<scenario>-<ISO time with dashes>`, as the suite names each scenario's results folder. */
const RESULT_FOLDER = /^server-(.+)-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/;

export interface Check {
  id: string;
  status: string;
  errorMessage?: string;
  details?: unknown;
}

export interface ScenarioResult {
  scenario: string;
  checks: Check[];
  /** The suite's own rule (its summary's ✓): no check with status FAILURE. */
  passed: boolean;
}

/**
 * A Node that can run the suite, which needs 22 or newer (it calls fs.globSync): this one if it is,
 * else the VS Code host's Node 24. Throws, saying how to get one, when there is none.
 */
export function suiteNode(): string {
  if (major(process.version) >= 22) return process.execPath;
  // The host's own module says where its Node lives; it is ESM, hence a child to ask.
  const asked = spawnSync(process.execPath, ['--input-type=module', '-e', "import { nodeExecutable } from './scripts/host/paths.mjs'; process.stdout.write(nodeExecutable)"], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const hostNode = asked.stdout;
  const version = hostNode && existsSync(hostNode) ? spawnSync(hostNode, ['--version'], { encoding: 'utf8' }).stdout.trim() : '';
  if (major(version) >= 22) return hostNode;
  throw new Error(
    `The MCP conformance suite needs Node 22 or newer (it calls fs.globSync). This is Node ${process.version}, and the VS Code ` +
      `host's Node 24 is not at ${hostNode || 'the path scripts/host/paths.mjs names'}${asked.stderr ? ` (${asked.stderr.trim()})` : ''}: ` +
      'run `node scripts/vscode-host.mjs provision` first (`npm test` runs the VS Code suite, which provisions it, before this check).',
  );
}

function major(version: string): number {
  return Number(/^v(\d+)\./.exec(version)?.[1] ?? 0);
}

/** Runs every active server scenario against `url`, writing results under `outputDir`; one result per scenario, by name. */
export async function runServerSuite(node: string, url: string, outputDir: string): Promise<Map<string, ScenarioResult>> {
  const { code, output } = await run(node, [CLI, 'server', '--url', url, '--output-dir', outputDir]);
  // Exit code 1 only says that some scenario failed, which is expected of any server here.
  if (code !== 0 && code !== 1) throw new Error(`the conformance suite ended with ${code}:\n${output}`);
  const results = new Map<string, ScenarioResult>();
  for (const folder of existsSync(outputDir) ? readdirSync(outputDir) : []) {
    const scenario = RESULT_FOLDER.exec(folder)?.[1];
    if (!scenario) continue;
    const checks = JSON.parse(readFileSync(join(outputDir, folder, 'checks.json'), 'utf8')) as Check[];
    results.set(scenario, { scenario, checks, passed: checks.every((check) => check.status !== 'FAILURE') });
  }
  if (results.size === 0) throw new Error(`the conformance suite wrote no results (exit code ${code}):\n${output}`);
  return results;
}

function run(node: string, args: string[]): Promise<{ code: number | string; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`could not start the conformance suite with ${node}: ${error.message}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: signal ?? code ?? 'no exit code', output });
    });
  });
}

/** Names of the scenarios that passed, sorted. */
export function passedNames(results: Map<string, ScenarioResult>): string[] {
  return [...results.values()].filter((r) => r.passed).map((r) => r.scenario).sort();
}
