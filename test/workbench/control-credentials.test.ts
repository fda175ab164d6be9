// Who the editor admits on the control channel: a ticket per launch, burnt on first use; a resume secret
// per welcome, for one reconnection; every second presentation refused and reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ControlCredentials, type Admission } from '../../src/workbench/control-credentials';

const closed = () => false;

function resumeOf(admission: Admission): string {
  assert.equal(admission.admitted, true, JSON.stringify(admission));
  return (admission as { resume: string }).resume;
}

test('a ticket admits one connection; its copy is refused as used, with an alarm', () => {
  const credentials = new ControlCredentials();
  const ticket = credentials.issue('scanner');
  assert.match(ticket, /^[0-9a-f]{64}$/);
  assert.match(resumeOf(credentials.admit({ ticket, server: 'scanner', pid: 7 }, '1', closed)), /^[0-9a-f]{64}$/);
  const replay = credentials.admit({ ticket, server: 'scanner', pid: 7 }, '2', closed);
  assert.equal(replay.admitted, false);
  assert.equal((replay as { reason: string }).reason, 'ticket already used');
  assert.match((replay as { alarm?: string }).alarm ?? '', /used ticket of "scanner" was presented again/);
});

test('tickets are per launch: two launches, two tickets, neither admits twice', () => {
  const credentials = new ControlCredentials();
  const [a, b] = [credentials.issue('scanner'), credentials.issue('scanner')];
  assert.notEqual(a, b);
  resumeOf(credentials.admit({ ticket: b, server: 'scanner', pid: 7 }, '1', closed));
  resumeOf(credentials.admit({ ticket: a, server: 'scanner', pid: 7 }, '2', closed));
  for (const ticket of [a, b]) assert.equal(credentials.admit({ ticket, server: 'scanner', pid: 7 }, '3', closed).admitted, false);
});

test('made-up, missing, non-string and expired tickets are refused; an expired one is burnt too', () => {
  let now = 1_000;
  const credentials = new ControlCredentials(() => now, 100, () => true);
  const reason = (admission: Admission) => (admission.admitted ? 'admitted' : admission.reason);
  assert.equal(reason(credentials.admit({ ticket: 'f'.repeat(64), server: 's', pid: 7 }, '1', closed)), 'unknown ticket');
  assert.equal(reason(credentials.admit({ server: 's', pid: 7 }, '1', closed)), 'no ticket: only a proxy the editor launched is accepted');
  assert.equal(reason(credentials.admit({ ticket: 42, server: 's', pid: 7 }, '1', closed)), 'no ticket: only a proxy the editor launched is accepted');
  const late = credentials.issue('s');
  now += 101;
  assert.equal(reason(credentials.admit({ ticket: late, server: 's', pid: 7 }, '1', closed)), 'ticket expired');
  assert.equal(reason(credentials.admit({ ticket: late, server: 's', pid: 7 }, '1', closed)), 'ticket already used');
  const onTime = credentials.issue('s');
  now += 100;
  assert.equal(reason(credentials.admit({ ticket: onTime, server: 's', pid: 7 }, '2', closed)), 'admitted');
});

test('a ticket speaks for the server it was issued for only', () => {
  const credentials = new ControlCredentials();
  const ticket = credentials.issue('scanner');
  const other = credentials.admit({ ticket, server: 'filesystem', pid: 7 }, '1', closed);
  assert.deepEqual([other.admitted, (other as { reason: string }).reason], [false, 'ticket issued for another server']);
  assert.match((other as { alarm?: string }).alarm ?? '', /ticket of "scanner" was presented by a proxy calling itself "filesystem"/);
  assert.equal(credentials.admit({ ticket, server: 'scanner', pid: 7 }, '1', closed).admitted, false, 'burnt by the wrong presentation');
});

test('a resume secret reconnects once, after its connection closed; each welcome gives a new one', () => {
  const credentials = new ControlCredentials(Date.now, 1000, (pid) => pid === 7);
  const open = new Set<string>(['1']);
  const isOpen = (connection: string) => open.has(connection);
  const first = resumeOf(credentials.admit({ ticket: credentials.issue('scanner'), server: 'scanner', pid: 7 }, '1', isOpen));
  // While connection 1 is open, its secret admits nobody else.
  const stolen = credentials.admit({ resume: first, server: 'scanner', pid: 7 }, '2', isOpen);
  assert.deepEqual([stolen.admitted, (stolen as { reason: string }).reason], [false, 'resume secret in use']);
  assert.match((stolen as { alarm?: string }).alarm ?? '', /while its proxy is still connected/);
  open.delete('1');
  const second = resumeOf(credentials.admit({ resume: first, server: 'scanner', pid: 7 }, '3', isOpen));
  open.add('3');
  assert.notEqual(second, first);
  open.delete('3');
  assert.equal(credentials.admit({ resume: first, server: 'scanner', pid: 7 }, '4', isOpen).admitted, false, 'the old secret is spent');
  assert.equal(credentials.admit({ resume: second, server: 'filesystem', pid: 7 }, '4', isOpen).admitted, false, 'another server');
  resumeOf(credentials.admit({ resume: second, server: 'scanner', pid: 7 }, '4', isOpen));
});

test('a resume secret admits only the process that redeemed the ticket, and only while it lives', () => {
  const living = new Set([7, 8]);
  const credentials = new ControlCredentials(Date.now, 1000, (pid) => living.has(pid));
  const secret = resumeOf(credentials.admit({ ticket: credentials.issue('scanner'), server: 'scanner', pid: 7 }, '1', closed));
  const other = credentials.admit({ resume: secret, server: 'scanner', pid: 8 }, '2', closed);
  assert.deepEqual([other.admitted, (other as { reason: string }).reason], [false, 'resume secret of another process']);
  assert.equal(credentials.admit({ resume: secret, server: 'scanner', pid: 7 }, '2', closed).admitted, false, 'spent by the wrong presentation');
  // The proxy was killed: its secret, presented in its name, admits nobody.
  const again = resumeOf(credentials.admit({ ticket: credentials.issue('scanner'), server: 'scanner', pid: 8 }, '3', closed));
  living.delete(8);
  const afterDeath = credentials.admit({ resume: again, server: 'scanner', pid: 8 }, '4', closed);
  assert.equal(afterDeath.admitted, false);
  assert.match((afterDeath as { alarm?: string }).alarm ?? '', /after that proxy ended/);
});
