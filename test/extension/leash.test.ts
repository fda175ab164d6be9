// The leash inside a real VS Code: the running proxy enforces the policy a person approved, not the file.
// A change of the file that only tightens reaches the proxy at once; one that loosens waits for the
// reviewer (played here through `policyChanges.use`), and the tree and the status bar say it waits.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { PolicyChange, PolicyReviewer, ReviewAnswer } from '../../src/extension/leash/policy-review';
import type { TreeElement } from '../../src/extension/tree/tree-elements';
import type { ServerRow, ToolRow } from '../../src/workbench/tree-model';
import { invoke, keepFiles, policyFile, readFile, SCANNER, SCANNER_DEFINITION_ID, startServersUntil, waitFor, wardenApi, type Api } from './warden-helpers';

const STOP_DENIED = '      stop_scan:\n        action: deny\n';
const STOP_ALLOWED = '      stop_scan:\n        action: allow\n';
const FINDINGS_RULE = '      list_findings:\n        risk: { category: read, level: medium }\n';
const FINDINGS_DENIED = '      list_findings:\n        action: deny\n        risk: { category: read, level: medium }\n';
const REVIEW_COMMAND = 'mcpWarden.reviewPolicyChange';
/** How long a test waits to see that something does not happen. */
const QUIET_MS = 600;

/** The person reviewing policy changes: each review waits for `answer` (or `standing`), or until withdrawn. */
class PersonAtTheEditor implements PolicyReviewer {
  readonly asked: { change: PolicyChange; signal: AbortSignal }[] = [];
  standing: ReviewAnswer | undefined;
  private readonly held: Array<(answer: ReviewAnswer) => void> = [];

  review(change: PolicyChange, signal: AbortSignal): Promise<ReviewAnswer> {
    this.asked.push({ change, signal });
    if (this.standing) return Promise.resolve(this.standing);
    return new Promise((resolve) => this.held.push(resolve));
  }

  answer(answer: ReviewAnswer): number {
    const held = this.held.splice(0);
    for (const resolve of held) resolve(answer);
    return held.length;
  }
}

