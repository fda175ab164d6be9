// The listener's session cap and in-flight byte budget shared among its endpoints (session-shares.ts,
// byte-shares.ts), as pure logic.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteShares } from '../../src/proxy/byte-shares';
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

describe('byte shares', () => {
  it('one endpoint (the proxy’s --listen): the whole limit, as one budget', () => {
    const shares = new ByteShares(100, 50);
    const only = shares.member();
    assert.equal(shares.reserve, 0);
    assert.equal(only.take(100), true);
    assert.equal(only.take(1), false);
    assert.equal(only.shared, false);
  });

  it('each endpoint keeps a reserve; one alone still receives a message of the largest size', () => {
    const shares = new ByteShares(100, 50);
    const [a, b, c] = [shares.member(), shares.member(), shares.member()];
    assert.equal(shares.reserve, 25, '(100 - 50) / 2 others');
    assert.equal(a.take(50), true, 'the largest message fits while the others hold nothing');
    assert.equal(a.take(1), false, 'the rest is kept for b and c');
    assert.equal(a.shared, true);
    assert.equal(b.take(25), true);
    assert.equal(c.take(25), true);
    assert.equal(c.take(1), false, 'the limit holds');
    // A server no longer served keeps no reserve; what it holds counts until given back.
    b.give(25);
    b.leave();
    assert.equal(shares.reserve, 50, '(100 - 50) / 1 other');
    assert.equal(a.take(1), false, 'c, holding 25, keeps 25 more');
    assert.equal(c.take(25), true);
    a.give(1000);
    assert.equal(shares.inUse, 50, 'a gives back only what it held');
  });
});
