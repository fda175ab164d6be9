import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { addServer, findToolRule, removeToolRule, setRateLimit, setToolAction, YamlEditError } from '../../src/policy/edits';
import { parsePolicy } from '../../src/policy/parse';

// Comments above keys, trailing comments (aligned), blank lines, flow maps, quoted keys and a comment at the end.
const RICH = `# MCP Warden policy for this workspace.
version: 1
default: allow                 # when no rule matches: allow | ask | deny

servers:
  # The scanner is powerful: ask by default.
  security-agent:              # the server's name as in the editor's MCP configuration
    default: ask
    tools:
      # Never let the agent stop a scan.
      stop_scan:
        action: deny
        reason: Stopping a running security scan can hide an attack.
      start_security_scan:
        rate_limit: { max: 10, window: 60s }   # window: seconds, or 30s / 5m / 1h / 1d
      "get_*":
        action: allow
      fetch_url: { action: ask, reason: 'Reaches the network' }
      debug_*:
        hide: true

  filesystem:
    tools: {}
# end of policy
`;

/** The lines that differ between two texts once their common first and last lines are set aside. */
function changedLines(before: string, after: string): { removed: string[]; added: string[] } {
  const a = before.split('\n');
  const b = after.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  return { removed: a.slice(head, a.length - tail), added: b.slice(head, b.length - tail) };
}

const refusal = (pattern: RegExp) => (error: unknown) => error instanceof YamlEditError && pattern.test(error.message);

// ---- setToolAction ----

test('setToolAction changes only the action line of an existing rule', () => {
  const edited = setToolAction(RICH, 'security-agent', 'stop_scan', 'ask');
  assert.equal(
    edited,
    RICH.replace('        action: deny\n        reason: Stopping', '        action: ask\n        reason: Stopping'),
  );
  assert.deepEqual(changedLines(RICH, edited), { removed: ['        action: deny'], added: ['        action: ask'] });
});

test('setToolAction appends a new rule at the end of tools, before the blank line and the next server', () => {
  const edited = setToolAction(RICH, 'security-agent', 'write_file', 'deny', 'Writes outside the workspace.');
  assert.equal(
    edited,
    `# MCP Warden policy for this workspace.
version: 1
default: allow                 # when no rule matches: allow | ask | deny

servers:
  # The scanner is powerful: ask by default.
  security-agent:              # the server's name as in the editor's MCP configuration
    default: ask
    tools:
      # Never let the agent stop a scan.
      stop_scan:
        action: deny
        reason: Stopping a running security scan can hide an attack.
      start_security_scan:
        rate_limit: { max: 10, window: 60s }   # window: seconds, or 30s / 5m / 1h / 1d
      "get_*":
        action: allow
      fetch_url: { action: ask, reason: 'Reaches the network' }
      debug_*:
        hide: true
      write_file:
        action: deny
        reason: Writes outside the workspace.

  filesystem:
    tools: {}
# end of policy
`,
  );
});

test('setting deny on a tool without a rule and then removing the rule restores the text exactly', () => {
  for (const tool of ['write_file', 'list_*', 'exec:run', '#tag', '*everything']) {
    const edited = setToolAction(RICH, 'security-agent', tool, 'deny');
    assert.notEqual(edited, RICH);
    assert.equal(removeToolRule(edited, 'security-agent', tool), RICH, tool);
  }
});

test('tool names that need quoting are written double-quoted and read back as the same name', () => {
  for (const tool of ['list_*', 'exec:run', '#tag', '*everything', 'a b', 'true', '1password']) {
    const edited = setToolAction(RICH, 'security-agent', tool, 'deny');
    const { added } = changedLines(RICH, edited);
    assert.deepEqual(added, [`      ${JSON.stringify(tool)}:`, '        action: deny'], tool);
    assert.equal(parse(edited).servers['security-agent'].tools[tool].action, 'deny', tool);
  }
  // Plain names stay plain.
  const plain = changedLines(RICH, setToolAction(RICH, 'security-agent', 'github/list-repos.v2', 'ask')).added;
  assert.deepEqual(plain, ['      github/list-repos.v2:', '        action: ask']);
});

