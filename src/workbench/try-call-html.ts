// The "Try a call…" page: a form for the tool's arguments (try-call-form.ts), a Send button, and where
// Warden's decision and the result appear. Every name and word the server sent is escaped, with the
// characters a reader could not see written as escapes; the page runs only its own script (nonce) and
// renders answers as text, never as HTML.
import { visibleName, visibleText } from '../proxy/visible-text';
import { escape } from './approval-html';
import type { CallForm, FormField } from './try-call-form';

export interface TryCallPage {
  server: string;
  tool: string;
  description?: string;
  /** The tree's line for the tool: `execute · high · denied`. */
  summary: string;
  form: CallForm;
}

/** What the page posts: each field's value by its index (a boolean or enum not set is undefined). */
export interface SendMessage {
  type: 'send';
  values: Array<string | boolean | null>;
}

/** What the page is told: a state line and, when there is one, the text of the answer. */
export interface ShowMessage {
  type: 'show';
  state: 'sending' | 'allowed' | 'refused' | 'problem';
  headline: string;
  body?: string;
}

export function tryCallHtml(page: TryCallPage, options: { nonce: string; cspSource: string }): string {
  const tool = escape(visibleName(page.tool));
  const server = escape(visibleName(page.server));
  const fields = page.form.fields.map(fieldHtml).join('\n');
  const none = page.form.fields.length === 0 ? '<p class="muted">This tool takes no arguments.</p>' : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${options.cspSource} 'nonce-${options.nonce}'; script-src 'nonce-${options.nonce}';">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <title>Try ${tool}</title>
  <style nonce="${options.nonce}">
    body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 12px 20px; max-width: 820px; }
    h1 { font-size: 1.3em; font-weight: 600; margin: 0.4em 0; }
    .muted { color: var(--vscode-descriptionForeground); }
    .field { margin: 10px 0; }
    label { display: block; font-weight: 600; margin-bottom: 3px; }
    .required { color: var(--vscode-errorForeground); }
    input, select, textarea { box-sizing: border-box; width: 100%; font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); color: var(--vscode-input-foreground); background: var(--vscode-input-background); border: 1px solid var(--vscode-input-border, transparent); padding: 4px 6px; }
    textarea { min-height: 4em; resize: vertical; }
    button { font-family: inherit; font-size: inherit; padding: 5px 14px; margin-top: 8px; border: 1px solid var(--vscode-button-border, transparent); border-radius: 2px; cursor: pointer; background: var(--vscode-button-background); color: var(--vscode-button-foreground); }
    button:disabled { opacity: 0.6; cursor: default; }
    #state { font-weight: 600; margin-top: 14px; }
    #state.refused, #state.problem { color: var(--vscode-errorForeground); }
    #state.allowed { color: var(--vscode-testing-iconPassed, var(--vscode-foreground)); }
    pre { background: var(--vscode-textCodeBlock-background); border: 1px solid var(--vscode-widget-border, transparent); padding: 8px 10px; max-height: 50vh; overflow: auto; white-space: pre-wrap; overflow-wrap: anywhere; font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); }
    pre:empty { display: none; }
  </style>
</head>
<body>
  <p class="muted">MCP Warden · try a call as an agent would make it</p>
  <h1><code>${tool}</code> of <strong>${server}</strong></h1>
  <p class="muted">${escape(page.summary)}</p>
  ${page.description ? `<p>${escape(visibleText(page.description))}</p>` : ''}
  <p class="muted">Sent through VS Code's MCP client to Warden's proxy, like an agent's call: the policy decides it (a tool that asks waits for your answer), and it shows in the Decisions view.</p>
  <form id="form">
${fields}
    ${none}
    <button id="send" type="submit">Send</button>
  </form>
  <p id="state" role="status"></p>
  <pre id="answer" tabindex="0"></pre>
  <script nonce="${options.nonce}">
    const vscode = acquireVsCodeApi();
    const form = document.getElementById('form');
    const send = document.getElementById('send');
    const state = document.getElementById('state');
    const answer = document.getElementById('answer');
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const values = [];
      for (const element of document.querySelectorAll('[data-index]')) {
        const kind = element.dataset.kind;
        values[Number(element.dataset.index)] = kind === 'boolean' ? (element.value === '' ? null : element.value === 'true') : (kind === 'enum' && element.value === '' ? null : element.value);
      }
      vscode.postMessage({ type: 'send', values });
    });
    window.addEventListener('message', (event) => {
      const message = event.data;
      if (!message || message.type !== 'show') return;
      state.className = message.state;
      state.textContent = message.headline;
      answer.textContent = typeof message.body === 'string' ? message.body : '';
      send.disabled = message.state === 'sending';
    });
  </script>
</body>
</html>`;
}

function fieldHtml(field: FormField, index: number): string {
  const id = `field-${index}`;
  const name = field.whole ? 'Arguments (JSON object)' : escape(visibleName(field.name));
  const kind = field.whole ? 'JSON' : field.kind === 'json' ? 'JSON' : field.kind;
  const mark = field.required ? ' <span class="required" title="required">*</span>' : '';
  const label = `<label for="${id}">${name}${mark} <span class="muted">${kind}</span></label>`;
  const description = field.description ? `<div class="muted">${escape(visibleText(field.description))}</div>` : '';
  const data = `id="${id}" data-index="${index}" data-kind="${field.kind}"`;
  let control: string;
  switch (field.kind) {
    case 'boolean': {
      const selected = (value: boolean) => (field.initial === value ? ' selected' : '');
      control = `<select ${data}><option value="">(not set)</option><option value="true"${selected(true)}>true</option><option value="false"${selected(false)}>false</option></select>`;
      break;
    }
    case 'enum': {
      const options = (field.options ?? []).map((json) => `<option value="${escape(json)}"${field.initial === json ? ' selected' : ''}>${escape(visibleText(json))}</option>`).join('');
      control = `<select ${data}><option value="">(not set)</option>${options}</select>`;
      break;
    }
    case 'json':
      control = `<textarea ${data} spellcheck="false">${escape(typeof field.initial === 'string' ? field.initial : '')}</textarea>`;
      break;
    default:
      control = `<input ${data} type="text" spellcheck="false" value="${escape(typeof field.initial === 'string' ? field.initial : '')}">`;
  }
  return `    <div class="field">${label}${description}${control}</div>`;
}
