// The pure parts of the leash on the proxy's side: the approved policy source (fail closed until a text
// arrives, an invalid text keeps the approved one, a lost channel refuses), the call's origin read from
// `_meta`, and the annotations forwarded for ask and deny tools.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PolicyEngine } from '../../src/policy/engine';
import { parsePolicy } from '../../src/policy/parse';
import { ApprovedPolicySource } from '../../src/proxy/approved-policy-source';
import { callOrigin, countingSession } from '../../src/proxy/call-origin';
import { decideCall, filterTools, toolAction } from '../../src/proxy/interception';
import type { Enforcer, PolicyStatus } from '../../src/proxy/policy-source';

const ALLOW = 'version: 1\nservers:\n  s:\n    tools:\n      echo: { action: allow }\n';
const DENY = 'version: 1\nservers:\n  s:\n    tools:\n      echo: { action: deny, reason: off }\n';

function source(): { policy: ApprovedPolicySource; heard: PolicyStatus[] } {
  const policy = new ApprovedPolicySource('/nowhere/policy.yaml');
  const heard: PolicyStatus[] = [];
  policy.onChange((status) => heard.push(status));
  return { policy, heard };
}

const decide = (policy: ApprovedPolicySource) => decideCall(policy.current, 's', 'echo', {}, 'session');

describe('the approved policy source', () => {
  it('refuses every call until a text arrives, with the reason; never touches the (absent) file', () => {
    const { policy } = source();
    const decision = decide(policy);
    assert.equal(decision.decision, 'deny');
    assert.match(decision.reason ?? '', /^No approved policy: the editor that launched this proxy has not sent the approved policy yet/);
    assert.equal(policy.file, '/nowhere/policy.yaml');
    assert.equal(policy.waiting().status, 'missing');
  });

  it('applies each text; the same text again is no change; an invalid one keeps the approved policy', () => {
    const { policy, heard } = source();
    assert.equal(policy.receive(ALLOW)?.status, 'loaded');
    assert.equal(decide(policy).decision, 'allow');
    assert.equal(policy.receive(ALLOW), undefined);
    policy.receive(DENY);
    assert.deepEqual([decide(policy).decision, decide(policy).reason], ['deny', 'off']);
    const invalid = policy.receive('version: 1\nservers: [');
    assert.deepEqual([invalid?.status, invalid?.status === 'invalid' && invalid.keptLastGood], ['invalid', true]);
    assert.equal(decide(policy).reason, 'off');
    assert.deepEqual(heard.map((s) => s.status), ['loaded', 'loaded', 'invalid']);
  });

  it('an invalid first text refuses every call with the error', () => {
    const { policy } = source();
    policy.receive('version: 1\nservers:\n  s:\n    tools:\n      echo: { action: perhaps }\n');
    assert.match(decide(policy).reason ?? '', /^The policy has errors: \/nowhere\/policy\.yaml:5:/);
  });

  it('a welcome without a policy keeps what is enforced (nothing at first); an unreachable editor refuses; a lost one refuses even after a policy', () => {
    const first = source();
    assert.deepEqual(first.policy.noneSent(), { status: 'missing', file: '/nowhere/policy.yaml', keptLastGood: false, detail: 'the editor has no approved policy for /nowhere/policy.yaml' });
    assert.equal(decide(first.policy).decision, 'deny');
    first.policy.receive(ALLOW);
    const again = first.policy.noneSent();
    assert.equal(again.status === 'missing' && again.keptLastGood, true);
    assert.equal(decide(first.policy).decision, 'allow');

    const unreachable = source();
    unreachable.policy.unreachable('nothing listens');
    assert.match(decide(unreachable.policy).reason ?? '', /cannot be used \(nothing listens\)/);

    const lost = source();
    lost.policy.receive(ALLOW);
    lost.policy.lost('the editor refused it: unknown resume secret');
    assert.equal(decide(lost.policy).decision, 'deny');
    assert.match(decide(lost.policy).reason ?? '', /no longer accepts it/);
  });

  it('keeps rate-limit windows across texts', () => {
    const { policy } = source();
    const limited = (n: number) => `version: 1\n# ${n}\nservers:\n  s:\n    tools:\n      echo: { action: allow, rate_limit: { max: 1, window: 1m } }\n`;
    policy.receive(limited(1));
    assert.equal(decide(policy).decision, 'allow');
    policy.receive(limited(2));
    assert.match(decide(policy).reason ?? '', /Rate limit of 1 calls per 1m reached/);
  });
});

