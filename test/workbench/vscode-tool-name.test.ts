import assert from 'node:assert/strict';
import { test } from 'node:test';
import { candidateToolNames, findVscodeTool, serverPrefix } from '../../src/workbench/vscode-tool-name';

test("VS Code's names for a server's tools: the label's prefix, numbered for a second server, dots as _, at most 64", () => {
  assert.equal(serverPrefix('security-scanner'), 'security-scan');
  assert.equal(serverPrefix('My Server (prod)'), 'my_server_pro');
  const [first, second, tenth] = [0, 1, 9].map((i) => candidateToolNames('security-scanner', 'stop_scan')[i]);
  assert.deepEqual([first, second, tenth], ['mcp_security-scan_stop_scan', 'mcp_security-sca2_stop_scan', 'mcp_security-sc10_stop_scan']);
  assert.equal(candidateToolNames('everything', 'get.sum')[0], 'mcp_everything_get_sum');
  assert.equal(candidateToolNames('everything', 'x'.repeat(80))[0].length, 64);
});

test('the one tool the protected server can own is found', () => {
  const lm = ['mcp_security-scan_stop_scan', 'mcp_everything_echo', 'copilot_readFile'];
  assert.deepEqual(findVscodeTool('security-scanner', 'stop_scan', lm, ['everything']), { ok: true, name: 'mcp_security-scan_stop_scan' });
  assert.deepEqual(findVscodeTool('security-scanner', 'stop_scan', ['mcp_security-sca2_stop_scan'], []), { ok: true, name: 'mcp_security-sca2_stop_scan' });
});

test('a name another server could own is refused, never guessed', () => {
  const twice = findVscodeTool('security-scanner', 'stop_scan', ['mcp_security-scan_stop_scan', 'mcp_security-sca2_stop_scan'], []);
  assert.equal(twice.ok, false);
  assert.match((twice as { problem: string }).problem, /cannot tell which one its proxy serves/);
  const declared = findVscodeTool('security-scanner', 'stop_scan', ['mcp_security-scan_stop_scan', 'mcp_security-sca2_stop_scan'], ['security-scanner']);
  assert.match((declared as { problem: string }).problem, /also declared in an mcp\.json/);
  const alike = findVscodeTool('security-scanner', 'stop_scan', ['mcp_security-scan_stop_scan'], ['Security-Scanner 2']);
  assert.match((alike as { problem: string }).problem, /names the tools of "security-scanner" and of "Security-Scanner 2" alike/);
  const none = findVscodeTool('security-scanner', 'stop_scan', ['mcp_everything_stop_scan', 'mcp_security-scan_stop_scan2'], []);
  assert.match((none as { problem: string }).problem, /lists no tool "stop_scan"/);
});