test('a quoted key and a plain glob key are both matched by the tool name', () => {
  const quoted = setToolAction(RICH, 'security-agent', 'get_*', 'deny');
  assert.deepEqual(changedLines(RICH, quoted), { removed: ['        action: allow'], added: ['        action: deny'] });
  assert.ok(quoted.includes('      "get_*":\n        action: deny\n'));
  const plain = setToolAction(RICH, 'security-agent', 'debug_*', 'ask');
  assert.deepEqual(changedLines(RICH, plain), {
    removed: [],
    added: ['        action: ask'],
  });
  assert.ok(plain.includes('      debug_*:\n        action: ask\n        hide: true\n'));
});

test('a reason string is set right after the action; other keys of the rule stay', () => {
  const edited = setToolAction(RICH, 'security-agent', 'start_security_scan', 'ask', 'Costs money: #42');
  assert.deepEqual(changedLines(RICH, edited), {
    removed: [],
    added: ['        action: ask', '        reason: "Costs money: #42"'],
  });
  assert.ok(edited.includes('      start_security_scan:\n        action: ask\n        reason: "Costs money: #42"\n        rate_limit: { max: 10'));
});

test('reason: undefined keeps it, null removes it, a string replaces it', () => {
  const kept = setToolAction(RICH, 'security-agent', 'stop_scan', 'ask');
  assert.ok(kept.includes('reason: Stopping a running security scan can hide an attack.'));
  const removed = setToolAction(RICH, 'security-agent', 'stop_scan', 'deny', null);
  assert.deepEqual(changedLines(RICH, removed), { removed: ['        reason: Stopping a running security scan can hide an attack.'], added: [] });
  const replaced = setToolAction(RICH, 'security-agent', 'stop_scan', 'deny', 'Hides attacks.');
  assert.deepEqual(changedLines(RICH, replaced), {
    removed: ['        reason: Stopping a running security scan can hide an attack.'],
    added: ['        reason: Hides attacks.'],
  });
});

test('switching a rule to allow keeps the reason a person wrote (harmless under allow); deny again gives the text back', () => {
  const allowed = setToolAction(RICH, 'security-agent', 'stop_scan', 'allow');
  assert.deepEqual(changedLines(RICH, allowed), { removed: ['        action: deny'], added: ['        action: allow'] });
  assert.equal(parsePolicy(allowed).policy!.servers.get('security-agent')!.tools.find((rule) => rule.pattern === 'stop_scan')!.reason, 'Stopping a running security scan can hide an attack.');
  assert.equal(setToolAction(allowed, 'security-agent', 'stop_scan', 'deny'), RICH);
  const flowAllowed = setToolAction(RICH, 'security-agent', 'fetch_url', 'allow');
  assert.equal(setToolAction(flowAllowed, 'security-agent', 'fetch_url', 'ask'), RICH);
  const explained = setToolAction(RICH, 'security-agent', 'stop_scan', 'allow', 'Scans are short.');
  assert.ok(explained.includes('        action: allow\n        reason: Scans are short.\n'));
});

test('a rule written as a flow map is edited inside its braces, keeping the quote style of its reason', () => {
  const denied = setToolAction(RICH, 'security-agent', 'fetch_url', 'deny', "Don't reach the network");
  assert.deepEqual(changedLines(RICH, denied), {
    removed: ["      fetch_url: { action: ask, reason: 'Reaches the network' }"],
    added: ["      fetch_url: { action: deny, reason: 'Don''t reach the network' }"],
  });
  const allowed = setToolAction(RICH, 'security-agent', 'fetch_url', 'allow');
  assert.deepEqual(changedLines(RICH, allowed).added, ["      fetch_url: { action: allow, reason: 'Reaches the network' }"]);
});

test('a rule added to `tools: {}` turns it into a block map', () => {
  const edited = setToolAction(RICH, 'filesystem', 'write_file', 'ask');
  assert.deepEqual(changedLines(RICH, edited), {
    removed: ['    tools: {}'],
    added: ['    tools:', '      write_file:', '        action: ask'],
  });
});

test('a missing server, `servers:` and `tools:` are created with the file\'s indentation', () => {
  const twoSpaces = setToolAction(RICH, 'github', 'delete_repo', 'deny');
  assert.deepEqual(changedLines(RICH, twoSpaces), {
    removed: [],
    added: ['  github:', '    tools:', '      delete_repo:', '        action: deny'],
  });

  const fourSpaces = 'version: 1\nservers:\n    local:\n        default: ask   # be careful\n';
  assert.equal(
    setToolAction(fourSpaces, 'local', 'rm', 'deny'),
    'version: 1\nservers:\n    local:\n        default: ask   # be careful\n        tools:\n            rm:\n                action: deny\n',
  );
  assert.equal(
    setToolAction('version: 1   # schema\n# no servers yet\n', 'local', 'rm', 'deny'),
    'version: 1   # schema\nservers:\n  local:\n    tools:\n      rm:\n        action: deny\n# no servers yet\n',
  );
});

