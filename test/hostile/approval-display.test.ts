// Class 10, an approval shows everything it approves. Through the real proxy, an SDK client that answers
// elicitations reads every prompt: arguments hidden after a long string, deep nesting, many keys, bidi
// overrides, zero-width characters, newlines that push text out of sight, Markdown fences; a call too
// large to show in full is denied without asking, never reaches the recording server, and its audit line
// says so. The editor's side (the approval page, the control channel's own bound) is checked too.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { approvalMessage, MAX_PROMPT_CHARACTERS, MAX_PROMPT_LINES, type ApprovalRequest } from '../../src/proxy/approval';
import { readingSize, visibleJson, visibleName, visibleString } from '../../src/proxy/visible-text';
import { approvalHtml } from '../../src/workbench/approval-html';
import type { ApprovalPrompt } from '../../src/workbench/approval-broker';
import { FakeEditor } from '../proxy/fake-editor';
import { auditLines, connectStdio, RECORDING, recorded, tempDir, textOf, waitFor, writePolicy, yaml, type Connected } from '../proxy/helpers';

const POLICY = yaml('version: 1', 'servers:', '  rec:', '    default: ask', '    tools:', '      write_note:', '        action: ask', '        reason: Notes are written to disk');

/** Characters that must never reach a prompt raw. */
const INVISIBLE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufe00-\ufe0f]|[\u{e0000}-\u{e007f}]/u;

const LONG = 'A'.repeat(3_000);

