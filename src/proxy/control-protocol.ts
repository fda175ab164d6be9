// The editor <-> proxy control channel, version 2 (docs/control-protocol.md). Types only, so the
// editor's side can import them without pulling in the proxy.
//
// Transport: a local Unix domain socket (a named pipe on Windows) that the editor listens on; its
// path and a single-use ticket, issued for this one launch, reach the proxy in the environment.
// Messages are JSON objects, one per line (UTF-8, `\n`-terminated). The proxy speaks first
// (`hello` with the ticket, later with the resume secret the editor gave it); nothing else is sent
// or accepted before the editor's `welcome`. A proxy launched this way enforces only the policy text
// the editor sends (in `welcome`, then in `policy`): the last one a person approved, never the file.

export const CONTROL_PROTOCOL_VERSION = 3;
export const CONTROL_SOCKET_ENV = 'MCP_WARDEN_CONTROL_SOCKET';
export const CONTROL_TICKET_ENV = 'MCP_WARDEN_CONTROL_TICKET';
/**
 * How long a ticket can be redeemed after the editor issued it. The proxy starts after the ticket was
 * issued, so once it has waited this long for the editor's answer the ticket is dead in the editor too,
 * and the server the proxy starts next cannot redeem it.
 */
export const TICKET_LIFETIME_MS = 30_000;

export type ControlAction = 'allow' | 'ask' | 'deny';

export interface ControlRisk {
  category: 'read' | 'write' | 'execute' | 'destructive';
  level: 'low' | 'medium' | 'high' | 'critical';
  source: 'policy' | 'annotations' | 'name' | 'description' | 'default';
  warnings: string[];
}

/**
 * The largest message either side accepts. It must carry a tools report of the largest list a proxy
 * passes (32 MiB frames) and a policy with its lockfile; a line past it ends the connection.
 */
export const CONTROL_MAX_MESSAGE_BYTES = 48 * 1024 * 1024;
/** An approval request carries the call for a person to read: a larger call is denied, never shown. */
export const APPROVAL_MAX_MESSAGE_BYTES = 1024 * 1024;

// ---- proxy -> editor ----

export interface HelloMessage {
  type: 'hello';
  protocol: number;
  /** The single-use ticket from the environment: the first connection only. */
  ticket?: string;
  /** The secret of the last `welcome`: every reconnection. */
  resume?: string;
  /** The one server this proxy protects. */
  proxy: ProxyIdentity;
}

/**
 * A gateway's hello (`mcp-warden gateway`): `gateway` instead of `proxy`, otherwise the same. It serves
 * the servers the editor's `servers` messages name.
 */
export interface GatewayHelloMessage extends Omit<HelloMessage, 'proxy'> {
  gateway: GatewayIdentity;
}

export interface ProxyIdentity {
  pid: number;
  server: string;
  policy: string;
  version: string;
}

export interface GatewayIdentity {
  pid: number;
  policy: string;
  version: string;
  /** The gateway's listener, e.g. `http://127.0.0.1:41234`; each server is at `<url>/servers/<name>/mcp`. */
  url: string;
  /** The bearer token every request to the listener must carry; made by the gateway, never in argv or env. */
  token: string;
}

export interface ToolReport {
  name: string;
  description?: string;
  /** The annotations as the server sent them (before the proxy removed a `readOnlyHint`). */
  annotations?: Record<string, unknown>;
  /** The rest of the definition as listed, so the editor can show it against its pin and check it. */
  title?: string;
  inputSchema?: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  risk: ControlRisk;
  /** What the policy decides for a call with no arguments checked (dry run: no rate-limit count). */
  decision: ControlAction;
  hidden: boolean;
  rule: string | null;
  line: number | null;
  /** The tool against the lockfile's pins and its description findings (docs/pinning.md). */
  pin?: ToolPinReport;
}

export interface ToolPinReport {
  /** `unpinned`: the server is not pinned (or `pin: off`); `changed` and `new` are drift from the lockfile. */
  state: 'pinned' | 'unpinned' | 'changed' | 'new';
  /** For `changed`: the pinned fields that differ. */
  fields?: string[];
  /** It has an error-level description finding. */
  flagged: boolean;
  /** Left out of tools/list, and its calls refused with `reason`. */
  held: boolean;
  reason?: string;
}

export interface ToolsMessage {
  type: 'tools';
  server: string;
  session: string;
  tools: ToolReport[];
  /** The server's instructions and name/version from its `initialize` answer, as the lockfile pins them. */
  instructions?: string;
  serverInfo?: { name?: string; version?: string };
}

/** Where a call came from in the agent's client, as its `_meta` said (each a bounded string). */
export interface CallOrigin {
  /** `_meta["vscode.conversationId"]`: the chat conversation; `scope: session` limits count per conversation. */
  conversation?: string;
  /** `_meta["vscode.requestId"]`: the chat request that made the call. */
  request?: string;
  /** `_meta.traceparent`: the W3C trace context of the call. */
  traceparent?: string;
}