test('empty keys (`servers:`, a bare server, a bare rule) are filled in place', () => {
  assert.equal(
    setToolAction('version: 1\nservers:   # none yet\n', 'a', 't', 'ask'),
    'version: 1\nservers:   # none yet\n  a:\n    tools:\n      t:\n        action: ask\n',
  );
  assert.equal(
    setToolAction('servers:\n  a: ~\n  b:\n', 'a', 't', 'ask'),
    'servers:\n  a:\n    tools:\n      t:\n        action: ask\n  b:\n',
  );
  assert.equal(
    setToolAction('servers:\n  a:\n    tools:\n      t:\n      u: {}\n', 'a', 't', 'deny', 'no'),
    'servers:\n  a:\n    tools:\n      t:\n        action: deny\n        reason: no\n      u: {}\n',
  );
});

test('flow-style tools get new rules inside the braces', () => {
  const text = 'servers:\n  a:\n    tools: { x: { action: deny }, }  # flow\n';
  assert.equal(setToolAction(text, 'a', 'y*', 'ask'), 'servers:\n  a:\n    tools: { x: { action: deny }, "y*": { action: ask }, }  # flow\n');
  assert.equal(removeToolRule(setToolAction(text, 'a', 'y*', 'ask'), 'a', 'y*'), text);
});

// ---- setRateLimit ----

test('setRateLimit updates an existing flow limit in place, keeping its trailing comment', () => {
  const edited = setRateLimit(RICH, 'security-agent', 'start_security_scan', { max: 5, window: '5m', scope: 'global' });
  assert.deepEqual(changedLines(RICH, edited), {
    removed: ['        rate_limit: { max: 10, window: 60s }   # window: seconds, or 30s / 5m / 1h / 1d'],
    added: ['        rate_limit: { max: 5, window: 5m, scope: global }   # window: seconds, or 30s / 5m / 1h / 1d'],
  });
  // No scope given: back to the default, so the written scope goes.
  assert.equal(setRateLimit(edited, 'security-agent', 'start_security_scan', { max: 10, window: '60s' }), RICH);
});

test('setRateLimit writes a new limit in flow style, and clearing it restores the text', () => {
  const edited = setRateLimit(RICH, 'security-agent', 'debug_*', { max: 3, window: 30 });
  assert.deepEqual(changedLines(RICH, edited), { removed: [], added: ['        rate_limit: { max: 3, window: 30 }'] });
  assert.ok(edited.includes('      debug_*:\n        hide: true\n        rate_limit: { max: 3, window: 30 }\n\n  filesystem:'));
  assert.equal(setRateLimit(edited, 'security-agent', 'debug_*', null), RICH);
});

test('setRateLimit edits a block-style limit key by key', () => {
  const text = 'servers:\n  a:\n    tools:\n      t:\n        rate_limit:\n          max: 1      # per minute\n          window: 1m\n          scope: server\n';
  assert.equal(
    setRateLimit(text, 'a', 't', { max: 2, window: '1h' }),
    'servers:\n  a:\n    tools:\n      t:\n        rate_limit:\n          max: 2      # per minute\n          window: 1h\n',
  );
});

test('setRateLimit creates the rule when missing; clearing a missing limit changes nothing', () => {
  assert.deepEqual(changedLines(RICH, setRateLimit(RICH, 'filesystem', 'read_file', { max: 100, window: '1d', scope: 'session' })), {
    removed: ['    tools: {}'],
    added: ['    tools:', '      read_file:', '        rate_limit: { max: 100, window: 1d, scope: session }'],
  });
  assert.equal(setRateLimit(RICH, 'security-agent', 'stop_scan', null), RICH);
  assert.equal(setRateLimit(RICH, 'nobody', 'nothing', null), RICH);
});

test('clearing the only key of a rule leaves an empty rule `{}`', () => {
  assert.deepEqual(changedLines(RICH, setRateLimit(RICH, 'security-agent', 'start_security_scan', null)), {
    removed: ['      start_security_scan:', '        rate_limit: { max: 10, window: 60s }   # window: seconds, or 30s / 5m / 1h / 1d'],
    added: ['      start_security_scan: {}'],
  });
});