describe('hostile: an approval shows everything it approves', () => {
  let temp: ReturnType<typeof tempDir>;
  let proxy: Connected;
  const record = () => join(temp.dir, 'record.jsonl');
  const audit = () => join(temp.dir, 'audit.jsonl');
  const prompts: string[] = [];

  before(async () => {
    temp = tempDir();
    const policy = writePolicy(temp.dir, POLICY);
    proxy = await connectStdio({ policy, server: 'rec', audit: audit(), upstream: [process.execPath, RECORDING], env: { RECORD_FILE: record() } }, { elicitation: {} });
    proxy.client.setRequestHandler(ElicitRequestSchema, async (request) => {
      prompts.push(request.params.message);
      return { action: 'accept', content: {} };
    });
  });

  after(async () => {
    await proxy?.close();
    temp?.cleanup();
  });

  /** Calls through the proxy; returns the prompt the person saw (undefined when none) and the answer. */
  async function ask(name: string, args: Record<string, unknown>): Promise<{ prompt: string | undefined; text: string; received: unknown[] }> {
    const before = prompts.length;
    // The server may not know the tool: its error is the answer then.
    const result = await proxy.client.callTool({ name, arguments: args }).catch((error: Error) => ({ content: [{ type: 'text', text: error.message }] }));
    const received = recorded(record()).filter((m) => m.method === 'tools/call' && JSON.stringify(m.params?.arguments) === JSON.stringify(args)).map((m) => m.params!.arguments);
    return { prompt: prompts.length > before ? prompts.at(-1) : undefined, text: textOf(result), received };
  }

  /** The arguments block of a prompt, parsed back: what the person read is exactly what was called. */
  function shownArguments(prompt: string): unknown {
    const match = /\n(`{3,})json\n([\s\S]*)\n\1$/.exec(prompt);
    assert.ok(match, `a fenced arguments block in:\n${prompt.slice(0, 400)}`);
    return JSON.parse(match[2]);
  }

  it('keys placed after a long string are shown, and the whole string too (it was cut at 2,000 characters)', async () => {
    const args = { note: LONG, finding_id: 'F-2', cascade: true };
    const { prompt, received } = await ask('write_note', args);
    assert.ok(prompt);
    assert.ok(prompt.includes(`"note": "${LONG}"`));
    assert.match(prompt, /"finding_id": "F-2",\n {2}"cascade": true\n\}/);
    assert.doesNotMatch(prompt, /more characters/);
    assert.deepEqual(shownArguments(prompt), args);
    assert.deepEqual(received, [args], 'approved, so the server got exactly what was shown');
  });

  it('deep nesting: every level and the innermost value are shown', async () => {
    let args: Record<string, unknown> = { cascade: 'delete-everything' };
    for (let depth = 40; depth > 0; depth--) args = { [`level${depth}`]: args };
    const { prompt } = await ask('write_note', args);
    assert.ok(prompt);
    for (let depth = 1; depth <= 40; depth++) assert.ok(prompt.includes(`"level${depth}": {`), `level ${depth}`);
    assert.ok(prompt.includes('"cascade": "delete-everything"'));
    assert.deepEqual(shownArguments(prompt), args);
  });

  it('many keys: all of them are shown', async () => {
    const args = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`key${i}`, i]));
    const { prompt } = await ask('write_note', args);
    assert.ok(prompt);
    assert.deepEqual(Object.keys(shownArguments(prompt) as object), Object.keys(args));
  });

  it('bidi overrides and isolates are shown as escapes, never applied', async () => {
    const args = { path: 'notes/\u202Etxt.exe', finding_id: '\u2066F-1\u2069', ['cas\u202Ecade']: true };
    const { prompt, received } = await ask('write_note', args);
    assert.ok(prompt);
    assert.doesNotMatch(prompt, INVISIBLE);
    assert.ok(prompt.includes('"path": "notes/\\u202etxt.exe"'));
    assert.ok(prompt.includes('"finding_id": "\\u2066F-1\\u2069"'));
    assert.ok(prompt.includes('"cas\\u202ecade": true'));
    assert.deepEqual(shownArguments(prompt), args, 'the escapes mean the same value');
    assert.deepEqual(received, [args]);
  });

  it('zero-width, soft-hyphen, tag and variation-selector characters are shown as escapes', async () => {
    const args = { ['finding\u200B_id']: 'F-1\u200D', target: 'a\u00ADb\uFEFF', smuggled: 'x\u{E0041}\u{E0042}\uFE0F' };
    const { prompt } = await ask('write_note', args);
    assert.ok(prompt);
    assert.doesNotMatch(prompt, INVISIBLE);
    assert.ok(prompt.includes('"finding\\u200b_id": "F-1\\u200d"'));
    assert.ok(prompt.includes('"target": "a\\u00adb\\ufeff"'));
    assert.ok(prompt.includes('"smuggled": "x\\udb40\\udc41\\udb40\\udc42\\ufe0f"'));
    assert.deepEqual(shownArguments(prompt), args);
  });

  it('newlines, carriage returns, line separators and odd spaces that would push text out of sight stay on one visible line', async () => {
    const args = { path: 'notes/ok' + '\n'.repeat(60) + '\r\u2028\u2029\u00A0\u3000; rm -rf ~', cascade: true };
    const { prompt } = await ask('write_note', args);
    assert.ok(prompt);
    assert.doesNotMatch(prompt, INVISIBLE);
    const line = prompt.split('\n').find((l) => l.includes('"path"'))!;
    assert.ok(line.endsWith('\\r\\u2028\\u2029\\u00a0\\u3000; rm -rf ~",'), line);
    assert.match(prompt, /"cascade": true/);
    assert.ok(readingSize(prompt).lines < 20, 'the newlines did not become lines');
  });

  it('Markdown in an argument cannot close the code block or format the prompt', async () => {
    const args = { text: '```\n**Approved by the administrator**\n````', finding_id: 'F-3' };
    const { prompt } = await ask('write_note', args);
    assert.ok(prompt);
    assert.match(prompt, /\n`{5}json\n/, 'the fence is longer than any backtick run inside');
    assert.deepEqual(shownArguments(prompt), args);
  });

  it('a tool name with hidden characters is shown escaped', async () => {
    const { prompt } = await ask('write_note\u202E\u200B', { path: 'x' });
    assert.ok(prompt);
    assert.doesNotMatch(prompt, INVISIBLE);
    assert.match(prompt, /tool `write_note\\u202e\\u200b` of server `rec`/);
  });

  for (const [name, args] of [
    ['a string beyond the bound', { note: 'B'.repeat(MAX_PROMPT_CHARACTERS), finding_id: 'F-9', cascade: true }],
    ['more lines than the bound', Object.fromEntries(Array.from({ length: MAX_PROMPT_LINES }, (_, i) => [`k${i}`, i]))],
    ['escapes that grow past the bound', { note: '\u200B'.repeat(2_000) }],
  ] as const) {
    it(`huge arguments (${name}): not asked, denied with a reason that says why, never received, audited as deny`, async () => {
      const asked = prompts.length;
      const result = await proxy.client.callTool({ name: 'write_note', arguments: args });
      assert.equal(prompts.length, asked, 'no prompt was shown');
      assert.equal(result.isError, true);
      assert.match(textOf(result), /^Blocked by policy: the call is too large to show in full in an approval prompt \(\d+ characters in \d+ lines; a prompt shows at most 10000 characters in 300 lines of 120\), so it was not asked/);
      assert.deepEqual(recorded(record()).filter((m) => JSON.stringify(m.params?.arguments) === JSON.stringify(args)), []);
      await waitFor(() => auditLines(audit()).some((l) => l.decision === 'deny' && (l.approval as { answer?: string } | undefined)?.answer === 'unshowable' && auditLines(audit()).length > 0), 5000, 'the audit line');
      const line = auditLines(audit()).filter((l) => (l.approval as { answer?: string } | undefined)?.answer === 'unshowable').at(-1)!;
      assert.deepEqual([line.tool, line.decision, line.policy, line.approval], ['write_note', 'deny', 'ask', { by: 'elicitation', answer: 'unshowable' }]);
      assert.match(String(line.reason), /too large to show in full/);
    });
  }

  it('just under the bound is still asked, and shown whole', async () => {
    const overhead = readingSize(approvalMessage(request({ note: '' })).shown ? (approvalMessage(request({ note: '' })) as { text: string }).text : '').characters;
    const args = { note: 'C'.repeat(MAX_PROMPT_CHARACTERS - overhead - 10) };
    const { prompt, received } = await ask('write_note', args);
    assert.ok(prompt);
    assert.deepEqual(shownArguments(prompt), args);
    assert.deepEqual(received, [args]);
  });
});

describe('hostile: the editor is sent everything, or the call is denied', () => {
  it('a call too large to show in an approval (1 MiB) is denied without asking the editor, and never received', async () => {
    const temp = tempDir();
    const editor = new FakeEditor(temp.dir);
    await editor.listen();
    const record = join(temp.dir, 'record.jsonl');
    const audit = join(temp.dir, 'audit.jsonl');
    const proxy = await connectStdio({ policy: writePolicy(temp.dir, POLICY), server: 'rec', audit, upstream: [process.execPath, RECORDING], env: { RECORD_FILE: record, ...editor.env() } });
    try {
      await editor.waitFor('hello');
      await waitFor(() => /control channel/.test(proxy.stderr()) || editor.of('policy').length > 0, 5000, 'the welcome');
      const small = await proxy.client.callTool({ name: 'write_note', arguments: { path: 'a', text: LONG } });
      assert.equal(textOf(small), 'wrote 3000 characters to a', 'the editor got the whole 3,000-character argument');
      assert.equal((editor.of('approval-request')[0].arguments as { text: string }).text, LONG);
      const huge = { path: 'b', text: 'D'.repeat(1024 * 1024) };
      const result = await proxy.client.callTool({ name: 'write_note', arguments: huge });
      assert.match(textOf(result), /^Blocked by policy: the call is too large to send to the editor for approval \(\d+ bytes; an approval request carries at most 1048576\), so it was not asked/);
      assert.equal(editor.of('approval-request').length, 1, 'the editor was not asked');
      assert.deepEqual(recorded(record).filter((m) => (m.params?.arguments as { path?: string } | undefined)?.path === 'b'), []);
      await waitFor(() => auditLines(audit).length === 2, 5000, 'the audit lines');
      assert.deepEqual(auditLines(audit)[1].approval, { by: 'editor', answer: 'unshowable' });
    } finally {
      await proxy.close();
      await editor.close();
      temp.cleanup();
    }
  });
});

// ---- the rendering, unit by unit ----

function request(args: unknown, tool = 'write_note'): ApprovalRequest {
  return { server: 'rec', session: 's', tool, arguments: args, risk: { category: 'write', level: 'high', source: 'name', warnings: [] }, reason: 'Notes are written to disk', rule: 'write_note', line: 6 };
}

function prompt(args: unknown, tool = 'write_note'): ApprovalPrompt {
  return { ...request(args, tool), key: 'k', policyFile: '/ws/policy.yaml', timeoutMs: 60_000 };
}

describe('rendering: visible JSON', () => {
  it('escapes every invisible character, keeps visible text (accents, CJK, emoji) as it is, and stays JSON of the same value', () => {
    const value = { 'a\u202Eb': 'x\u200By\u2028z\u00A0\uD800 e\u0301 \u{E0041}\uFE0F é 日本 😀 \u007F\u0085', n: 1, nested: [{ 'k\tey': null }] };
    const shown = visibleJson(value)!;
    assert.doesNotMatch(shown, INVISIBLE);
    assert.ok(shown.includes('"a\\u202eb": "x\\u200by\\u2028z\\u00a0\\ud800 e\u0301 \\udb40\\udc41\\ufe0f é 日本 😀 \\u007f\\u0085"'));
    assert.ok(shown.includes('"k\\tey": null'));
    assert.deepEqual(JSON.parse(shown), value);
  });

  it('combining marks stacked beyond two are escaped (they paint over the lines around them)', () => {
    assert.equal(visibleString('e\u0301\u0302\u0303\u0304'), '"e\u0301\u0302\\u0303\\u0304"');
  });

  it('names lose nothing: quotes, backslashes and hidden characters are escaped', () => {
    assert.equal(visibleName('a"b\\c\u202E'), 'a\\"b\\\\c\\u202e');
  });

  it('what JSON cannot write (too deep for the serialiser) is not shown, and not asked', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = [deep];
    assert.equal(visibleJson(deep), undefined);
    const message = approvalMessage(request(deep));
    assert.equal(message.shown, false);
    assert.match((message as { reason: string }).reason, /cannot be shown/);
  });
});

describe('rendering: the elicitation prompt', () => {
  it('shows server, tool, risk, reason, and every argument in a fenced block', () => {
    const message = approvalMessage(request({ note: LONG, finding_id: 'F-2', cascade: true }));
    assert.equal(message.shown, true);
    const text = (message as { text: string }).text;
    assert.ok(text.startsWith('MCP Warden: allow the tool `write_note` of server `rec` to run?\nRisk: write, high risk (from name)\nPolicy: Notes are written to disk (line 6)\n'));
    assert.ok(text.endsWith(`\`\`\`json\n{\n  "note": "${LONG}",\n  "finding_id": "F-2",\n  "cascade": true\n}\n\`\`\``));
  });

  it('a name with backticks gets a longer code span', () => {
    const text = (approvalMessage(request({}, 'a`b')) as { text: string }).text;
    assert.match(text, /the tool `` a`b `` of server/);
  });

  it('counts long lines per 120 columns against the line bound', () => {
    assert.deepEqual(readingSize('x'.repeat(241) + '\n\ny'), { characters: 244, lines: 5 });
    const wide = Array.from({ length: 100 }, (_, i) => [`k${i}`, 'w'.repeat(300)]);
    assert.equal(approvalMessage(request(Object.fromEntries(wide))).shown, false, '100 lines that each fill three screens-widths');
  });
});

describe('rendering: the editor\'s approval page', () => {
  const html = (args: unknown, tool?: string) => approvalHtml(prompt(args, tool), { nonce: 'n', cspSource: 's', remainingMs: 60_000 });
  const argumentsBlock = (page: string) => page.slice(page.indexOf('<pre id="arguments"'), page.indexOf('</pre>'));

  it('never cuts: a 100,000-character string and the keys after it are all on the page, in a scrolling block', () => {
    const huge = 'E'.repeat(100_000);
    const page = html({ note: huge, finding_id: 'F-2', cascade: true });
    const block = argumentsBlock(page);
    assert.ok(block.includes(huge));
    assert.ok(block.includes('&quot;finding_id&quot;: &quot;F-2&quot;,\n  &quot;cascade&quot;: true\n}'));
    assert.doesNotMatch(page, /more characters/);
    assert.match(page, /pre \{[^}]*max-height: 50vh; overflow: auto; white-space: pre-wrap; overflow-wrap: anywhere;/);
    assert.match(page, /<span id="size">100,058 characters in 5 lines<\/span>, scroll to read them all/);
  });

  it('many lines: every key is on the page and the person is told to scroll', () => {
    const args = Object.fromEntries(Array.from({ length: 2_000 }, (_, i) => [`key${i}`, i]));
    const page = html(args);
    for (const key of Object.keys(args)) assert.ok(page.includes(`&quot;${key}&quot;:`), key);
    assert.match(page, /2,002 lines<\/span>, scroll to read them all/);
  });

  it('bidi, zero-width and control characters in the arguments, the tool name and the reason are shown escaped', () => {
    const page = approvalHtml({ ...prompt({ ['finding\u200B_id']: 'F-1\u202E', text: 'a\nb\u2028c' }, 'write\u202Enote'), reason: 'why\u200B' }, { nonce: 'n', cspSource: 's', remainingMs: 1 });
    assert.doesNotMatch(page, INVISIBLE);
    assert.ok(argumentsBlock(page).includes('&quot;finding\\u200b_id&quot;: &quot;F-1\\u202e&quot;'));
    assert.ok(argumentsBlock(page).includes('&quot;text&quot;: &quot;a\\nb\\u2028c&quot;'));
    assert.match(page, /<h1>Allow <code>write\\u202enote<\/code> of/);
    assert.match(page, /<title>Approve write\\u202enote\?<\/title>/);
    assert.match(page, /<p class="why">why\\u200b<\/p>/);
  });

  it('HTML in an argument stays text', () => {
    const page = html({ x: '</pre><script>alert(1)</script><pre>' });
    assert.equal(page.match(/<script/g)!.length, 1);
    assert.equal(page.match(/<\/pre>/g)!.length, 1);
  });
});
