// The leash on its own: which texts of the policy file become the approved policy (what the proxies
// enforce) at once, which wait for the reviewer, and what a reviewer's answer (or silence) does.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { ApprovedStore } from '../../src/extension/leash/approved-store';
import { PolicyLeash, type AppliedChange } from '../../src/extension/leash/policy-leash';
import type { PolicyChange, PolicyReviewer, ReviewAnswer } from '../../src/extension/leash/policy-review';
import { PolicyReviewerSeat } from '../../src/extension/leash/reviewer-seat';
import { setToolAction } from '../../src/policy/edits';
import { parsePolicy } from '../../src/policy/parse';
import { comparePolicyTexts } from '../../src/policy/policy-compare';

const FILE = '/work/ws/.vscode/mcp-policy.yaml';
const APPROVED = `version: 1
default: deny
servers:
  scanner:
    tools:
      stop_scan:
        action: deny
      start_scan:
        action: ask
        rate_limit: { max: 10, window: 1m }
      get_status:
        action: allow
`;
const TIGHTER = APPROVED.replace('get_status:\n        action: allow', 'get_status:\n        action: ask');
const LOOSER = APPROVED.replace('stop_scan:\n        action: deny', 'stop_scan:\n        action: allow');
const NO_LIMIT = APPROVED.replace('        rate_limit: { max: 10, window: 1m }\n', '');
const INVALID = APPROVED.replace('default: deny', 'default: maybe');

class MemoryMemento {
  private readonly values = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return this.values.get(key) as T | undefined;
  }
  update(key: string, value: unknown): Promise<void> {
    this.values.set(key, value);
    return Promise.resolve();
  }
}

/** A reviewer the test answers by hand: each review waits until `answer()` (or its signal aborts). */
class HandReviewer implements PolicyReviewer {
  readonly asked: { change: PolicyChange; signal: AbortSignal; answer(value: ReviewAnswer): void }[] = [];
  review(change: PolicyChange, signal: AbortSignal): Promise<ReviewAnswer> {
    return new Promise((resolve) => this.asked.push({ change, signal, answer: resolve }));
  }
}

