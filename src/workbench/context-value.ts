// The tree's `contextValue` strings. package.json's menus match them with `viewItem =~ /.../`, so each
// part has a fixed place and a fixed vocabulary:
//   server:<protected|unprotected>:<running|stopped|error|held|unknown>:<stdio|http|sse|unknown>
//   tool:<allow|ask|deny>:<low|medium|high|critical>:<rule|norule>:<enforced|unenforced>[:pin-changed|:pin-new][:flagged]
// An action is shown only where it would change something: "Deny" on `tool:(allow|ask):`, and so on.
import type { Action, RiskLevel } from '../policy/model';
import type { ServerTransport } from '../language/catalogue';

/**
 * `unknown` for servers VS Code runs without Warden: only a proxy reports whether its server runs.
 * `held`: protected but not started, because its launch entry is not approved or the workspace not trusted.
 */
export type ServerState = 'running' | 'stopped' | 'error' | 'held' | 'unknown';

export function serverContextValue(isProtected: boolean, state: ServerState, transport: ServerTransport | undefined): string {
  return ['server', isProtected ? 'protected' : 'unprotected', state, transport ?? 'unknown'].join(':');
}

export function toolContextValue(action: Action, level: RiskLevel, hasRule: boolean, enforced: boolean): string {
  return ['tool', action, level, hasRule ? 'rule' : 'norule', enforced ? 'enforced' : 'unenforced'].join(':');
}

/** The `when` clauses package.json uses, kept here so a test can check them against the strings above. */
export const MENU_WHEN = {
  denyTool: 'viewItem =~ /^tool:(allow|ask):/',
  allowTool: 'viewItem =~ /^tool:(ask|deny):/',
  askTool: 'viewItem =~ /^tool:(allow|deny):/',
  rateLimitTool: 'viewItem =~ /^tool:/',
  revealRule: 'viewItem =~ /^tool:[a-z]+:[a-z]+:rule:/',
  // Only where the call passes Warden: a tool of a protected server.
  tryToolCall: 'viewItem =~ /^tool:[a-z]+:[a-z]+:[a-z]+:enforced/',
  protectServer: 'viewItem =~ /^server:unprotected:/',
  unprotectServer: 'viewItem =~ /^server:protected:/',
  approveLaunch: 'viewItem =~ /^server:protected:held:/',
  discoverServerTools: 'viewItem =~ /^server:[a-z]+:[a-z]+:stdio$/',
  openServerConfiguration: 'viewItem =~ /^server:/',
  // A tool marked against its pin: changed, new or flagged (src/extension/pinning/pin-tree-marks.ts).
  reviewToolChange: 'viewItem =~ /^tool:.*:(pin-changed|pin-new|flagged)/',
  pinServerTools: 'viewItem =~ /^server:protected:/',
} as const;
