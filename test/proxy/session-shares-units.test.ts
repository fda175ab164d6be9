// The listener's session cap shared fairly among its endpoints (session-shares.ts), as pure logic.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SessionShares, type ShareHolder } from '../../src/proxy/session-shares';

/** An endpoint whose reclaim ends one of its sessions, as McpEndpoint does. */
function endpoint(shares: SessionShares, name: string) {
  const holder: ShareHolder & { open: number; ended: number } = {
    open: 0,
    ended: 0,
    reclaim: () => {
      if (holder.open === 0) return false;
      holder.open--;
      holder.ended++;
      shares.give(holder);
      return true;
    },
  };
  shares.join(holder, name);
  const take = (): boolean => {
    const ok = shares.take(holder).ok;
    if (ok) holder.open++;
    return ok;
  };
  return { holder, take };
}

describe('session shares', () => {
  it('one endpoint (the proxy’s --listen): exactly the cap, nothing ever taken back', () => {
    const shares = new SessionShares(3);
    const only = endpoint(shares, 'mcp');
    assert.deepEqual([only.take(), only.take(), only.take(), only.take()], [true, true, true, false]);
    assert.equal(only.holder.ended, 0);
    const refused = shares.take(only.holder);
    assert.ok(!refused.ok && /already has 3 sessions open \(--max-sessions\); end one/.test(refused.message));
  });

  it('with N endpoints each can always open floor(cap/N), and never more than the cap is open', () => {
    const shares = new SessionShares(10);
    const [a, b, c] = ['a', 'b', 'c'].map((n) => endpoint(shares, n));
    for (let i = 0; i < 10; i++) assert.ok(a.take());
    assert.equal(a.take(), false);
    for (let i = 0; i < 3; i++) assert.ok(b.take(), `b's session ${i + 1}`);
    assert.equal(b.take(), false, 'b at its share of 3 with the cap full');
    for (let i = 0; i < 3; i++) assert.ok(c.take(), `c's session ${i + 1}`);
    assert.equal(c.take(), false);
    assert.deepEqual([a.holder.open, b.holder.open, c.holder.open], [4, 3, 3]);
    assert.equal(shares.inUse, 10);
    assert.equal(a.take(), false, 'a over its share takes nothing back');
  });

  it('an endpoint no longer served keeps no share: its sessions are the first taken back', () => {
    const shares = new SessionShares(4);
    const a = endpoint(shares, 'a');
    const b = endpoint(shares, 'b');
    for (let i = 0; i < 2; i++) assert.ok(a.take());
    for (let i = 0; i < 2; i++) assert.ok(b.take());
    shares.leave(a.holder);
    assert.equal(shares.share, 4);
    assert.equal(shares.take(a.holder).ok, false);
    assert.ok(b.take());
    assert.equal(a.holder.ended, 1);
    // Its last session ends: it is forgotten, and nothing counts twice.
    a.holder.open--;
    shares.give(a.holder);
    shares.give(a.holder);
    assert.equal(shares.inUse, 3);
  });
});
