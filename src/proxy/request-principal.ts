// Who sent a request, as the listener's guard identified it (a team's gateway with identities): kept
// beside the request, so an endpoint can bind a session to the caller that opened it and check every
// later request of that session against it.
import type { IncomingMessage } from 'node:http';
import type { Principal } from '../policy/model';

const principals = new WeakMap<IncomingMessage, Principal>();

export function setRequestPrincipal(req: IncomingMessage, principal: Principal): void {
  principals.set(req, principal);
}

/** The caller of a request; undefined where the listener has no identities (one bearer token). */
export function requestPrincipal(req: IncomingMessage): Principal | undefined {
  return principals.get(req);
}

/** Who owns a session: the caller's name ('' without identities; no principal's name is empty). */
export function ownerOf(principal: Principal | undefined): string {
  return principal?.name ?? '';
}