export interface DecisionMessage extends CallOrigin {
  type: 'decision';
  server: string;
  session: string;
  tool: string;
  decision: 'allow' | 'deny';
  policy: ControlAction;
  reason: string | null;
  rule: string | null;
  line: number | null;
  /** The audit line's keyed digest of the arguments, when the proxy writes an audit log. */
  argsHmac?: string;
  latencyMs: number;
  time: string;
  approval?: { by: string; answer: string };
}

export interface ControlDiagnostic {
  /** One-based, as shown to users. */
  line: number;
  column: number;
  severity: 'error' | 'warning' | 'info';
  code: string;
  message: string;
}

export interface PolicyMessage {
  type: 'policy';
  server: string;
  /**
   * `loaded`: a policy is enforced as written; `invalid`: it has errors; `missing`: there is none to read
   * (the file, or for a proxy the editor launched, the approved policy the editor has not sent).
   */
  status: 'loaded' | 'invalid' | 'missing';
  file: string;
  /** For `invalid` and `missing`: true when an earlier good policy is still enforced. */
  keptLastGood?: boolean;
  diagnostics?: ControlDiagnostic[];
}

export interface UpstreamMessage {
  type: 'upstream';
  server: string;
  session: string;
  event: 'started' | 'exited' | 'failed';
  detail?: string;
}

/** A line of the proxy's own log (what it also writes to stderr), for the editor's log channel. */
export interface LogMessage {
  type: 'log';
  server: string;
  level: 'info' | 'warn' | 'error';
  message: string;
}

export interface ApprovalRequestMessage extends CallOrigin {
  type: 'approval-request';
  /** Unique within this connection; echoed by the answer. */
  id: string;
  server: string;
  session: string;
  tool: string;
  /** The call's exact arguments: an approval covers these only. */
  arguments: unknown;
  risk: ControlRisk;
  reason: string | null;
  rule: string | null;
  line: number | null;
  /** The proxy denies the call when no answer arrives in this time. */
  timeoutMs: number;
}

/** The proxy stopped waiting (timeout, or the agent cancelled the call): the editor may close its prompt. */
export interface ApprovalCancelMessage {
  type: 'approval-cancel';
  id: string;
  reason: string;
}

export type ProxyToEditor =
  | HelloMessage
  | ToolsMessage
  | DecisionMessage
  | PolicyMessage
  | UpstreamMessage
  | LogMessage
  | ApprovalRequestMessage
  | ApprovalCancelMessage;

// ---- editor -> proxy ----

export interface WelcomeMessage {
  type: 'welcome';
  protocol: number;
  /** A fresh secret for this proxy's next reconnection (each welcome replaces the last one). */
  resume: string;
  /**
   * The approved policy for the file the proxy's hello named, when the editor has one. Without it the
   * proxy refuses every call until a `policy` message arrives.
   */
  policy?: {
    text: string;
    /** The approved lockfile beside the policy (its pinned tool definitions); absent: none, nothing is pinned. */
    lock?: string;
  };
  /** To a gateway: the servers to serve, as in a `servers` message. */
  servers?: ServedServer[];
}

/** The approved policy for the proxy's file changed: the proxy enforces `text` from its next call on. */
export interface ApprovedPolicyMessage {
  type: 'policy';
  text: string;
  /** The approved lockfile beside the policy; absent: none, nothing is pinned. The proxy never reads it from disk. */
  lock?: string;
}

/** A ticket or secret not accepted, or an unsupported version: the editor closes the connection after sending it. */
export interface RefusedMessage {
  type: 'refused';
  reason: string;
  /** The versions the editor speaks, when the version was the problem. */
  protocols?: number[];
}

export interface ApprovalResponseMessage {
  type: 'approval-response';
  id: string;
  approved: boolean;
  /** Shown to the agent when the call is denied. */
  reason?: string;
}

/**
 * How the gateway starts one server, fully resolved by the editor (inputs, `${env:…}`, envFile): a command
 * (its `env` set, or with null unset, on top of the gateway's own environment) or a URL.
 */
export type ServedLaunch =
  | { command: string; args?: string[]; env?: Record<string, string | null>; cwd?: string }
  | { url: string; headers?: Record<string, string> };

export interface ServedServer {
  /** The server's name in the policy (`servers: NAME:`); served at `/servers/<name>/mcp`. */
  name: string;
  launch: ServedLaunch;
}

/**
 * To a gateway: the servers it serves from now on, all of them. A server not named is no longer served
 * (404, its open sessions closed); a server whose launch changed has its open sessions closed, and new
 * sessions start the new launch.
 */
export interface ServersMessage {
  type: 'servers';
  servers: ServedServer[];
}

export type EditorToProxy = WelcomeMessage | RefusedMessage | ApprovedPolicyMessage | ApprovalResponseMessage | ServersMessage;