test('setRateLimit refuses limits the policy could not use', () => {
  assert.throws(() => setRateLimit(RICH, 'a', 't', { max: 0, window: 60 }), refusal(/max/));
  assert.throws(() => setRateLimit(RICH, 'a', 't', { max: 1.5, window: 60 }), refusal(/max/));
  assert.throws(() => setRateLimit(RICH, 'a', 't', { max: 1, window: '10 minutes' }), refusal(/window/));
  assert.throws(() => setRateLimit(RICH, 'a', 't', { max: 1, window: 60, scope: 'world' as 'global' }), refusal(/scope/));
});

// ---- addServer ----

test('addServer appends a server with `tools: {}` or with its default, before the end-of-file comment', () => {
  assert.deepEqual(changedLines(RICH, addServer(RICH, 'github')), { removed: [], added: ['  github:', '    tools: {}'] });
  assert.equal(
    addServer(RICH, 'github', { default: 'deny' }),
    RICH.replace('    tools: {}\n# end of policy\n', '    tools: {}\n  github:\n    default: deny\n# end of policy\n'),
  );
});

test('addServer is a no-op for a server that exists, whatever its value', () => {
  assert.equal(addServer(RICH, 'security-agent', { default: 'deny' }), RICH);
  assert.equal(addServer(RICH, 'filesystem'), RICH);
  assert.equal(addServer('servers:\n  a:\n', 'a'), 'servers:\n  a:\n');
});

test('addServer then a rule for it then removing the rule gives the server back as added', () => {
  const added = addServer(RICH, 'github');
  const withRule = setToolAction(added, 'github', 'push', 'ask');
  assert.deepEqual(changedLines(added, withRule), {
    removed: ['    tools: {}'],
    added: ['    tools:', '      push:', '        action: ask'],
  });
  assert.equal(removeToolRule(withRule, 'github', 'push'), added);
});

// ---- removeToolRule ----

test('removeToolRule deletes the rule\'s lines and keeps the comment above it', () => {
  const edited = removeToolRule(RICH, 'security-agent', 'stop_scan');
  assert.deepEqual(changedLines(RICH, edited), {
    removed: ['      stop_scan:', '        action: deny', '        reason: Stopping a running security scan can hide an attack.'],
    added: [],
  });
  assert.deepEqual(changedLines(RICH, removeToolRule(RICH, 'security-agent', 'fetch_url')), {
    removed: ["      fetch_url: { action: ask, reason: 'Reaches the network' }"],
    added: [],
  });
});

test('removing the last rule drops `tools:` when the server has other keys, else leaves `tools: {}`', () => {
  const withDefault = 'servers:\n  a:\n    default: ask\n    tools:\n      t:\n        action: deny\n';
  assert.equal(removeToolRule(withDefault, 'a', 't'), 'servers:\n  a:\n    default: ask\n');
  assert.equal(removeToolRule(setToolAction('servers:\n  a:\n    default: ask\n', 'a', 't', 'deny'), 'a', 't'), 'servers:\n  a:\n    default: ask\n');
  const toolsOnly = 'servers:\n  a:\n    tools:   # rules\n      t:\n        action: deny\n  b:\n    tools: { u: { action: ask } }\n';
  assert.equal(removeToolRule(toolsOnly, 'a', 't'), 'servers:\n  a:\n    tools: {}   # rules\n  b:\n    tools: { u: { action: ask } }\n');
  assert.equal(removeToolRule(toolsOnly, 'b', 'u'), 'servers:\n  a:\n    tools:   # rules\n      t:\n        action: deny\n  b:\n    tools: {}\n');
});

test('removeToolRule of a rule that is not there returns the text unchanged', () => {
  assert.equal(removeToolRule(RICH, 'security-agent', 'nope'), RICH);
  assert.equal(removeToolRule(RICH, 'nobody', 'nope'), RICH);
  assert.equal(removeToolRule(RICH, 'filesystem', 'nope'), RICH);
});

test('removeToolRule takes comments inside the rule, not the ones after it at a lower indent', () => {
  const text = 'servers:\n  a:\n    tools:\n      t:\n        action: deny\n        # deny because...\n      # u is next\n      u:\n        action: ask\n';
  assert.equal(removeToolRule(text, 'a', 't'), 'servers:\n  a:\n    tools:\n      # u is next\n      u:\n        action: ask\n');
});

