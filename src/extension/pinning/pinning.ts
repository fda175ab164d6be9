// Pinned tools in the editor: the lockfile's leash (the approved lockfile, beside the approved policy in
// the extension's storage, sent to the proxies with it), the tree's marks, Create Policy's pins, and the
// commands that review and pin.
import * as vscode from 'vscode';
import type { MemoryCatalogue } from '../../language/catalogue';
import type { ProxyStatus } from '../../workbench/proxy-status';
import { REVIEW_LOCK_CHANGE_COMMAND } from '../../workbench/tree-model';
import type { ControlService } from '../control/control-service';
import type { ApprovedDocuments } from '../leash/approved-documents';
import type { ApprovedStore } from '../leash/approved-store';
import type { WaitingChange } from '../leash/policy-leash';
import type { ReviewAnswer } from '../leash/policy-review';
import type { PolicyReviewerSeat } from '../leash/reviewer-seat';
import type { ServersTree } from '../tree/servers-tree';
import type { PolicyState } from '../wiring/policy-state';
import { createdPolicyPinner, setCreatedPolicyPinner } from './create-policy-pins';
import { DefinitionDocuments } from './definition-documents';
import { createLockLeash } from './lock-leash';
import { LockState } from './lock-state';
import { registerPinCommands } from './pin-commands';
import { PinMarks } from './pin-marks';

export interface PinningDependencies {
  store: ApprovedStore;
  reviewers: PolicyReviewerSeat;
  documents: ApprovedDocuments;
  policy: PolicyState;
  control: ControlService;
  proxies: ProxyStatus;
  catalogue: MemoryCatalogue;
}

/** What the extension's API exposes of pinning. */
export interface PinningApi {
  /** The lockfile of the workspace policy (absolute path), when a folder is open. */
  lockFile(): string | undefined;
  /** The approved lockfile's text: what the proxies enforce (undefined: none, nothing pinned). */
  approvedLock(): string | undefined;
  /** The change of the lockfile that lets tools through and waits for a person, if any. */
  waiting(): WaitingChange | undefined;
  /** Asks the reviewer again about the waiting change. */
  review(): Promise<ReviewAnswer>;
  /** Resolves once the lockfile as it is now has been read. */
  ready(): Promise<void>;
}

export function registerPinning(deps: PinningDependencies): {
  locks: LockState;
  marks: PinMarks;
  api: PinningApi;
  disposables: vscode.Disposable[];
  /** The commands, once the tree exists. */
  commands(tree: ServersTree): vscode.Disposable[];
} {
  const leash = createLockLeash({
    store: deps.store,
    reviewers: deps.reviewers,
    trusted: () => vscode.workspace.isTrusted,
    approved: (file) => deps.documents.approvedChanged(file),
  });
  const locks = new LockState(deps.policy, leash, (policyFile, lock) => deps.control.setApprovedLock(policyFile, lock));
  const marks = new PinMarks(deps.proxies, deps.policy, locks);
  const definitions = new DefinitionDocuments();
  setCreatedPolicyPinner(createdPolicyPinner(deps.proxies, deps.catalogue, () => locks.reload()));
  const api: PinningApi = {
    lockFile: () => locks.uri?.fsPath,
    approvedLock: () => locks.approvedText(),
    waiting: () => (leash.waiting && leash.waiting.file === locks.uri?.fsPath ? leash.waiting : undefined),
    review: () => leash.reviewAgain(),
    ready: () => locks.ready,
  };
  return {
    locks,
    marks,
    api,
    disposables: [leash, locks, definitions, { dispose: () => setCreatedPolicyPinner(undefined) }, vscode.commands.registerCommand(REVIEW_LOCK_CHANGE_COMMAND, () => leash.reviewAgain())],
    commands: (tree) => registerPinCommands({ tree, policy: deps.policy, proxies: deps.proxies, locks, marks, documents: definitions }),
  };
}
