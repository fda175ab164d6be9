// The approval prompt's page: server, tool, risk badge, why the policy asks, the exact arguments as
// formatted JSON, a countdown and the three answers. Everything the proxy sent is escaped for HTML, and
// every character a reader could not see for what it is (bidi overrides, zero-width and control
// characters, odd spaces) is shown as its JSON escape; the arguments are never shortened: they wrap and
// scroll. The page runs only its own script (nonce) and uses the theme's colours, so it reads in light,
// dark and high contrast.
import { RISK_BADGE_LETTER } from '../policy/risk';
import { readingSize, visibleJson, visibleName, visibleText } from '../proxy/visible-text';
import type { ApprovalPrompt } from './approval-broker';

export interface ApprovalPageOptions {
  nonce: string;
  /** The webview's CSP source, for nothing but styles today. */
  cspSource: string;
  /** Milliseconds until the proxy stops waiting. */
  remainingMs: number;
  /** Where the rule is, as text ("mcp-policy.yaml:12"), when known. */
  ruleLocation?: string;
}

/** The answers, in the order they are shown; the first is the default button. */
export const APPROVAL_BUTTONS = [
  { choice: 'allow-once', label: 'Allow once' },
  { choice: 'allow-session', label: 'Allow for this session' },
  { choice: 'deny', label: 'Deny' },
] as const;

const LEVELS = new Set(['low', 'medium', 'high', 'critical']);
const SOURCE_WORDS: Record<string, string> = {
  policy: "Warden's label from the policy",
  annotations: "from the server's annotations",
  name: "from the tool's name",
  description: "from the tool's description",
  default: 'nothing the tool says: an unknown tool',
};

export function approvalHtml(prompt: ApprovalPrompt, options: ApprovalPageOptions): string {
  const letter = RISK_BADGE_LETTER[prompt.risk.category] ?? '?';
  const args = visibleJson(prompt.arguments ?? {}) ?? '(the arguments cannot be written as JSON)';
  const lines = args.split('\n').length;
  // Worth saying when the block will not fit: many lines, or long ones that wrap into many.
  const scroll = readingSize(args).lines > 20;
  const tool = name(prompt.tool);
  const server = name(prompt.server);
  const seconds = Math.max(0, Math.ceil(options.remainingMs / 1000));
  // VS Code names a colour's CSS variable after its id with only the first dot made a dash.
  const level = LEVELS.has(prompt.risk.level) ? prompt.risk.level : 'critical';
  const riskColor = `var(--vscode-mcpWarden-risk\\.${level}, var(--vscode-foreground))`;
  const why = prompt.reason ? `<p class="why">${escape(visibleText(prompt.reason))}</p>` : '';
  const rule = prompt.rule ? `<p class="rule">Rule <code>${escape(visibleText(prompt.rule))}</code>${options.ruleLocation ? ` at ${escape(visibleText(options.ruleLocation))}` : ''}</p>` : '';
  const warnings = prompt.risk.warnings.map((w) => `<p class="warning">⚠ ${escape(visibleText(w))}</p>`).join('');
  const buttons = APPROVAL_BUTTONS.map((b, i) => `<button id="${b.choice}" class="${i === 0 ? 'primary' : b.choice === 'deny' ? 'deny' : 'secondary'}" data-choice="${b.choice}">${b.label}</button>`).join('\n      ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${options.cspSource} 'nonce-${options.nonce}'; script-src 'nonce-${options.nonce}';">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <title>Approve ${tool}?</title>
  <style nonce="${options.nonce}">
    body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 12px 20px; max-width: 820px; }
    h1 { font-size: 1.3em; font-weight: 600; margin: 0.4em 0; }
    .badge { display: inline-block; border: 1px solid ${riskColor}; color: ${riskColor}; border-radius: 3px; padding: 0 6px; font-weight: 600; }
    .muted { color: var(--vscode-descriptionForeground); }
    .warning { color: var(--vscode-editorWarning-foreground); }
    pre { background: var(--vscode-textCodeBlock-background); border: 1px solid var(--vscode-widget-border, transparent); padding: 8px 10px; max-height: 50vh; overflow: auto; white-space: pre-wrap; overflow-wrap: anywhere; font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); }
    .buttons { display: flex; gap: 8px; margin-top: 14px; }
    button { font-family: inherit; font-size: inherit; padding: 5px 14px; border: 1px solid var(--vscode-button-border, transparent); border-radius: 2px; cursor: pointer; }
    button.primary { background: var(--vscode-button-background); color: var(--vscode-button-foreground); }
    button.secondary, button.deny { background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); }
    button:focus { outline: 1px solid var(--vscode-focusBorder); outline-offset: 2px; }
  </style>
</head>
<body>
  <p class="muted">MCP Warden · an agent wants to call a tool that the policy asks about</p>
  <h1>Allow <code>${tool}</code> of <strong>${server}</strong>?</h1>
  <p><span class="badge" title="risk: ${escape(prompt.risk.category)}, ${escape(prompt.risk.level)}">${letter} ${escape(prompt.risk.category)} · ${escape(prompt.risk.level)}</span> <span class="muted">(${escape(SOURCE_WORDS[prompt.risk.source] ?? prompt.risk.source)})</span></p>
  ${warnings}${why}${rule}
  <p class="muted">Arguments (an approval covers exactly these): <span id="size">${args.length.toLocaleString('en')} characters in ${lines.toLocaleString('en')} lines</span>${scroll ? ', scroll to read them all' : ''}. Characters that would not show are written as escapes (<code>\\u200b</code>).</p>
  <pre id="arguments" tabindex="0">${escape(args)}</pre>
  <div class="buttons">
      ${buttons}
  </div>
  <p class="muted" id="countdown">Denied automatically in <span id="seconds">${seconds}</span> s.</p>
  <script nonce="${options.nonce}">
    const vscode = acquireVsCodeApi();
    for (const button of document.querySelectorAll('button[data-choice]')) {
      button.addEventListener('click', () => vscode.postMessage({ choice: button.dataset.choice }));
    }
    // Enter must not approve by accident: the safe answer has the focus.
    document.getElementById('deny').focus();
    let left = ${seconds};
    const seconds = document.getElementById('seconds');
    setInterval(() => { left = Math.max(0, left - 1); seconds.textContent = String(left); }, 1000);
  </script>
</body>
</html>`;
}

/** A tool or server name as HTML: hidden characters escaped, JSON-style. */
function name(text: string): string {
  return escape(visibleName(text));
}

export function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
