// Who answers policy reviews: the latest reviewer that took the seat, else the standard one; whatever goes
// wrong (a rejection, an answer that is not 'apply', no answer before the signal aborts) keeps the policy.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { PolicyChange, PolicyReviewer, ReviewAnswer } from '../../src/extension/leash/policy-review';
import { reviewLoosening, setReviewSeat } from '../../src/extension/leash/review-loosening';
import { PolicyReviewerSeat } from '../../src/extension/leash/reviewer-seat';

const CHANGE: PolicyChange = { file: '/ws/.vscode/mcp-policy.yaml', loosened: [{ server: 's', tool: 't', what: 'decision', before: 'deny', after: 'allow' }] };
const answering = (answer: ReviewAnswer, log: string[], name: string): PolicyReviewer => ({
  review: () => {
    log.push(name);
    return Promise.resolve(answer);
  },
});

test('the latest reviewer that took the seat answers; disposing it gives the seat back to the one before', async () => {
  const log: string[] = [];
  const seat = new PolicyReviewerSeat(answering('keep', log, 'standard'));
  const first = seat.use(answering('apply', log, 'first'));
  const second = seat.use(answering('keep', log, 'second'));
  assert.equal(await seat.review(CHANGE, new AbortController().signal), 'keep');
  second.dispose();
  assert.equal(await seat.review(CHANGE, new AbortController().signal), 'apply');
  first.dispose();
  first.dispose();
  assert.equal(await seat.review(CHANGE, new AbortController().signal), 'keep');
  assert.deepEqual(log, ['second', 'first', 'standard']);
});

test('no answer before the signal aborts, a rejection, a throw or any other answer keeps the approved policy', async () => {
  const silent: PolicyReviewer = { review: () => new Promise(() => undefined) };
  const seat = new PolicyReviewerSeat(silent);
  const controller = new AbortController();
  const pending = seat.review(CHANGE, controller.signal);
  controller.abort('the file changed again');
  assert.equal(await pending, 'keep');
  const aborted = new AbortController();
  aborted.abort();
  assert.equal(await new PolicyReviewerSeat(answering('apply', [], 'x')).review(CHANGE, aborted.signal), 'keep', 'an aborted review asks nobody');
  for (const reviewer of [
    { review: () => Promise.reject(new Error('broken')) },
    { review: () => { throw new Error('thrown'); } },
    { review: () => Promise.resolve('Apply' as ReviewAnswer) },
    { review: () => Promise.resolve(undefined as unknown as ReviewAnswer) },
  ] as PolicyReviewer[]) {
    assert.equal(await new PolicyReviewerSeat(reviewer).review(CHANGE, new AbortController().signal), 'keep');
  }
});

test('reviewLoosening asks the seat set at activation, with the proposed text; with none set it keeps', async () => {
  setReviewSeat(undefined);
  assert.equal(await reviewLoosening(CHANGE.file, CHANGE.loosened), 'keep');
  const asked: PolicyChange[] = [];
  setReviewSeat(new PolicyReviewerSeat({ review: (change) => (asked.push(change), Promise.resolve('apply')) }));
  try {
    assert.equal(await reviewLoosening(CHANGE.file, CHANGE.loosened, new AbortController().signal, 'version: 1\n'), 'apply');
    assert.deepEqual(asked, [{ ...CHANGE, proposedText: 'version: 1\n' }]);
  } finally {
    setReviewSeat(undefined);
  }
});
