// Builds the two bundles: the extension (cjs, `vscode` external) and the CLI/proxy (plain Node).
// `node scripts/build.mjs --bench` also bundles the benchmarks, so they measure the code that ships.
import * as esbuild from 'esbuild';
import { chmodSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const yamlPortable = fileURLToPath(new URL('../node_modules/yaml/browser/index.js', import.meta.url));
// jsonc-parser's `main` is a UMD build whose inner require() calls a bundler cannot follow; its ES build bundles.
const jsoncEsm = fileURLToPath(new URL('../node_modules/jsonc-parser/lib/esm/main.js', import.meta.url));

const watch = process.argv.includes('--watch');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  minify: !watch,
  logLevel: 'warning',
  // yaml's Node build reads process.env on every token (a debug switch), which costs about a quarter
  // of its parse time; its portable build is the same code without that.
  alias: { yaml: yamlPortable, 'jsonc-parser': jsoncEsm },
};

// Libraries needed only now and then are files of their own, required at run time from the same folder:
// V8 compiles every byte of a bundle when it is loaded, so keeping them out makes activation and the
// proxy's start faster. Their import paths stay as written (`./ajv-compiler`), which resolve to dist/.
const lazy = ['./ajv-compiler', './mcp-client'];

// Each file's `import * as vscode` would otherwise copy the whole vscode API object (esbuild's __toESM: a
// few hundred properties, in each of 24 files, about 7 ms of activation). The plugin routes them all
// through one module that re-exports it, so it is copied once.
const vscodeOnce = {
  name: 'vscode-once',
  setup(build) {
    build.onResolve({ filter: /^vscode$/ }, (args) => (args.namespace === 'vscode-once' ? { path: 'vscode', external: true } : { path: 'vscode', namespace: 'vscode-once' }));
    build.onLoad({ filter: /.*/, namespace: 'vscode-once' }, () => ({ contents: "export * from 'vscode';", loader: 'js' }));
  },
};

const builds = [
  { ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: lazy, plugins: [vscodeOnce] },
  { ...common, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' }, external: lazy },
  { ...common, entryPoints: ['src/policy/ajv-compiler.ts'], outfile: 'dist/ajv-compiler.js' },
  { ...common, entryPoints: ['src/extension/language/mcp-client.ts'], outfile: 'dist/mcp-client.js' },
];

if (process.argv.includes('--bench')) {
  for (const file of readdirSync('bench').filter((f) => f.endsWith('.bench.ts'))) {
    builds.push({ ...common, minify: false, entryPoints: [`bench/${file}`], outfile: `dist/bench/${file.replace(/\.ts$/, '.js')}` });
  }
}

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
  chmodSync('dist/cli.js', 0o755);
}