// ---- findToolRule ----

test('findToolRule gives the one-based line of the rule key', () => {
  assert.deepEqual(findToolRule(RICH, 'security-agent', 'stop_scan'), { line: 11 });
  assert.deepEqual(findToolRule(RICH, 'security-agent', 'get_*'), { line: 16 });
  assert.deepEqual(findToolRule(RICH, 'security-agent', 'fetch_url'), { line: 18 });
  assert.deepEqual(findToolRule(RICH, 'security-agent', 'debug_*'), { line: 19 });
  assert.equal(findToolRule(RICH, 'security-agent', 'get_issue'), undefined); // a glob is not the rule's key
  assert.equal(findToolRule(RICH, 'filesystem', 'x'), undefined);
  assert.equal(findToolRule('', 'a', 'x'), undefined);
  assert.deepEqual(findToolRule(RICH.replace(/\n/g, '\r\n'), 'security-agent', 'debug_*'), { line: 19 });
});

// ---- new files ----

test('an empty, blank or comment-only file becomes a valid policy starting with version: 1', () => {
  const expected = 'version: 1\nservers:\n  a:\n    tools:\n      t:\n        action: deny\n';
  assert.equal(setToolAction('', 'a', 't', 'deny'), expected);
  assert.equal(setToolAction('  \n\n', 'a', 't', 'deny'), expected);
  assert.equal(addServer('', 'a'), 'version: 1\nservers:\n  a:\n    tools: {}\n');
  assert.equal(setRateLimit('', 'a', 't', { max: 1, window: 1 }), 'version: 1\nservers:\n  a:\n    tools:\n      t:\n        rate_limit: { max: 1, window: 1 }\n');
  // Comments are the file's header: they stay on top.
  assert.equal(setToolAction('# My policy\n# (draft)', 'a', 't', 'deny'), `# My policy\n# (draft)\n${expected}`);
  assert.equal(removeToolRule('', 'a', 't'), '');
  assert.equal(setRateLimit('# x\n', 'a', 't', null), '# x\n');
});

// ---- refusals ----

test('text that is not valid YAML is refused with the reason', () => {
  assert.throws(() => setToolAction('servers:\n  a: [1\nb', 'a', 't', 'deny'), refusal(/not valid YAML.*line 3/));
  assert.throws(() => addServer('servers:\n  a: 1\n  a: 2\n', 'b'), refusal(/not valid YAML.*unique/));
  assert.throws(() => removeToolRule('a: 1\n---\nb: 2\n', 'a', 't'), refusal(/not valid YAML.*multiple documents/));
  assert.throws(() => findToolRule('servers: {', 'a', 't'), refusal(/not valid YAML/));
});

test('servers, a server, tools or a rule that is not a map is refused with where it is', () => {
  assert.throws(() => setToolAction('servers:\n  - a\n', 'a', 't', 'deny'), refusal(/"servers" should be a map of keys but is a list \(line 2\)/));
  assert.throws(() => setToolAction('servers: everything\n', 'a', 't', 'deny'), refusal(/"servers" should be a map.*"everything"/));
  assert.throws(() => addServer('servers: 3\n', 'a'), refusal(/"servers" should be a map/));
  assert.throws(() => setToolAction('servers:\n  a: on\n', 'a', 't', 'deny'), refusal(/"servers\.a" should be a map/));
  assert.throws(() => setToolAction('servers:\n  a:\n    tools: deny\n', 'a', 't', 'deny'), refusal(/"servers\.a\.tools" should be a map.*line 3/));
  assert.throws(() => removeToolRule('servers:\n  a:\n    tools: [t]\n', 'a', 't'), refusal(/"servers\.a\.tools" should be a map/));
  assert.throws(() => setToolAction('servers:\n  a:\n    tools:\n      t: deny\n', 'a', 't', 'deny'), refusal(/"servers\.a\.tools\.t" should be a map/));
  assert.throws(() => findToolRule('servers:\n  a:\n    tools: deny\n', 'a', 't'), refusal(/should be a map/));
  assert.throws(() => setToolAction('- version: 1\n', 'a', 't', 'deny'), refusal(/top level/));
  const listLimit = 'servers:\n  a:\n    tools:\n      t:\n        rate_limit:\n          - 1\n';
  assert.throws(() => setRateLimit(listLimit, 'a', 't', { max: 1, window: 1 }), refusal(/"servers\.a\.tools\.t\.rate_limit" is a block list \(line 6\)/));
  assert.throws(() => setToolAction(RICH, 'a', 't', 'block' as 'deny'), refusal(/not an action/));
  assert.throws(() => setToolAction(RICH, '', 't', 'deny'), refusal(/server name/));
});

