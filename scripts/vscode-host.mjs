#!/usr/bin/env node
// Runs the extension inside a real VS Code on an offline machine, from npm packages alone.
//   provision  install Node 24 and code-server (the VS Code server) into .vscode-test/ once
//   test       run the compiled suite out/test/extension/index.js in that VS Code (npm run test:vscode)
//   start      package the extension and serve VS Code with it at http://127.0.0.1:$PORT (npm start)
// Environment: MOCHA_GREP, SCREENSHOT=file.png, TEST_WORKSPACE (a folder to open instead of the sample), EXTENSION_TEST_TIMEOUT_MS, VSCODE_EXECUTABLE_PATH (use a desktop
// VS Code through @vscode/test-electron), PORT, CHROMIUM_PATH, KEEP_HOST_TEMP, VERBOSE.
import { cleanUp } from './host/cleanup.mjs';
import { HostError } from './host/log.mjs';

// Loaded on demand: `provision` on a provisioned host should not pay for playwright's import.
const commands = {
  provision: async () => (await (await import('./host/provision.mjs')).provisionHost(), 0),
  test: async () => (await import('./host/test-command.mjs')).runTestCommand(),
  start: async () => (await import('./host/start-command.mjs')).runStartCommand(),
};

const name = process.argv[2];
const command = commands[name];
if (!command) {
  console.error(`usage: node scripts/vscode-host.mjs ${Object.keys(commands).join('|')}`);
  process.exit(2);
}

let exitCode;
try {
  exitCode = await command();
} catch (error) {
  console.error(error instanceof HostError ? `[vscode-host] ${error.message}` : error);
  exitCode = 1;
}
await cleanUp();
process.exit(exitCode);
