import { test } from 'node:test';
import assert from 'node:assert/strict';
import { approvalHtml } from '../../src/workbench/approval-html';
import type { ApprovalPrompt } from '../../src/workbench/approval-broker';
import { minimalChange } from '../../src/workbench/text-change';

const PROMPT: ApprovalPrompt = {
  key: 'c\u00001', server: 'scanner', session: 's', tool: 'start_security_scan', arguments: { target: '</pre><script>alert(1)</script>', n: 2 },
  risk: { category: 'execute', level: 'high', source: 'name', warnings: ['annotations say <read-only>'] }, reason: 'Scans "cost" money', rule: 'start_*', line: 12,
  policyFile: '/ws/.vscode/mcp-policy.yaml', timeoutMs: 59_500,
};

test('the approval page shows server, tool, risk, reason, rule and the formatted arguments, all escaped', () => {
  const html = approvalHtml(PROMPT, { nonce: 'N0NCE', cspSource: 'vscode-webview:', remainingMs: 59_500, ruleLocation: 'mcp-policy.yaml:12' });
  assert.match(html, /<h1>Allow <code>start_security_scan<\/code> of <strong>scanner<\/strong>\?<\/h1>/);
  assert.match(html, />X execute · high<\/span> <span class="muted">\(from the tool&#39;s name\)<\/span>/);
  assert.match(html, /<p class="warning">⚠ annotations say &lt;read-only&gt;<\/p>/);
  assert.match(html, /<p class="why">Scans &quot;cost&quot; money<\/p>/);
  assert.match(html, /Rule <code>start_\*<\/code> at mcp-policy\.yaml:12/);
  assert.ok(html.includes('<pre id="arguments" tabindex="0">{\n  &quot;target&quot;: &quot;&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;&quot;,\n  &quot;n&quot;: 2\n}</pre>'));
  assert.equal(html.match(/<script/g)!.length, 1, 'only the page\'s own script');
  assert.match(html, /script-src 'nonce-N0NCE'/);
  assert.match(html, /<span id="seconds">60<\/span>/);
  assert.deepEqual([...html.matchAll(/data-choice="([a-z-]+)"/g)].map((m) => m[1]), ['allow-once', 'allow-session', 'deny']);
  assert.match(html, /document\.getElementById\('deny'\)\.focus\(\)/, 'Enter does not approve');
  assert.match(html, /var\(--vscode-mcpWarden-risk\\\.high, var\(--vscode-foreground\)\)/);
});

test('an unknown risk level from a proxy is not written into the page\'s styles', () => {
  const html = approvalHtml({ ...PROMPT, risk: { ...PROMPT.risk, level: 'x) } body { display: none' as 'high' } }, { nonce: 'n', cspSource: 's', remainingMs: 1 });
  const style = html.slice(html.indexOf('<style'), html.indexOf('</style>'));
  assert.doesNotMatch(style, /display: none/);
  assert.match(style, /risk\\\.critical/);
});

test('minimalChange finds the one replacement between two texts', () => {
  assert.equal(minimalChange('abc', 'abc'), undefined);
  assert.deepEqual(minimalChange('a: 1\nb: 2\n', 'a: 1\nb: 3\n'), { start: 8, end: 9, text: '3' });
  assert.deepEqual(minimalChange('aaa', 'aaaa'), { start: 3, end: 3, text: 'a' });
  assert.deepEqual(minimalChange('x\ny\n', 'x\n'), { start: 2, end: 4, text: '' });
});
