// The approvals page shows what it approves character for character, as the editor's approval does
// (visible-text.ts): a hostile agent's bidi overrides and zero-width characters in a tool's name or its
// arguments are written as escapes, so what an approver reads is what the call does.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ApprovalsPage } from '../../src/gateway/approvals-page';
import { APPROVALS_JS } from '../../src/gateway/approvals-assets';
import { setRequestPrincipal } from '../../src/proxy/request-principal';
import { MemoryState } from '../../src/team/memory-state';
import { policyOf, yaml } from '../policy/helpers';

interface Shown {
  server: string;
  tool: string;
  caller: string | null;
  reason: string | null;
  arguments: string;
}

describe('the approvals page shows every character of a call', () => {
  const state = new MemoryState();
  const policy = policyOf(yaml('version: 1', 'approvers: [bob]', 'servers:', '  notes:', '    tools:', '      write_note: { action: ask }'));
  const page = new ApprovalsPage(state.approvals, () => policy, () => undefined);
  let server: Server;
  let url: string;

  before(async () => {
    server = createServer((req, res) => {
      setRequestPrincipal(req, { name: 'bob', groups: [] });
      void page.handle((req.url ?? '/').split('?')[0], req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it('a bidi override and a zero-width space in the tool and its arguments are shown as escapes, never raw', async () => {
    const request = {
      server: 'notes',
      tool: 'write_note\u202e',
      caller: { name: 'alice\u200b', groups: [] },
      reason: 'asks\u2066',
      arguments: { path: 'notes/today.md\u202egnp.exe', text: 'a\u200bb' },
    };
    await state.approvals.create(request, 60_000);
    const answer = await fetch(`${url}/approvals/api/pending`);
    assert.equal(answer.status, 200);
    const [listed] = ((await answer.json()) as { pending: { shown: Shown; arguments: unknown }[] }).pending;
    assert.deepEqual(listed.arguments, request.arguments, 'the raw value is still there for clients of the API');
    const shown = listed.shown;
    for (const text of [shown.tool, shown.caller!, shown.reason!, shown.arguments]) assert.doesNotMatch(text, /[\u200b\u202e\u2066]/, text);
    assert.equal(shown.tool, 'write_note\\u202e');
    assert.equal(shown.caller, 'alice\\u200b');
    assert.equal(shown.reason, 'asks\\u2066');
    assert.match(shown.arguments, /"notes\/today\.md\\u202egnp\.exe"/);
    assert.match(shown.arguments, /"a\\u200bb"/);
  });

  it("the page's script shows the escaped text, never the raw value", () => {
    for (const field of ['server', 'tool', 'reason', 'arguments']) assert.ok(APPROVALS_JS.includes(`call.shown.${field}`), field);
    assert.ok(!APPROVALS_JS.includes('JSON.stringify(call.arguments'), 'the arguments are not written out raw');
    assert.ok(!/row\(dl, '(Server|Tool)', call\.(server|tool)\)/.test(APPROVALS_JS), 'the names are not shown raw');
  });

  it("an approver's own call is neither listed to them nor answerable by them (four eyes)", async () => {
    const own = await state.approvals.create({ server: 'notes', tool: 'write_note', caller: { name: 'bob', groups: [] }, arguments: {} }, 60_000);
    const listed = ((await (await fetch(`${url}/approvals/api/pending`)).json()) as { pending: { id: string }[] }).pending.map((p) => p.id);
    assert.ok(!listed.includes(own), 'not listed to its own caller');
    const answer = await fetch(`${url}/approvals/api/answer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: own, approved: true }) });
    assert.equal(answer.status, 403);
    assert.match(await answer.text(), /made this call; another approver must answer it/);
  });
});
