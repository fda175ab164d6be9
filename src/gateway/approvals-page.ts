// `/approvals` on a team's gateway: the page (static, public: it asks for the person's token) and its two
// requests, which pass the listener's identity check like any other: `GET /approvals/api/pending` lists
// the calls waiting that this caller may answer (the policy's `approvers` for each call's server), and
// `POST /approvals/api/answer` {id, approved, session?} answers one (`session: true`: "Allow for this
// session", kept as a grant by the waiting instance). The queue is the team's state, so any instance's
// page answers any instance's call; the first answer wins.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mayApprove } from '../policy/approvers';
import type { Policy } from '../policy/model';
import type { ApprovalQueue } from '../team/state';
import { requestPrincipal } from '../proxy/request-principal';
import { visibleJson, visibleName, visibleText } from '../proxy/visible-text';
import { APPROVALS_CSS, APPROVALS_HTML, APPROVALS_JS } from './approvals-assets';

/** What a browser may load without a token: the page and its own files. */
export const APPROVALS_PUBLIC_PATHS: ReadonlySet<string> = new Set(['/approvals', '/approvals/app.js', '/approvals/app.css']);

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'none'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";
const MAX_ANSWER_BYTES = 4096;

/** Headers on every answer of the page: no framing (clickjacking), no sniffing, nothing cached or referred. */
function secured(type: string): Record<string, string> {
  return {
    'content-type': type,
    'content-security-policy': CSP,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
    'cross-origin-resource-policy': 'same-origin',
  };
}

export class ApprovalsPage {
  constructor(
    private readonly queue: ApprovalQueue,
    /** The policy enforced now (its approvers), or undefined when none is: then nobody may answer. */
    private readonly policy: () => Policy | undefined,
    private readonly log: (message: string) => void,
  ) {}

