// The gateway's launch as the editor plans it: a command line with no secret on it, each server's resolved
// entry for the `servers` message, its URL at the gateway, the window's mode and the restart delays.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseMode, gatewayInvocation, gatewayServerUrl, RestartBackoff, servedServer } from '../../src/workbench/gateway-launch';
import { LaunchError } from '../../src/workbench/proxy-launch';
import { resolveEntry, type VariableContext } from '../../src/workbench/variables';

const CONTEXT: VariableContext = { workspaceFolder: '/ws/app', userHome: '/home/me', pathSeparator: '/', env: {} };
const OPTIONS = { cliPath: '/ext/dist/cli.js', policyFile: '/ws/app/.vscode/mcp-policy.yaml' };

test('an entry\'s resolved inputs and env reach only its servers entry, never the gateway\'s command line or environment', () => {
  const entry = resolveEntry(
    { type: 'stdio', command: 'node', args: ['${workspaceFolder}/scanner.js', '--key', '${input:apiKey}'], env: { API_TOKEN: '${input:apiKey}', DROP: null } },
    CONTEXT,
    new Map([['apiKey', 'tok-SECRET-1']]),
  );
  const invocation = gatewayInvocation({ ...OPTIONS, auditFile: '/store/audit/gateway.jsonl', approvalTimeoutSeconds: 30, trustAnnotations: true });
  const served = servedServer('scanner', entry, { FROM_FILE: 'file-SECRET-2' }, '/ws/app');
  assert.doesNotMatch(JSON.stringify(invocation), /SECRET/);
  assert.deepEqual(invocation, {
    args: ['/ext/dist/cli.js', 'gateway', '--policy', '/ws/app/.vscode/mcp-policy.yaml', '--listen', '127.0.0.1:0', '--audit', '/store/audit/gateway.jsonl', '--approval-timeout', '30', '--trust-annotations'],
    env: { ELECTRON_RUN_AS_NODE: '1' },
  });
  assert.deepEqual(served, {
    name: 'scanner',
    launch: { command: 'node', args: ['/ws/app/scanner.js', '--key', 'tok-SECRET-1'], env: { FROM_FILE: 'file-SECRET-2', API_TOKEN: 'tok-SECRET-1', DROP: null }, cwd: '/ws/app' },
  });
});

test('the entry\'s env wins over its envFile; its own cwd over the workspace folder; node options come first', () => {
  const served = servedServer('s', { command: 'srv', env: { LEVEL: 'info' }, cwd: '/elsewhere' }, { LEVEL: 'debug', OTHER: '1' }, '/ws/app');
  assert.deepEqual(served.launch, { command: 'srv', args: [], env: { LEVEL: 'info', OTHER: '1' }, cwd: '/elsewhere' });
  assert.deepEqual(servedServer('s', { command: 'srv' }).launch, { command: 'srv', args: [], env: {} });
  assert.deepEqual(gatewayInvocation({ ...OPTIONS, nodeOptions: ['--max-semi-space-size=1'] }).args.slice(0, 3), ['--max-semi-space-size=1', '/ext/dist/cli.js', 'gateway']);
});

test('an http entry is served by URL with its headers; an entry with neither command nor url is refused', () => {
  assert.deepEqual(servedServer('docs', { type: 'http', url: 'https://mcp.example.com/mcp', headers: { Authorization: 'Bearer k' } }), {
    name: 'docs',
    launch: { url: 'https://mcp.example.com/mcp', headers: { Authorization: 'Bearer k' } },
  });
  assert.throws(() => servedServer('x', { type: 'stdio' }), LaunchError);
  assert.throws(() => servedServer('x', { type: 'http' }), /has no url/);
  assert.throws(() => servedServer('x', {}), /neither a command nor a url/);
});

test('a server\'s URL at the gateway escapes its name, so a name cannot reach another path', () => {
  assert.equal(gatewayServerUrl('http://127.0.0.1:41234', 'security-scanner'), 'http://127.0.0.1:41234/servers/security-scanner/mcp');
  assert.equal(gatewayServerUrl('http://127.0.0.1:41234/', '../../healthz?x'), 'http://127.0.0.1:41234/servers/..%2F..%2Fhealthz%3Fx/mcp');
});

test('the mode: auto is the gateway where it can be used, per-server proxies where not; an explicit gateway stays one', () => {
  assert.equal(chooseMode({ setting: 'auto', httpDefinitions: true }).mode, 'gateway');
  assert.equal(chooseMode({ setting: undefined, httpDefinitions: true }).mode, 'gateway');
  assert.equal(chooseMode({ setting: 'something else', httpDefinitions: true }).mode, 'gateway');
  assert.equal(chooseMode({ setting: 'auto', httpDefinitions: false }).mode, 'perServer');
  const fallback = chooseMode({ setting: 'auto', httpDefinitions: true, gatewayUnusable: 'http://127.0.0.1:1/healthz did not answer' });
  assert.deepEqual(fallback, { mode: 'perServer', why: 'the gateway is not usable in this window (http://127.0.0.1:1/healthz did not answer)' });
  assert.equal(chooseMode({ setting: 'perServer', httpDefinitions: true }).mode, 'perServer');
  assert.equal(chooseMode({ setting: 'gateway', httpDefinitions: true, gatewayUnusable: 'it would not start' }).mode, 'gateway');
});

test('restart delays grow to a ceiling and start over after a gateway stayed up', () => {
  const backoff = new RestartBackoff([10, 20, 40], 1000);
  assert.deepEqual([backoff.next(5), backoff.next(5), backoff.next(5), backoff.next(5)], [10, 20, 40, 40]);
  assert.equal(backoff.next(1000), 10);
  assert.equal(backoff.next(0), 20);
  backoff.reset();
  assert.equal(backoff.next(0), 10);
});
