// The proxy is transparent by the protocol's own test suite: the MCP conformance suite runs against
// server-everything over Streamable HTTP directly, then through Warden's --listen side in front of the
// same server (over stdio, and at its URL), and Warden must pass exactly the scenarios the server passes.
// Real processes and transports throughout. Run by `npm run test:conformance` (needs Node 22+, see suite.ts).
// The suite's runner cannot send headers, so it reaches Warden through a forwarder that adds the
// listener's bearer token, as a client's configuration would; Host and Origin go through as sent.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import { EVERYTHING, startEverythingHttp, startHttpProxy, tempDir, writePolicy, yaml } from '../proxy/helpers';
import { authenticatingForwarder } from '../proxy/http-forwarder';
import { passedNames, runServerSuite, suiteNode, type ScenarioResult } from './suite';

/**
 * Scenarios about the HTTP listener itself rather than what it relays: Warden's listener refuses a
 * foreign Host or Origin (DNS rebinding) whether or not the server behind it does, so it must pass these
 * and they are left out of the comparison.
 */
const LISTENER_SCENARIOS = ['dns-rebinding-protection'];
/** The tool the tools-call-simple-text scenario calls (server-everything has no such tool). */
const DENIED_TOOL = 'test_simple_text';

const ALLOW_ALL = yaml('version: 1', 'default: allow');
const DENY_ONE = yaml('version: 1', 'default: allow', 'servers:', '  everything:', '    tools:', `      ${DENIED_TOOL}: { action: deny, reason: Denied by the conformance check }`);

describe('the MCP conformance suite, directly and through Warden', () => {
  const tmp = tempDir();
  let runs = 0;
  let server: Awaited<ReturnType<typeof startEverythingHttp>> | undefined;
  let started: Promise<{ node: string; serverUrl: string; direct: Map<string, ScenarioResult> }> | undefined;

  /** The server and the direct run, once; in each test rather than a hook, so a suite that cannot run fails every test. */
  function baseline(): NonNullable<typeof started> {
    started ??= (async () => {
      const node = suiteNode();
      server = await startEverythingHttp('streamableHttp');
      const serverUrl = `http://127.0.0.1:${server.port}/mcp`;
      return { node, serverUrl, direct: await runServerSuite(node, serverUrl, join(tmp.dir, `results-${runs++}`)) };
    })();
    return started;
  }

  after(async () => {
    await server?.close();
    tmp.cleanup();
  });

  /** Runs the suite through Warden and asserts the same verdicts as the direct run; returns Warden's. */
  async function throughWarden(t: TestContext, policyText: string, upstream: { upstream: string[]; extraArgs?: string[] }): Promise<Map<string, ScenarioResult>> {
    const { node, direct } = await baseline();
    const policy = writePolicy(tmp.dir, policyText, `policy-${runs}.yaml`);
    const proxy = await startHttpProxy({ policy, server: 'everything', ...upstream });
    const forwarder = await authenticatingForwarder(proxy);
    let warden: Map<string, ScenarioResult>;
    try {
      warden = await runServerSuite(node, forwarder.url.href, join(tmp.dir, `results-${runs++}`));
    } finally {
      await forwarder.close();
      await proxy.close();
    }
    const relayed = (results: Map<string, ScenarioResult>): string[] => passedNames(results).filter((name) => !LISTENER_SCENARIOS.includes(name));
    t.diagnostic(`direct: ${relayed(direct).length} of ${direct.size} scenarios pass: ${relayed(direct).join(', ')}`);
    t.diagnostic(`Warden: ${relayed(warden).length} of ${warden.size} scenarios pass: ${relayed(warden).join(', ')}`);
    t.diagnostic(`listener scenarios (direct / Warden): ${LISTENER_SCENARIOS.map((name) => `${name} ${verdict(direct, name)} / ${verdict(warden, name)}`).join(', ')}`);
    assert.deepEqual([...warden.keys()].sort(), [...direct.keys()].sort(), 'the same scenarios ran');
    assert.ok(direct.get('server-initialize')?.passed, 'server-everything passes server-initialize directly (else the comparison says nothing)');
    assert.deepEqual(relayed(warden), relayed(direct), `Warden passes what the server passes\n${proxy.stderr()}`);
    for (const name of LISTENER_SCENARIOS) assert.ok(warden.get(name)?.passed, `Warden's listener passes ${name}: ${JSON.stringify(warden.get(name)?.checks)}`);
    return warden;
  }

  it('passes the same scenarios in front of the server over stdio, allowing everything', async (t) => {
    const warden = await throughWarden(t, ALLOW_ALL, { upstream: [process.execPath, EVERYTHING, 'stdio'] });
    // The call went through to the server, which has no such tool.
    assert.match(resultText(warden, 'tools-call-simple-text'), new RegExp(`Tool ${DENIED_TOOL} not found`));
  });

  it('passes the same scenarios in front of the same server at its URL, allowing everything', async (t) => {
    await throughWarden(t, ALLOW_ALL, { upstream: [], extraArgs: ['--url', (await baseline()).serverUrl] });
  });

  it(`passes the same scenarios with ${DENIED_TOOL} denied, answering that call itself`, async (t) => {
    // A denied call is answered with a tool error whose text gives the reason: still the text content
    // the scenario asks for, so no scenario's verdict changes; the text shows who answered.
    const warden = await throughWarden(t, DENY_ONE, { upstream: [process.execPath, EVERYTHING, 'stdio'] });
    assert.match(resultText(warden, 'tools-call-simple-text'), /^Blocked by policy: Denied by the conformance check/);
  });
});

function verdict(results: Map<string, ScenarioResult>, name: string): string {
  const result = results.get(name);
  return result ? (result.passed ? 'pass' : 'fail') : 'not run';
}

/** The first text of the tool result a scenario's check recorded. */
function resultText(results: Map<string, ScenarioResult>, scenario: string): string {
  const details = results.get(scenario)?.checks[0]?.details as { result?: { content?: { text?: string }[] } } | undefined;
  return details?.result?.content?.[0]?.text ?? '';
}
