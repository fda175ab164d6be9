import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { DecisionMessage } from '../../src/proxy/control-protocol';
import { conversationDescription, conversationLabel, DecisionLog, groupByConversation, type ConversationGroup, type DecisionEntry } from '../../src/workbench/decision-log';

function message(tool: string, fields: Partial<DecisionMessage> = {}): DecisionMessage {
  return { type: 'decision', server: 's', session: 'c1', tool, decision: 'allow', policy: 'allow', reason: null, rule: null, line: null, latencyMs: 0.1, time: '2026-01-01T10:00:00.000Z', ...fields } as DecisionMessage;
}

test('a decision keeps the conversation, request and trace context the proxy reported, bounded in length', () => {
  const log = new DecisionLog();
  const entry = log.add(message('a', { conversation: 'conv-1', request: 'req-9', traceparent: '00-abc-def-01' }), '/p.yaml');
  assert.deepEqual([entry.conversation, entry.request, entry.traceparent], ['conv-1', 'req-9', '00-abc-def-01']);
  const long = log.add(message('b', { conversation: 'x'.repeat(10_000) }), '/p.yaml');
  assert.equal(long.conversation?.length, 256);
  const none = log.add(message('c', { conversation: '' }), '/p.yaml');
  assert.equal('conversation' in none, false, 'an empty id is no conversation');
  const wrong = log.add(message('d', { conversation: 42 as unknown as string }), '/p.yaml');
  assert.equal('conversation' in wrong, false, 'a non-string id is no conversation');
});

test('grouped by conversation, latest first: a conversation where its latest call is, calls outside one on their own', () => {
  const log = new DecisionLog();
  log.add(message('first', { conversation: 'A' }), '/p');
  log.add(message('loose-1'), '/p');
  log.add(message('second', { conversation: 'B', decision: 'deny' }), '/p');
  log.add(message('third', { conversation: 'A', decision: 'deny' }), '/p');
  log.add(message('loose-2'), '/p');
  const roots = groupByConversation(log.entries());
  const shape = roots.map((root) => ('kind' in root ? `${root.conversation}:${root.entries.map((e) => e.tool).join(',')}` : (root as DecisionEntry).tool));
  assert.deepEqual(shape, ['loose-2', 'A:third,first', 'B:second', 'loose-1']);
  const a = roots[1] as ConversationGroup;
  assert.equal(a.blocked, 1);
  assert.match(conversationDescription(a), /^2 calls · 1 blocked · latest \d\d:\d\d:\d\d$/);
});

test('a conversation label shows the start of its id with hidden characters escaped', () => {
  const group: ConversationGroup = { kind: 'conversation', conversation: 'abc\u202edef-0123456789', entries: [], blocked: 0 };
  assert.equal(conversationLabel(group), 'Conversation abc\\u202edef-0123…');
  assert.equal(conversationLabel({ ...group, conversation: 'short' }), 'Conversation short');
});
