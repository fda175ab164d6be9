// Runs registered cleanups once, whether the launcher ends normally, fails, or is stopped with Ctrl+C / SIGTERM,
// so no VS Code server or Chromium outlives it.
const cleanups = [];
const CLEANUP_TIMEOUT_MS = 10_000;
let running;
let interruptedExitCode;

/** The exit code owed to a signal that asked the launcher to stop (what follows is teardown, not a result). */
export function interruption() {
  return interruptedExitCode;
}

export function onCleanup(cleanup) {
  cleanups.push(cleanup);
}

/** Runs every cleanup, newest first; later calls wait for the same run. */
export function cleanUp() {
  running ??= (async () => {
    for (const cleanup of cleanups.reverse()) {
      try {
        await Promise.race([cleanup(), new Promise((resolve) => setTimeout(resolve, CLEANUP_TIMEOUT_MS).unref())]);
      } catch (error) {
        console.error(`[vscode-host] cleanup failed: ${error?.message ?? error}`);
      }
    }
  })();
  return running;
}

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.on(signal, () => {
    interruptedExitCode = code;
    console.error(`[vscode-host] ${signal}: stopping`);
    cleanUp().finally(() => process.exit(code));
  });
}