describe('the call origin', () => {
  it('takes conversation, request and traceparent from _meta, when each is a short visible string', () => {
    assert.deepEqual(callOrigin({ _meta: { 'vscode.conversationId': 'c-1', 'vscode.requestId': 'r-1', traceparent: '00-ab-cd-01' } }), { conversation: 'c-1', request: 'r-1', traceparent: '00-ab-cd-01' });
    assert.deepEqual(callOrigin({ name: 'x' }), {});
    assert.deepEqual(callOrigin({ _meta: 'c' }), {});
    assert.deepEqual(callOrigin({ _meta: ['c'] }), {});
    assert.deepEqual(callOrigin(undefined), {});
    for (const bad of [42, '', 'x'.repeat(257), 'with space', 'line\nbreak', 'nul\u0000', 'é', { id: 'c' }]) {
      assert.deepEqual(callOrigin({ _meta: { 'vscode.conversationId': bad } }), {}, JSON.stringify(bad));
    }
    assert.deepEqual(callOrigin({ _meta: { 'vscode.conversationId': 'x'.repeat(256) } }), { conversation: 'x'.repeat(256) });
  });

  it('counts in the conversation when there is one, in the connection\u2019s session otherwise, never confusing the two', () => {
    assert.equal(countingSession({ conversation: 'c-1' }, 'session-1'), 'conversation:c-1');
    assert.equal(countingSession({}, 'session-1'), 'session-1');
    assert.notEqual(countingSession({ conversation: 'session-1' }, 'x'), countingSession({}, 'session-1'));
  });
});

describe('the readOnlyHint forwarded', () => {
  const enforcer: Enforcer = {
    engine: new PolicyEngine(
      parsePolicy(
        [
          'version: 1',
          'servers:',
          '  s:',
          '    tools:',
          '      ask_me: { action: ask }',
          '      no: { action: deny }',
          '      checked: { action: allow, args: { type: object } }',
          '      checked_ask: { action: ask, args: { type: object } }',
          '      "limited_*": { action: allow, rate_limit: { max: 1, window: 1m } }',
          '      gone: { hide: true }',
          '  strict:',
          '    default: ask',
          '',
        ].join('\n'),
        'p.yaml',
      ).policy!,
    ),
  };
  const hints = (server: string, tools: object[], trust = false) =>
    Object.fromEntries((filterTools(enforcer, server, tools, trust) as { name: string; annotations?: unknown }[]).map((t) => [t.name, t.annotations]));

  it('is true on ask and deny tools, with or without the server\u2019s annotations; the other hints kept', () => {
    assert.deepEqual(hints('s', [{ name: 'ask_me' }, { name: 'no', annotations: { readOnlyHint: false, destructiveHint: true } }, { name: 'checked_ask' }]), {
      ask_me: { readOnlyHint: true },
      no: { readOnlyHint: true, destructiveHint: true },
      checked_ask: { readOnlyHint: true },
    });
    // A server's default of ask covers every tool it names.
    assert.deepEqual(hints('strict', [{ name: 'anything', annotations: { openWorldHint: true } }]), { anything: { readOnlyHint: true, openWorldHint: true } });
  });

  it('is as before on allowed tools: a non-read tool loses a server\u2019s true, a read tool keeps it, none is added', () => {
    assert.deepEqual(hints('s', [{ name: 'delete_all', annotations: { readOnlyHint: true } }, { name: 'list_items', annotations: { readOnlyHint: true } }, { name: 'write_x' }, { name: 'checked' }, { name: 'limited_1', annotations: {} }]), {
      delete_all: {},
      list_items: { readOnlyHint: true },
      write_x: undefined,
      checked: undefined,
      limited_1: {},
    });
    assert.deepEqual(hints('s', [{ name: 'gone' }]), {});
  });

  it('with no usable policy every tool is denied, so every tool is marked read-only', () => {
    const refusing: Enforcer = { refusal: { decision: 'deny', reason: 'none', rule: null, line: null, rateLimit: null, hidden: false } };
    assert.deepEqual(filterTools(refusing, 's', [{ name: 'write_x' }]), [{ name: 'write_x', annotations: { readOnlyHint: true } }]);
  });

  it('toolAction decides without counting a rate limit', () => {
    for (let i = 0; i < 3; i++) assert.equal(toolAction(enforcer, 's', 'limited_1'), 'allow');
    assert.equal(decideCall(enforcer, 's', 'limited_1', {}, 'x').decision, 'allow');
    assert.equal(toolAction(enforcer, 's', 'checked_ask'), 'ask');
  });
});
