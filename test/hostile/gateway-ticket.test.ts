// The window's gateway is admitted by a single-use ticket. A same-user process that got that ticket first
// (a hostile server polling /proc for a starting gateway, after killing the one it ran under to make the
// editor start another) could say hello as the gateway, claiming the real gateway's pid and its own
// address: the editor would send it every server's resolved launch (their secrets) and point VS Code at
// it, and nothing would be decided by Warden any more. The editor launches the gateway as it does in the
// window (GatewayProcess, the real ControlServer): the ticket must never be readable from the gateway's
// /proc entries, and the thief's hello is refused while the real gateway is welcomed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GatewayProcess } from '../../src/extension/gateway/gateway-process';
import { CONTROL_PROTOCOL_VERSION, CONTROL_TICKET_ENV } from '../../src/proxy/control-protocol';
import { GATEWAY_HOLDER, type ProxyIdentity } from '../../src/workbench/control-connection';
import { ControlServer } from '../../src/workbench/control-server';
import { gatewayInvocation } from '../../src/workbench/gateway-launch';
import { CLI, requireBundle, tempDir, waitFor, writePolicy, yaml } from '../proxy/helpers';

/** The ticket in a process's environment as /proc shows it, if any. */
function ticketIn(pid: number): string | undefined {
  try {
    const entry = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').find((v) => v.startsWith(`${CONTROL_TICKET_ENV}=`));
    return entry?.slice(CONTROL_TICKET_ENV.length + 1);
  } catch {
    return undefined;
  }
}

/** Says hello as a gateway with `ticket`, claiming `pid` and an address of its own; resolves with the answer. */
function impersonate(socketPath: string, ticket: string, pid: number, policy: string): Promise<{ type: string; reason?: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      socket.write(JSON.stringify({ type: 'hello', protocol: CONTROL_PROTOCOL_VERSION, ticket, gateway: { pid, policy, version: '0.1.0', url: 'http://127.0.0.1:9', token: 'thief-token-thief-token-thief-token-0123456' } }) + '\n');
    });
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      const newline = buffered.indexOf('\n');
      if (newline !== -1) {
        socket.destroy();
        resolve(JSON.parse(buffered.slice(0, newline)) as { type: string; reason?: string });
      }
    });
    socket.on('error', reject);
  });
}

describe('hostile: the gateway’s ticket', { skip: process.platform !== 'linux' && 'reads /proc' }, () => {
  const tmp = tempDir();
  let control: ControlServer;
  let policyFile: string;
  const welcomed: ProxyIdentity[] = [];
  const alarms: string[] = [];

  before(async () => {
    requireBundle();
    policyFile = writePolicy(tmp.dir, yaml('version: 1', 'default: allow'));
    control = await ControlServer.start({
      directory: join(tmp.dir, 'control'),
      handlers: () => ({ welcomed: (identity) => welcomed.push(identity), alarm: (message) => alarms.push(message) }),
    });
    control.setApprovedPolicy(policyFile, yaml('version: 1', 'default: allow'));
  });
  after(async () => {
    await control.close();
    tmp.cleanup();
  });

  it('cannot be read from a starting gateway’s environment and raced to the editor', async () => {
    const lines: string[] = [];
    const gateway = new GatewayProcess(gatewayInvocation({ cliPath: CLI, policyFile }), control.env(GATEWAY_HOLDER), tmp.dir, (line) => lines.push(line));
    const pid = gateway.pid!;
    try {
      // The thief polls the starting gateway's environment, as any process of this user can.
      let stolen: string | undefined;
      await waitFor(() => (stolen ??= ticketIn(pid)) !== undefined || welcomed.length > 0, 15_000, 'the ticket or the welcome');
      const thief = stolen === undefined ? undefined : await impersonate(control.socketPath, stolen, pid, policyFile);
      await waitFor(() => welcomed.length > 0 || gateway.isStopping, 15_000, `a gateway to be welcomed:\n${lines.join('\n')}`);
      assert.equal(stolen, undefined, `the ticket was readable in /proc/${pid}/environ (the thief was ${thief?.type === 'welcome' ? 'welcomed' : `answered ${JSON.stringify(thief)}`})`);
      assert.equal(welcomed.length, 1);
      assert.notEqual(welcomed[0].gateway?.url, 'http://127.0.0.1:9', 'the editor welcomed the thief');
      assert.equal(welcomed[0].pid, pid);
      const health = await fetch(`${welcomed[0].gateway!.url}/healthz`, { headers: { authorization: `Bearer ${welcomed[0].gateway!.token}` } });
      assert.equal(health.status, 200, 'the welcomed gateway is the real one');
      assert.deepEqual(alarms, []);
    } finally {
      await gateway.stop();
    }
  });
});
