// Variables, envFile and the proxy invocation: how a protected server's entry becomes a command line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDotenv } from '../../src/workbench/dotenv';
import { definitionVersion, PROXY_NODE_OPTIONS, proxyInvocation } from '../../src/workbench/proxy-launch';
import { inputIds, resolveEntry, resolveText, type VariableContext } from '../../src/workbench/variables';

const CONTEXT: VariableContext = { workspaceFolder: '/ws/app', userHome: '/home/me', pathSeparator: '/', env: { HOME: '/home/me', LEVEL: 'debug' } };

test('variables: folder, home, separator, environment; inputs only when answered', () => {
  assert.equal(resolveText('${workspaceFolder}/x${/}${workspaceFolderBasename}', CONTEXT), '/ws/app/x/app');
  assert.equal(resolveText('${userHome}:${env:LEVEL}:${env:NOPE}.', CONTEXT), '/home/me:debug:.');
  assert.equal(resolveText('Bearer ${input:token}', CONTEXT), 'Bearer ${input:token}');
  assert.equal(resolveText('Bearer ${input:token}', CONTEXT, new Map([['token', 's3cret']])), 'Bearer s3cret');
  assert.throws(() => resolveText('${command:pick}', CONTEXT), /\$\{command:pick\} is not a variable Warden can resolve/);
  assert.throws(() => resolveText('${workspaceFolder}', { ...CONTEXT, workspaceFolder: undefined }), /only be resolved when a workspace folder is open/);
});

test('inputIds lists each input once, in order of first use, from every string of an entry', () => {
  const entry = { command: '${input:bin}', args: ['--key', '${input:key}'], env: { A: '${input:key}', B: '${input:other} ${input:bin}' } };
  assert.deepEqual(inputIds(entry), ['bin', 'key', 'other']);
  assert.deepEqual(resolveEntry(entry, CONTEXT, new Map([['bin', 'node'], ['key', 'k'], ['other', 'o']])), { command: 'node', args: ['--key', 'k'], env: { A: 'k', B: 'o node' } });
});

test('dotenv: comments, export, quotes and escapes', () => {
  const text = '# comment\nexport A=1\nB = two words # note\nC="line\\nnext \\"q\\""\nD=\'lit\\n\'\nnot a line\n\nE=\n';
  assert.deepEqual(parseDotenv(text), { A: '1', B: 'two words', C: 'line\nnext "q"', D: 'lit\\n', E: '' });
});

test('a stdio entry becomes node dist/cli.js proxy ... -- command args, with its env for the server', () => {
  const invocation = proxyInvocation(
    { type: 'stdio', command: 'node', args: ['/ws/app/scanner.js', '--quiet'], env: { LEVEL: 'info', DROP: null }, cwd: '/ws/app' },
    { cliPath: '/ext/dist/cli.js', policyFile: '/ws/app/.vscode/mcp-policy.yaml', server: 'security-scanner', auditFile: '/store/audit.jsonl', approvalTimeoutSeconds: 30 },
    { FROM_FILE: 'x', LEVEL: 'overridden' },
  );
  assert.deepEqual(invocation, {
    args: ['/ext/dist/cli.js', 'proxy', '--policy', '/ws/app/.vscode/mcp-policy.yaml', '--server', 'security-scanner', '--audit', '/store/audit.jsonl', '--approval-timeout', '30', '--', 'node', '/ws/app/scanner.js', '--quiet'],
    // The server's variables ride in one variable the proxy applies to the server alone (never its own environment).
    env: { MCP_WARDEN_SERVER_ENV: JSON.stringify({ FROM_FILE: 'x', LEVEL: 'info', DROP: null }), ELECTRON_RUN_AS_NODE: '1' },
    cwd: '/ws/app',
  });
});

test('Node options come before the CLI', () => {
  const invocation = proxyInvocation({ command: 'node', args: ['s.js'] }, { cliPath: 'cli.js', nodeOptions: PROXY_NODE_OPTIONS, policyFile: 'p.yaml', server: 's' });
  assert.deepEqual(invocation.args, ['--max-semi-space-size=1', '--v8-pool-size=1', 'cli.js', 'proxy', '--policy', 'p.yaml', '--server', 's', '--', 'node', 's.js']);
});

test('an HTTP entry becomes --url with a --header per header', () => {
  const invocation = proxyInvocation({ type: 'http', url: 'https://x.test/mcp', headers: { Authorization: 'Bearer t', 'X-Team': 'a' } }, { cliPath: 'cli.js', policyFile: 'p.yaml', server: 'remote' });
  assert.deepEqual(invocation.args, ['cli.js', 'proxy', '--policy', 'p.yaml', '--server', 'remote', '--url', 'https://x.test/mcp', '--header', 'Authorization: Bearer t', '--header', 'X-Team: a']);
  assert.throws(() => proxyInvocation({ type: 'stdio' }, { cliPath: 'c', policyFile: 'p', server: 's' }), /"s" has no command/);
  assert.throws(() => proxyInvocation({ env: {} }, { cliPath: 'c', policyFile: 'p', server: 's' }), /neither a command nor a url/);
});

test('definitionVersion is stable and changes with any part', () => {
  assert.equal(definitionVersion({ a: 1 }, ['t1']), definitionVersion({ a: 1 }, ['t1']));
  assert.notEqual(definitionVersion({ a: 1 }, ['t1']), definitionVersion({ a: 1 }, ['t1', 't2']));
  assert.match(definitionVersion('x'), /^[0-9a-f]{16}$/);
});
