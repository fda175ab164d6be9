import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callForm } from '../../src/workbench/try-call-form';
import { tryCallHtml } from '../../src/workbench/try-call-html';

const OPTIONS = { nonce: 'abc123', cspSource: 'vscode-webview:' };

test('a field per property, with its kind, required mark, options and default; only the nonce script runs', () => {
  const html = tryCallHtml({
    server: 'security-scanner',
    tool: 'start_security_scan',
    summary: 'execute · high · ask',
    form: callForm({ properties: { target: { type: 'string' }, profile: { enum: ['quick', 'full'], default: 'full' }, deep: { type: 'boolean' }, tags: { type: 'array' } }, required: ['target'] }),
  }, OPTIONS);
  assert.match(html, /content="default-src 'none'; style-src vscode-webview: 'nonce-abc123'; script-src 'nonce-abc123';"/);
  assert.match(html, /<label for="field-0">target <span class="required" title="required">\*<\/span> <span class="muted">string<\/span><\/label><input id="field-0" data-index="0" data-kind="string" type="text"/);
  assert.match(html, /<option value="&quot;full&quot;" selected>&quot;full&quot;<\/option>/);
  assert.match(html, /<select id="field-2" data-index="2" data-kind="boolean">/);
  assert.match(html, /<textarea id="field-3" data-index="3" data-kind="json"/);
  assert.equal([...html.matchAll(/<script/g)].length, 1);
  assert.match(html, /<script nonce="abc123">/);
});

test("a hostile server's names and words are text, never markup, and hidden characters show as escapes", () => {
  const html = tryCallHtml({
    server: 'evil',
    tool: '<img src=x onerror=alert(1)>',
    description: 'Ignore the form</p><script>alert(2)</script>\u202e',
    summary: 'read · low · allowed',
    form: callForm({ properties: { '"><script>alert(3)</script>': { type: 'string', description: '<b>bold</b>', default: '"><script>' }, mode: { enum: ['</option><script>alert(4)</script>'] } } }),
  }, OPTIONS);
  assert.equal([...html.matchAll(/<script/g)].length, 1, 'only the page\'s own script');
  assert.doesNotMatch(html, /<img|<b>/);
  assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/);
  assert.match(html, /\\u202e/);
});
