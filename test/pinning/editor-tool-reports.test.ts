// The proxy's tools report carries each tool's whole definition as listed (title, schemas, annotations as
// sent), so the editor can show it against its pin and check its descriptions itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePolicy } from '../../src/policy/parse';
import { PolicyEngine } from '../../src/policy/engine';
import { toolReports } from '../../src/proxy/interception';
import type { ToolInfo } from '../../src/policy/model';

test('a tool report has the title, input and output schemas and annotations as the server listed them', () => {
  const engine = new PolicyEngine(parsePolicy('version: 1\ndefault: allow\n', '/p.yaml').policy!);
  const tool = {
    name: 'fetch',
    title: 'Fetch a page',
    description: 'Fetches.',
    inputSchema: { type: 'object', properties: { url: { type: 'string', description: 'The page.' } } },
    outputSchema: { type: 'object' },
    annotations: { readOnlyHint: true },
  } as ToolInfo;
  const [report] = toolReports({ engine }, 'web', [tool]);
  assert.equal(report.title, 'Fetch a page');
  assert.deepEqual(report.inputSchema, tool.inputSchema);
  assert.deepEqual(report.outputSchema, { type: 'object' });
  assert.deepEqual(report.annotations, { readOnlyHint: true });
  // What is not a string or an object is left out rather than passed on as something else.
  const [odd] = toolReports({ engine }, 'web', [{ name: 'odd', title: 7, inputSchema: 'x', outputSchema: [1] } as unknown as ToolInfo]);
  assert.equal('title' in odd || 'inputSchema' in odd || 'outputSchema' in odd, false);
});