suite('Leash: the proxies enforce the approved policy', () => {
  let api: Api;
  let original: string;
  let restore: () => Promise<void>;
  const person = new PersonAtTheEditor();
  let seat: vscode.Disposable;
  const file = () => policyFile().fsPath;
  const reported = (tool: string) => api.proxies.reported(SCANNER)?.find((t) => t.name === tool)?.decision;
  const write = (text: string) => vscode.workspace.fs.writeFile(policyFile(), new TextEncoder().encode(text));

  suiteSetup(async function () {
    this.timeout(120_000);
    api = await wardenApi();
    original = await readFile(policyFile());
    assert.ok(original.includes(STOP_DENIED) && original.includes(FINDINGS_RULE), 'the sample policy has the rules these tests change');
    restore = await keepFiles(api, policyFile());
    seat = api.policyChanges.use(person);
    await startServersUntil('stop_scan');
    await waitFor(() => api.proxies.running().includes(SCANNER), 'the scanner behind the proxy');
    await waitFor(() => reported('stop_scan') === 'deny', "the proxy's report of the sample policy");
  });

  teardown(async function () {
    this.timeout(30_000);
    // The sample policy back on disk and approved (putting back what a test tightened loosens: the person applies it).
    person.answer('keep');
    person.standing = 'apply';
    try {
      if ((await readFile(policyFile()).catch(() => undefined)) !== original) await write(original);
      await api.policy.reload();
      await waitFor(() => api.policyChanges.approvedText(file()) === original && !api.policyChanges.waiting(), 'the sample policy approved again');
      await waitFor(() => reported('stop_scan') === 'deny' && reported('list_findings') === 'allow', 'the proxy to enforce the sample policy');
    } finally {
      person.standing = undefined;
    }
  });

  suiteTeardown(async () => {
    seat?.dispose();
    await restore?.();
    await vscode.commands.executeCommand('workbench.mcp.stopServer', SCANNER_DEFINITION_ID);
    await waitFor(() => !api.proxies.running().includes(SCANNER), 'the scanner to stop');
    api.catalogue.clearTools(SCANNER);
  });

  test('a change that only tightens reaches the running proxy within 250 ms, without a review', async function () {
    this.timeout(30_000);
    const asked = person.asked.length;
    const tightened = original.replace(FINDINGS_RULE, FINDINGS_DENIED);
    // Timed by the proxies' own reports (an event), not by polling.
    let started = 0;
    let approved = 0;
    const read = api.policy.onDidChange(() => {
      if (!approved && api.policyChanges.approvedText(file()) === tightened) approved = performance.now() - started;
    });
    const enforced = new Promise<number>((resolve) => {
      const listener = api.proxies.onDidChange(() => {
        if (reported('list_findings') !== 'deny') return;
        listener.dispose();
        resolve(performance.now() - started);
      });
    });
    started = performance.now();
    await write(tightened);
    const written = performance.now() - started;
    const elapsed = await Promise.race([enforced, new Promise<number>((resolve) => setTimeout(() => resolve(Infinity), 5_000))]);
    read.dispose();
    console.log(`      the file written after ${written.toFixed(0)} ms, approved in the editor after ${approved.toFixed(0)} ms, enforced by the proxy after ${elapsed.toFixed(0)} ms`);
    // From the moment the new text is on disk (the write's own round trip through VS Code is not Warden's).
    assert.ok(elapsed - written < 250, `the proxy enforced it ${(elapsed - written).toFixed(0)} ms after the file was written`);
    assert.equal(api.policyChanges.approvedText(file()), tightened);
    assert.equal(person.asked.length, asked, 'nobody was asked');
    assert.match(await invoke('list_findings', {}), /^Blocked by policy: /);
  });

  test('a loosening is held: the proxy keeps the approved policy, the tree and status bar say a change waits, until the reviewer applies it', async function () {
    this.timeout(30_000);
    const loosened = original.replace(STOP_DENIED, STOP_ALLOWED);
    const asked = person.asked.length;
    await write(loosened);
    const { change } = await waitFor(() => person.asked[asked], 'the reviewer to be asked');
    assert.equal(change.file, file());
    assert.deepEqual(change.loosened.map((l) => [l.server, l.tool, l.what, l.before, l.after]), [[SCANNER, 'stop_scan', 'decision', 'deny', 'allow']]);
    assert.equal(api.policyChanges.waiting()?.text, loosened);
    assert.equal(api.policyChanges.approvedText(file()), original);

    // Shown where a person looks: a notice on top of the tree that reviews it, and the status bar.
    const notice = api.tree.refresh().notices.find((n) => n.command === REVIEW_COMMAND);
    assert.ok(notice, 'the tree has a notice of the waiting change');
    assert.match(notice.message, /^A change to the policy is waiting for your review: it loosens what is enforced \(1 item\)/);
    assert.equal(api.tree.getTreeItem(notice).command?.command, REVIEW_COMMAND);
    await waitFor(() => /change waiting/.test(api.statusBar.text), 'the status bar to say a change waits');
    assert.equal(api.statusBar.command, REVIEW_COMMAND);
    assert.equal(api.tree.getTreeItem(toolOf(api, 'stop_scan')).description, 'execute · high · denied', 'the tree shows what is enforced');

    // Still the approved policy in the proxy: the call is blocked, and the scanner never sees it.
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    assert.equal(reported('stop_scan'), 'deny');
    assert.match(await invoke('stop_scan', { scan_id: 'S-404' }), /^Blocked by policy: /);

    assert.equal(person.answer('apply'), 1);
    await waitFor(() => reported('stop_scan') === 'allow', 'the proxy to enforce the applied change');
    assert.equal(api.policyChanges.approvedText(file()), loosened);
    assert.equal(api.policyChanges.waiting(), undefined);
    assert.equal(api.tree.refresh().notices.find((n) => n.command === REVIEW_COMMAND), undefined);
    await waitFor(() => !/change waiting/.test(api.statusBar.text), 'the status bar to stop saying a change waits');
    assert.equal(await invoke('stop_scan', { scan_id: 'S-404' }), 'no scan S-404', 'the call reached the scanner');
  });

  test('Keep: the approved policy stays and the change still waits; the review command asks again', async function () {
    this.timeout(30_000);
    const loosened = original.replace(STOP_DENIED, STOP_ALLOWED);
    const asked = person.asked.length;
    await write(loosened);
    await waitFor(() => person.asked.length === asked + 1, 'the reviewer to be asked');
    assert.equal(person.answer('keep'), 1);
    await waitFor(() => api.policyChanges.waiting()?.inReview === false, 'the review to end');
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    assert.equal(reported('stop_scan'), 'deny');
    assert.equal(api.policyChanges.approvedText(file()), original);
    assert.match(await invoke('stop_scan', { scan_id: 'S-404' }), /^Blocked by policy: /);
    assert.ok(api.tree.refresh().notices.some((n) => n.command === REVIEW_COMMAND), 'the change still waits in the tree');

    const again = vscode.commands.executeCommand<ReviewAnswer>(REVIEW_COMMAND);
    await waitFor(() => person.asked.length === asked + 2, 'the reviewer to be asked again');
    assert.equal(person.answer('apply'), 1);
    assert.equal(await again, 'apply');
    await waitFor(() => reported('stop_scan') === 'allow', 'the proxy to enforce the applied change');
  });

  test('a reviewer that never answers keeps the approved policy; putting the file back withdraws the review', async function () {
    this.timeout(30_000);
    const asked = person.asked.length;
    await write(original.replace(STOP_DENIED, STOP_ALLOWED).replace(FINDINGS_RULE, ''));
    await waitFor(() => person.asked.length === asked + 1, 'the reviewer to be asked');
    const { signal } = person.asked.at(-1)!;
    await new Promise((resolve) => setTimeout(resolve, 2 * QUIET_MS));
    assert.equal(api.policyChanges.waiting()?.inReview, true);
    assert.equal(api.policyChanges.approvedText(file()), original);
    assert.equal(reported('stop_scan'), 'deny');
    assert.match(await invoke('stop_scan', { scan_id: 'S-404' }), /^Blocked by policy: /);
    await write(original);
    await waitFor(() => signal.aborted, 'the review to be withdrawn');
    assert.equal(api.policyChanges.waiting(), undefined);
  });

  test('a deleted policy file is a change that removes everything: held for review, the proxy and the definitions keep the approved policy', async function () {
    this.timeout(30_000);
    const asked = person.asked.length;
    await vscode.workspace.fs.delete(policyFile());
    await waitFor(() => person.asked.length === asked + 1, 'the reviewer to be asked');
    const { change } = person.asked.at(-1)!;
    assert.ok(change.loosened.some((l) => l.server === '*' && l.after === 'deleted'), JSON.stringify(change.loosened));
    assert.equal(api.policyChanges.waiting()?.text, undefined);
    assert.equal(api.policyChanges.approvedText(file()), original);
    assert.ok(api.definitions.provideMcpServerDefinitions().some((d) => d.label === SCANNER), 'the scanner is still offered through the proxy');
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    assert.equal(reported('stop_scan'), 'deny');
    assert.match(await invoke('stop_scan', { scan_id: 'S-404' }), /^Blocked by policy: /);
  });

  test('an invalid file keeps the approved policy, and nobody is asked', async function () {
    this.timeout(30_000);
    const asked = person.asked.length;
    await write(original.replace(STOP_DENIED, STOP_ALLOWED).replace('default: allow', 'default: maybe'));
    await waitFor(() => api.policy.view.state === 'invalid', 'the file to be read as invalid');
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    assert.equal(person.asked.length, asked);
    assert.equal(api.policyChanges.waiting(), undefined);
    assert.equal(api.policyChanges.approvedText(file()), original);
    assert.equal(reported('stop_scan'), 'deny');
    assert.match(await invoke('stop_scan', { scan_id: 'S-404' }), /^Blocked by policy: /);
  });

  test("Warden's own edit from a click in its tree is the person's act: applied without a review", async function () {
    this.timeout(30_000);
    const asked = person.asked.length;
    const node = toolOf(api, 'stop_scan');
    assert.equal(await vscode.commands.executeCommand('mcpWarden.allowTool', node), true);
    const written = await readFile(policyFile());
    assert.ok(written.includes(STOP_ALLOWED), 'Allow wrote the rule');
    assert.equal(api.policyChanges.approvedText(file()), written);
    await waitFor(() => reported('stop_scan') === 'allow', 'the proxy to enforce the edit');
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    assert.equal(person.asked.length, asked, 'nobody was asked');
    assert.equal(api.policyChanges.waiting(), undefined);
  });
});

function toolOf(api: Api, tool: string): ToolRow {
  const server = api.tree.getChildren().find((e): e is ServerRow => e.kind === 'server' && e.name === SCANNER);
  assert.ok(server, `${SCANNER} is not in the tree`);
  const found = api.tree.getChildren(server).find((e: TreeElement): e is ToolRow => e.kind === 'tool' && e.name === tool);
  assert.ok(found, `${tool} is not under ${SCANNER}`);
  return found;
}