  async handle(path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const assets: Record<string, [string, string]> = {
      '/approvals': ['text/html; charset=utf-8', APPROVALS_HTML],
      '/approvals/app.js': ['text/javascript; charset=utf-8', APPROVALS_JS],
      '/approvals/app.css': ['text/css; charset=utf-8', APPROVALS_CSS],
    };
    const asset = assets[path];
    if (asset) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return this.send(res, 405, { message: 'Method not allowed' }, { allow: 'GET, HEAD' });
      res.writeHead(200, { ...secured(asset[0]), 'content-length': Buffer.byteLength(asset[1]) });
      return void res.end(req.method === 'HEAD' ? undefined : asset[1]);
    }
    const principal = requestPrincipal(req);
    if (!principal) return this.send(res, 403, { message: 'Forbidden: the approvals page needs a team identity (--tokens or OIDC)' });
    if (path === '/approvals/api/pending') {
      if (req.method !== 'GET') return this.send(res, 405, { message: 'Method not allowed' }, { allow: 'GET' });
      return this.pending(res, principal);
    }
    if (path === '/approvals/api/answer') {
      if (req.method !== 'POST') return this.send(res, 405, { message: 'Method not allowed' }, { allow: 'POST' });
      return this.answer(req, res, principal);
    }
    return this.send(res, 404, { message: `Not found: ${path} is not a path of the approvals page` });
  }

  private async pending(res: ServerResponse, principal: { name: string; groups: readonly string[] }): Promise<void> {
    const policy = this.policy();
    let waiting;
    try {
      waiting = await this.queue.list();
    } catch (error) {
      return this.send(res, 503, { message: `the pending calls cannot be read: ${(error as Error).message}` });
    }
    const pending = waiting
      .filter((p) => policy !== undefined && mayApprove(policy, String(p.request.server), principal) && !ownCall(p.request, principal))
      .map((p) => ({
        id: p.id,
        server: p.request.server,
        tool: p.request.tool,
        risk: p.request.risk,
        caller: p.request.caller ?? null,
        reason: p.request.reason ?? null,
        arguments: p.request.arguments ?? {},
        /** The asking instance keeps a grant if the answer is "for this session". */
        sessionGrant: p.request.sessionGrant === true,
        createdAt: p.createdAt,
        expiresAt: p.expiresAt,
        shown: shownOf(p.request),
      }));
    return this.send(res, 200, { you: { name: principal.name, groups: principal.groups }, now: Date.now(), pending });
  }

  private async answer(req: IncomingMessage, res: ServerResponse, principal: { name: string; groups: readonly string[] }): Promise<void> {
    // JSON only: a form another site could post has no such content type (and no Authorization header).
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) return this.send(res, 415, { message: 'Unsupported Media Type: send {"id", "approved"} as application/json' });
    const body = await readSmall(req);
    const parsed = parseAnswer(body);
    if (typeof parsed === 'string') return this.send(res, 400, { message: `Bad Request: ${parsed}` });
    let call;
    try {
      call = (await this.queue.list()).find((p) => p.id === parsed.id);
    } catch (error) {
      return this.send(res, 503, { message: `the call cannot be answered now: ${(error as Error).message}` });
    }
    if (!call) return this.send(res, 409, { message: 'This call is no longer waiting: it was answered, withdrawn or expired' });
    const policy = this.policy();
    const server = String(call.request.server);
    if (!policy || !mayApprove(policy, server, principal)) {
      this.log(`approvals: ${principal.name} may not answer calls to "${server}" (the policy's approvers); refused`);
      return this.send(res, 403, { message: `Forbidden: "${principal.name}" is not among the approvers of calls to "${server}"` });
    }
    // Four eyes: a caller's token may be where its agent can read it, so the caller never answers its own call.
    if (ownCall(call.request, principal)) {
      this.log(`approvals: ${principal.name} may not answer their own call to "${server}"; refused`);
      return this.send(res, 403, { message: `Forbidden: "${principal.name}" made this call; another approver must answer it` });
    }
    if (parsed.session && call.request.sessionGrant !== true) return this.send(res, 400, { message: 'Bad Request: this call cannot be allowed for its session (its caller has no identity); approve it once' });
    let taken: boolean;
    try {
      taken = await this.queue.answer(parsed.id, { approved: parsed.approved, by: principal.name, ...(parsed.session ? { forSession: true } : {}) });
    } catch (error) {
      return this.send(res, 503, { message: `the call cannot be answered now: ${(error as Error).message}` });
    }
    if (!taken) return this.send(res, 409, { message: 'This call is no longer waiting: it was answered, withdrawn or expired' });
    const how = parsed.session ? 'allowed for the session' : parsed.approved ? 'approved' : 'denied';
    this.log(`approvals: ${principal.name} ${how} ${server}/${String(call.request.tool)} (${parsed.id})`);
    return this.send(res, 200, { taken: true });
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { ...secured('application/json'), ...headers, 'content-length': Buffer.byteLength(text) }).end(text);
  }
}

/**
 * What the page shows of a call: every character visible (hidden ones escaped), as the editor's approval
 * shows it, so what an approver reads is what the call does (an agent's bidi override or zero-width
 * space would otherwise make an argument read as another).
 */
/** Whether the call was made by the one who would answer it. */
function ownCall(request: Record<string, unknown>, principal: { name: string }): boolean {
  return (request.caller as { name?: unknown } | null | undefined)?.name === principal.name;
}

function shownOf(request: Record<string, unknown>): { server: string; tool: string; caller: string | null; reason: string | null; arguments: string } {
  const caller = (request.caller as { name?: unknown } | null | undefined)?.name;
  return {
    server: visibleName(String(request.server)),
    tool: visibleName(String(request.tool)),
    caller: typeof caller === 'string' ? visibleName(caller) : null,
    reason: typeof request.reason === 'string' ? visibleText(request.reason) : null,
    arguments: visibleJson(request.arguments ?? {}) ?? '(the arguments cannot be written as JSON)',
  };
}

function parseAnswer(text: string | undefined): { id: string; approved: boolean; session: boolean } | string {
  if (text === undefined) return `the body must be at most ${MAX_ANSWER_BYTES} bytes`;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'the body is not JSON';
  }
  const { id, approved, session = false } = (value ?? {}) as { id?: unknown; approved?: unknown; session?: unknown };
  if (typeof id !== 'string' || id === '' || typeof approved !== 'boolean' || typeof session !== 'boolean') return 'expected {"id": "…", "approved": true | false, "session"?: true | false}';
  if (session && !approved) return '"session": true goes with "approved": true (a denial is for one call)';
  return { id, approved, session };
}

function readSmall(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_ANSWER_BYTES) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
