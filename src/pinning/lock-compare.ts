// Whether a changed lockfile loosens the one a person approved. A pin is what lets a tool through under
// `pin: enforce`, so anything that makes a tool callable that was not waits for a person: a pin added or
// changed, a server's entry removed (its tools are then not pinned at all), the file removed. Removing one
// tool's pin tightens (the tool then counts as new: blocked under enforce), and so does a server entry
// added (a server the lockfile does not know is not pinned). A server's pinned instructions and
// serverInfo are reported against, so a change to them is reviewed too. A text that is not a lockfile
// (parseLockfile's errors, a sha256 that does not match its definition included) is never approved.
import { canonicalJson } from '../policy/canonical-json';
import type { Loosening } from '../policy/policy-compare';
import { changedFields } from './drift';
import { emptyLockfile, parseLockfile, type Lockfile } from './lockfile';

export type LockComparison = { ok: true; loosened: Loosening[] } | { ok: false; reason: string };

/**
 * Compares the proposed text of the lockfile `file` with the approved one. `approved` undefined: no
 * lockfile approved (nothing pinned). `proposed` undefined: the file is gone. `ok: false` when the
 * proposed text is not a lockfile: keep the approved one.
 */
export function compareLockTexts(approved: string | undefined, proposed: string | undefined, file: string): LockComparison {
  const after = proposed === undefined ? { lockfile: emptyLockfile() } : parseLockfile(proposed);
  if (!after.lockfile) return { ok: false, reason: `${file}: ${after.errors[0]}${after.errors.length > 1 ? ` (and ${after.errors.length - 1} more)` : ''}` };
  const before = approved === undefined ? { lockfile: emptyLockfile() } : parseLockfile(approved);
  // An approved text that no longer reads pins nothing Warden can compare: any change is reviewed.
  if (!before.lockfile) return { ok: true, loosened: approved === proposed ? [] : [{ server: '*', what: 'lockfile', before: 'approved', after: 'changed' }] };
  return { ok: true, loosened: lockLoosenings(before.lockfile, after.lockfile, proposed === undefined) };
}

function lockLoosenings(before: Lockfile, after: Lockfile, removed: boolean): Loosening[] {
  const loosened: Loosening[] = [];
  for (const [server, was] of before.servers) {
    const is = after.servers.get(server);
    if (!is) {
      loosened.push({ server, what: 'pins', before: `${was.tools.size} ${was.tools.size === 1 ? 'tool' : 'tools'} pinned`, after: removed ? 'lockfile removed: not pinned' : 'entry removed: not pinned' });
      continue;
    }
    if (was.instructions !== is.instructions) loosened.push({ server, what: 'pinned instructions', before: was.instructions === undefined ? 'none' : 'pinned', after: is.instructions === undefined ? 'removed' : 'changed' });
    if (canonicalJson(was.serverInfo ?? null) !== canonicalJson(is.serverInfo ?? null)) loosened.push({ server, what: 'pinned serverInfo', before: infoText(was.serverInfo), after: infoText(is.serverInfo) });
    for (const [tool, pin] of is.tools) {
      const pinned = was.tools.get(tool);
      if (!pinned) loosened.push({ server, tool, what: 'pin', before: 'not pinned', after: 'pinned' });
      else if (pinned.sha256 !== pin.sha256) loosened.push({ server, tool, what: 'pin', before: 'pinned', after: `changed: ${changedFields(pinned.definition, pin.definition).join(', ')}` });
    }
  }
  return loosened;
}

function infoText(info: { name?: string; version?: string } | undefined): string {
  return info ? [info.name ?? '?', info.version ?? '?'].join(' ') : 'none';
}