// ---- line endings and the end of the file ----

test('CRLF files stay CRLF, and an edit and its inverse give the same bytes back', () => {
  const crlf = RICH.replace(/\n/g, '\r\n');
  const edits = [
    setToolAction(crlf, 'security-agent', 'write_file', 'deny', 'no'),
    setToolAction(crlf, 'filesystem', 'write_file', 'ask'),
    setToolAction(crlf, 'github', 'push', 'ask'),
    setRateLimit(crlf, 'security-agent', 'stop_scan', { max: 1, window: '1h' }),
    addServer(crlf, 'github', { default: 'ask' }),
    removeToolRule(crlf, 'security-agent', 'get_*'),
    setToolAction(crlf, 'security-agent', 'stop_scan', 'allow'),
  ];
  for (const edited of edits) {
    assert.notEqual(edited, crlf);
    assert.equal(edited.replace(/\r\n/g, ''), edited.replace(/\r?\n/g, ''), 'every line break is CRLF');
  }
  assert.equal(edits[0].replace(/\r\n/g, '\n'), setToolAction(RICH, 'security-agent', 'write_file', 'deny', 'no'));
  assert.equal(removeToolRule(edits[0], 'security-agent', 'write_file'), crlf);
  assert.equal(setRateLimit(edits[3], 'security-agent', 'stop_scan', null), crlf);
});

test('a file without a final line break keeps it that way through an edit and its inverse', () => {
  const text = 'servers:\n  a:\n    tools:\n      t:\n        action: deny';
  const edited = setToolAction(text, 'a', 'u', 'ask');
  assert.equal(edited, `${text}\n      u:\n        action: ask`);
  assert.equal(removeToolRule(edited, 'a', 'u'), text);
  assert.equal(setRateLimit(text, 'a', 't', { max: 1, window: 1 }), `${text}\n        rate_limit: { max: 1, window: 1 }`);
});

test('every operation leaves a file that parses to what was asked', () => {
  let text = RICH;
  text = setToolAction(text, 'security-agent', 'list_*', 'ask', 'Lists: fine, but ask');
  text = setRateLimit(text, 'security-agent', 'list_*', { max: 20, window: '1m', scope: 'server' });
  text = addServer(text, 'github', { default: 'deny' });
  text = setToolAction(text, 'github', 'get_issue', 'allow');
  text = removeToolRule(text, 'security-agent', 'debug_*');
  const policy = parse(text);
  assert.deepEqual(policy.servers['security-agent'].tools['list_*'], {
    action: 'ask',
    reason: 'Lists: fine, but ask',
    rate_limit: { max: 20, window: '1m', scope: 'server' },
  });
  assert.deepEqual(policy.servers.github, { default: 'deny', tools: { get_issue: { action: 'allow' } } });
  assert.equal(policy.servers['security-agent'].tools['debug_*'], undefined);
  assert.ok(text.startsWith('# MCP Warden policy for this workspace.\nversion: 1\ndefault: allow                 # when'));
  assert.ok(text.endsWith('    tools:\n      get_issue:\n        action: allow\n# end of policy\n'));
});

test('the edited files are valid policies for the policy parser', () => {
  const edited = [
    RICH,
    setRateLimit(RICH, 'security-agent', 'start_security_scan', null),
    setRateLimit(RICH, 'security-agent', 'get_*', { max: 2, window: '5m', scope: 'global' }),
    addServer(RICH, 'github', { default: 'deny' }),
    addServer('', 'github'),
    setToolAction('# draft', 'github', 'delete_*', 'deny', 'Deletes: never'),
    removeToolRule(RICH, 'security-agent', 'stop_scan'),
  ];
  for (const text of edited) assert.deepEqual(parsePolicy(text).diagnostics, [], text);
  assert.equal(parsePolicy(edited[5]).policy?.servers.get('github')?.tools[0].reason, 'Deletes: never');
});
