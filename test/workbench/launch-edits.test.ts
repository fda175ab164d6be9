import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineCounter, parseDocument } from 'yaml';
import { parsePolicy } from '../../src/policy/parse';
import { removeServerLaunch, setServerLaunch } from '../../src/workbench/launch-edits';
import { protectedServers } from '../../src/workbench/launch-entry';

const POLICY = `# Team policy.
version: 1
default: allow   # allow | ask | deny

servers:
  # The scanner is powerful.
  security-scanner:
    default: ask
    tools:
      stop_scan:
        action: deny   # never
        reason: Stopping a scan hides attacks.
# end
`;

const SCANNER = { type: 'stdio', command: 'node', args: ['${workspaceFolder}/scanner.js', '--quiet'], env: { LOG_LEVEL: 'info', 'weird key': 'x y' } };

function launchesOf(text: string) {
  const counter = new LineCounter();
  const document = parseDocument(text, { lineCounter: counter });
  return protectedServers(document, counter);
}

test('setServerLaunch writes the entry first in an existing server, in its order, and touches no other line', () => {
  const next = setServerLaunch(POLICY, 'security-scanner', SCANNER);
  assert.equal(
    next,
    POLICY.replace(
      '  security-scanner:\n',
      [
        '  security-scanner:',
        '    launch:',
        '      type: stdio',
        '      command: node',
        '      args: ["${workspaceFolder}/scanner.js", "--quiet"]',
        '      env:',
        '        LOG_LEVEL: info',
        '        "weird key": x y',
        '',
      ].join('\n'),
    ),
  );
  const parsed = parsePolicy(next);
  assert.deepEqual(parsed.diagnostics.filter((d) => d.severity === 'error'), []);
  assert.deepEqual(launchesOf(next), [{ name: 'security-scanner', entry: SCANNER, line: 8, range: { start: { line: 7, character: 4 }, end: { line: 7, character: 10 } } }]);
});

test('removing the launch entry again gives the original text back', () => {
  assert.equal(removeServerLaunch(setServerLaunch(POLICY, 'security-scanner', SCANNER), 'security-scanner'), POLICY);
});

test('a new server is added under servers with only its launch entry', () => {
  const next = setServerLaunch(POLICY, 'everything', { command: 'npx', args: ['-y', '@modelcontextprotocol/server-everything'] });
  assert.ok(next.startsWith(POLICY.replace('# end\n', '')), 'the existing text is kept');
  assert.match(next, /\n {2}everything:\n {4}launch:\n {6}command: npx\n {6}args: \["-y", "@modelcontextprotocol\/server-everything"\]\n# end\n$/);
  assert.equal(launchesOf(next)[0].entry.command, 'npx');
});

test('an empty flow map of servers becomes a block, and an empty file gets version 1 first', () => {
  const starter = 'version: 1\nservers: {}\n  # my-server: ...\n';
  const next = setServerLaunch(starter, 'scanner', { url: 'http://127.0.0.1:8080/mcp', headers: { Authorization: 'Bearer ${input:token}' } });
  assert.deepEqual(launchesOf(next)[0].entry, { url: 'http://127.0.0.1:8080/mcp', headers: { Authorization: 'Bearer ${input:token}' } });
  assert.match(next, /# my-server: \.\.\./, 'the comment stays');
  const fromNothing = setServerLaunch('', 'scanner', { command: 'node' });
  assert.deepEqual(launchesOf(fromNothing)[0].entry, { command: 'node' });
});

test('a server written in flow style gets a flow launch entry', () => {
  const text = 'version: 1\nservers:\n  scanner: { default: deny }\n';
  const next = setServerLaunch(text, 'scanner', { command: 'node', args: ['a b.js'], env: {} });
  assert.equal(next, 'version: 1\nservers:\n  scanner: { launch: { command: "node", args: ["a b.js"], env: {} }, default: deny }\n');
  assert.deepEqual(launchesOf(next)[0].entry, { command: 'node', args: ['a b.js'], env: {} });
});

test('setting a launch entry replaces the old one; words YAML 1.1 reads as booleans stay strings', () => {
  const once = setServerLaunch(POLICY, 'security-scanner', { command: 'old' });
  const twice = setServerLaunch(once, 'security-scanner', { command: 'yes', args: [] });
  assert.deepEqual(launchesOf(twice)[0].entry, { command: 'yes', args: [] });
  assert.match(twice, /command: "yes"/);
  assert.doesNotMatch(twice, /old/);
});

test('an empty entry is refused', () => {
  assert.throws(() => setServerLaunch(POLICY, 'x', {}), /needs a command or a url/);
});