function setup(reviewer: PolicyReviewer = new HandReviewer(), trusted = () => true) {
  const store = new ApprovedStore(new MemoryMemento() as unknown as vscode.Memento);
  const enforced: string[] = [];
  const applied: AppliedChange[] = [];
  const leash = new PolicyLeash({
    store,
    reviewers: new PolicyReviewerSeat(reviewer),
    compare: comparePolicyTexts,
    knownTools: () => new Map([['scanner', ['stop_scan', 'start_scan', 'get_status', 'list_findings']]]),
    trusted,
    enforce: (file, text) => {
      assert.equal(file, FILE);
      if (enforced.at(-1) !== text) enforced.push(text);
    },
  });
  leash.onDidApply((change) => applied.push(change));
  const see = (text: string | undefined) => leash.consider(FILE, text, text !== undefined && parsePolicy(text, FILE).policy !== undefined);
  return { store, leash, enforced, applied, see };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('first sight of a valid policy: trusted as approved and enforced; an invalid one is not, and nothing is enforced', () => {
  const { leash, enforced, see } = setup();
  see(INVALID);
  assert.equal(leash.approvedText(FILE), undefined);
  assert.deepEqual(enforced, []);
  see(APPROVED);
  assert.equal(leash.approvedText(FILE), APPROVED);
  assert.deepEqual(enforced, [APPROVED]);
  assert.equal(leash.waiting, undefined);
});

test('in a workspace not trusted yet nothing is trusted on first use; once trusted, the file then is', () => {
  let trusted = false;
  const { leash, enforced, see } = setup(new HandReviewer(), () => trusted);
  see(LOOSER);
  assert.equal(leash.approvedText(FILE), undefined);
  assert.deepEqual(enforced, []);
  trusted = true;
  see(APPROVED);
  assert.equal(leash.approvedText(FILE), APPROVED);
});

test('a change that only tightens is approved and enforced at once, without a review', () => {
  const reviewer = new HandReviewer();
  const { leash, enforced, see } = setup(reviewer);
  see(APPROVED);
  see(TIGHTER);
  assert.equal(leash.approvedText(FILE), TIGHTER);
  assert.deepEqual(enforced, [APPROVED, TIGHTER]);
  assert.equal(reviewer.asked.length, 0);
});

test('a loosening waits: the reviewer is asked what loosens, the approved policy stays enforced until it applies', async () => {
  const reviewer = new HandReviewer();
  const { leash, enforced, applied, see } = setup(reviewer);
  see(APPROVED);
  see(LOOSER);
  assert.equal(leash.approvedText(FILE), APPROVED);
  assert.deepEqual(enforced, [APPROVED]);
  assert.equal(leash.waiting?.text, LOOSER);
  assert.equal(reviewer.asked.length, 1);
  const { change } = reviewer.asked[0];
  assert.equal(change.file, FILE);
  assert.ok(change.loosened.some((item) => item.server === 'scanner' && item.tool === 'stop_scan' && item.before === 'deny' && item.after === 'allow'), JSON.stringify(change.loosened));
  // Seeing the same text again (a second watcher event) asks nothing more.
  see(LOOSER);
  assert.equal(reviewer.asked.length, 1);
  reviewer.asked[0].answer('apply');
  await settle();
  assert.equal(leash.approvedText(FILE), LOOSER);
  assert.deepEqual(enforced, [APPROVED, LOOSER]);
  assert.equal(leash.waiting, undefined);
  assert.deepEqual(applied.map((a) => a.text), [LOOSER]);
});

test('Keep: the approved policy stays and the change still waits, to be reviewed again', async () => {
  const reviewer = new HandReviewer();
  const { leash, enforced, see } = setup(reviewer);
  see(APPROVED);
  see(NO_LIMIT);
  assert.ok(leash.waiting?.loosened.some((item) => item.what === 'rate limit'), JSON.stringify(leash.waiting?.loosened));
  reviewer.asked[0].answer('keep');
  await settle();
  assert.equal(leash.approvedText(FILE), APPROVED);
  assert.deepEqual(enforced, [APPROVED]);
  assert.equal(leash.waiting?.text, NO_LIMIT);
  assert.equal(leash.waiting?.inReview, false);
  const again = leash.reviewAgain();
  assert.equal(reviewer.asked.length, 2);
  reviewer.asked[1].answer('apply');
  assert.equal(await again, 'apply');
  assert.equal(leash.approvedText(FILE), NO_LIMIT);
});

test('a reviewer that never answers keeps the approved policy; a newer change withdraws its review', async () => {
  const reviewer = new HandReviewer();
  const { leash, enforced, see } = setup(reviewer);
  see(APPROVED);
  see(LOOSER);
  await settle();
  assert.equal(leash.waiting?.inReview, true);
  assert.deepEqual(enforced, [APPROVED]);
  see(NO_LIMIT);
  assert.equal(reviewer.asked[0].signal.aborted, true, 'the review of the earlier text is withdrawn');
  assert.equal(reviewer.asked.length, 2);
  // A late answer to the withdrawn review changes nothing.
  reviewer.asked[0].answer('apply');
  await settle();
  assert.equal(leash.approvedText(FILE), APPROVED);
  assert.equal(leash.waiting?.text, NO_LIMIT);
  // Back to the approved text: nothing waits, and the open review is withdrawn.
  see(APPROVED);
  assert.equal(leash.waiting, undefined);
  assert.equal(reviewer.asked[1].signal.aborted, true);
});

test('a reviewer that throws, or answers anything but apply, keeps the approved policy', async () => {
  for (const reviewer of [
    { review: () => Promise.reject(new Error('broken')) },
    { review: () => Promise.resolve('yes' as ReviewAnswer) },
    { review: () => { throw new Error('sync'); } },
  ] as PolicyReviewer[]) {
    const { leash, see } = setup(reviewer);
    see(APPROVED);
    see(LOOSER);
    await settle();
    assert.equal(leash.approvedText(FILE), APPROVED);
    assert.equal(leash.waiting?.text, LOOSER);
  }
});

test('an invalid file keeps the approved policy and withdraws a waiting review', () => {
  const reviewer = new HandReviewer();
  const { leash, enforced, see } = setup(reviewer);
  see(APPROVED);
  see(LOOSER);
  see(INVALID);
  assert.equal(leash.approvedText(FILE), APPROVED);
  assert.deepEqual(enforced, [APPROVED]);
  assert.equal(leash.waiting, undefined);
  assert.equal(reviewer.asked[0].signal.aborted, true);
});

test('a deleted file is a loosening: held for review; applied, a file that appears later is reviewed, not trusted', async () => {
  const reviewer = new HandReviewer();
  const { leash, store, enforced, see } = setup(reviewer);
  see(APPROVED);
  see(undefined);
  assert.equal(leash.waiting?.text, undefined);
  assert.ok(leash.waiting && leash.waiting.loosened.length > 0);
  assert.equal(leash.approvedText(FILE), APPROVED);
  assert.deepEqual(enforced, [APPROVED]);
  reviewer.asked[0].answer('apply');
  await settle();
  assert.equal(store.record(FILE), null);
  see(LOOSER);
  assert.equal(leash.approvedText(FILE), undefined);
  assert.equal(leash.waiting?.text, LOOSER, 'a new file after an approved removal waits for a person');
});

test("Warden's own edit on a click is approved without a review when the file holds it", () => {
  const reviewer = new HandReviewer();
  const { leash, enforced, see } = setup(reviewer);
  see(APPROVED);
  const edit = (text: string) => setToolAction(text, 'scanner', 'stop_scan', 'allow');
  const written = edit(APPROVED);
  leash.ownEdit(FILE, APPROVED, written, edit);
  see(written);
  assert.equal(leash.approvedText(FILE), written);
  assert.deepEqual(enforced, [APPROVED, written]);
  assert.equal(reviewer.asked.length, 0);
});

test('a click does not launder a loosening waiting in the file: the edit is approved on the approved text, the rest still waits', () => {
  const reviewer = new HandReviewer();
  const { leash, see } = setup(reviewer);
  see(APPROVED);
  see(NO_LIMIT);
  assert.equal(reviewer.asked.length, 1);
  const edit = (text: string) => setToolAction(text, 'scanner', 'get_status', 'deny');
  const written = edit(NO_LIMIT);
  leash.ownEdit(FILE, NO_LIMIT, written, edit);
  see(written);
  assert.equal(leash.approvedText(FILE), edit(APPROVED), 'the click applies to the approved policy');
  assert.equal(leash.waiting?.text, written);
  assert.ok(leash.waiting?.loosened.some((item) => item.what === 'rate limit'), 'the removed rate limit still waits');
});

test('an own edit is approved only when the file holds exactly what Warden wrote', () => {
  const { leash, see } = setup();
  see(APPROVED);
  const edit = (text: string) => setToolAction(text, 'scanner', 'stop_scan', 'allow');
  leash.ownEdit(FILE, APPROVED, edit(APPROVED), edit);
  see(edit(APPROVED) + '\n# and something else\n' + 'default_extra: 1\n');
  assert.equal(leash.approvedText(FILE), APPROVED);
});

test('trust on first use is for the first policy only: one at another path later (another folder put first) is reviewed', async () => {
  const OTHER = '/work/other/.vscode/mcp-policy.yaml';
  const reviewer = new HandReviewer();
  const enforced: [string, string][] = [];
  const leash = new PolicyLeash({
    store: new ApprovedStore(new MemoryMemento() as unknown as vscode.Memento),
    reviewers: new PolicyReviewerSeat(reviewer),
    compare: comparePolicyTexts,
    knownTools: () => new Map([['scanner', ['stop_scan']]]),
    trusted: () => true,
    enforce: (file, text) => void enforced.push([file, text]),
  });
  leash.consider(FILE, APPROVED, true);
  assert.equal(leash.approvedText(FILE), APPROVED);
  const allowAll = 'version: 1\ndefault: allow\n';
  leash.consider(OTHER, allowAll, true);
  await settle();
  assert.equal(leash.approvedText(OTHER), undefined, 'not trusted on sight');
  assert.deepEqual(enforced, [[FILE, APPROVED]], 'nothing enforced for the new path');
  assert.equal(reviewer.asked.length, 1);
  assert.equal(reviewer.asked[0].change.file, OTHER);
  assert.ok(reviewer.asked[0].change.loosened.length > 0);
  reviewer.asked[0].answer('apply');
  await settle();
  assert.equal(leash.approvedText(OTHER), allowAll);
});
