// The smoke-test driver hands every workbench log message to window.codeAutomationLog, the suite's mocha
// output among them. All of it goes to a log file; the terminal gets the suite's output without the
// workbench's own start-up chatter and the offline failures of gallery lookups (VERBOSE=1 shows everything).
import { appendFileSync } from 'node:fs';
import { format } from 'node:util';

const WORKBENCH_CHATTER = [
  /^\[(AgentHost|AgentHost:\w+|ChatModelSelection|AccountPolicyGate|Service Worker|reconnection-grace-time)\]/,
  /^(Resolving|Resolved) connection token/,
  /^Creating a socket/,
  /^Updating additional builtin extensions cache/,
  /^Timed out waiting for authentication provider/,
  /getaddrinfo ENOTFOUND/,
  // Copilot Chat, turned on by the agent-mode suite, offline and signed out: its login, its CLI sessions
  // part (which cannot load in this server) and its storage's first use.
  /^GitHubLoginFailed/,
  /^No utility model is configured/,
  /^Directory import .*@github\/copilot\b/,
  /^\[ChatSessionsService\] Failed to resolve sessions for provider copilotcli/,
  /^(Migrating|Migrated|Error while migrating) (global |workspace )?(extension )?(file )?storage/,
];

export function isWorkbenchChatter(message) {
  return WORKBENCH_CHATTER.some((pattern) => pattern.test(message));
}

/** @returns {(type: string, args: unknown[], options?: { quiet?: boolean }) => void} */
export function workbenchRelay(logFile, verbose = Boolean(process.env.VERBOSE)) {
  return (type, args, { quiet = false } = {}) => {
    const message = format(...args);
    appendFileSync(logFile, `[${type}] ${message}\n`);
    if (verbose || (!quiet && !isWorkbenchChatter(message))) (console[type] ?? console.log)(message);
  };
}
