// The editor's side of one control-channel connection (docs/control-protocol.md): newline-delimited JSON,
// `hello` checked for the protocol version and admitted by its ticket or resume secret, then the proxy's
// reports handed on. The welcome carries the approved policy of the proxy's file (with its approved
// lockfile), and `sendPolicy` each later one. No sockets here: the caller feeds received text in and writes
// out what `send` is given.
import { describeBytes } from '../proxy/regular-file';
import type { Admission, Presented } from './control-credentials';
import type { ApprovedTexts } from './control-policies';
import {
  CONTROL_MAX_MESSAGE_BYTES,
  CONTROL_PROTOCOL_VERSION,
  type ApprovalCancelMessage,
  type ApprovalRequestMessage,
  type DecisionMessage,
  type EditorToProxy,
  type GatewayHelloMessage,
  type HelloMessage,
  type LogMessage,
  type PolicyMessage,
  type ProxyToEditor,
  type ServedServer,
  type ToolsMessage,
  type UpstreamMessage,
} from '../proxy/control-protocol';

export const MAX_MESSAGE_BYTES = CONTROL_MAX_MESSAGE_BYTES;
/** A hello is a few hundred bytes; a line this long before one is welcomed ends the connection. */
export const MAX_HELLO_BYTES = 64 * 1024;
export const SPOKEN_PROTOCOLS = [CONTROL_PROTOCOL_VERSION];

/** Who spoke: a proxy of one `server`, or a gateway (`server` empty: each of its messages names its server). */
export type ProxyIdentity = HelloMessage['proxy'] & { gateway?: GatewayEndpoint };

/** Where a gateway listens and the bearer token it made for its listener (kept in memory, never logged). */
export interface GatewayEndpoint {
  url: string;
  token: string;
}

/** The holder name a gateway's ticket is issued to and its hello presents; a proxy's hello may not use it. */
export const GATEWAY_HOLDER = '\u0000gateway';

/** What a welcomed proxy reports. Each handler gets the proxy's identity from its `hello`. */
export interface ControlHandlers {
  welcomed?(proxy: ProxyIdentity): void;
  tools?(message: ToolsMessage, proxy: ProxyIdentity): void;
  decision?(message: DecisionMessage, proxy: ProxyIdentity): void;
  policy?(message: PolicyMessage, proxy: ProxyIdentity): void;
  upstream?(message: UpstreamMessage, proxy: ProxyIdentity): void;
  log?(message: LogMessage, proxy: ProxyIdentity): void;
  approvalRequest?(message: ApprovalRequestMessage, proxy: ProxyIdentity): void;
  approvalCancel?(message: ApprovalCancelMessage, proxy: ProxyIdentity): void;
  /** A connection was refused or broke the protocol; `reason` says why (never a ticket or secret). */
  rejected?(reason: string): void;
  /** A genuine credential was presented a second time: some process holds a copy it must not have. */
  alarm?(message: string): void;
  closed?(proxy: ProxyIdentity | undefined): void;
}

export interface ConnectionIo {
  send(line: string): void;
  /** Ends the connection once what was sent has been written. */
  end(): void;
}

type State = 'awaiting-hello' | 'open' | 'closed';

export class ControlConnection {
  private state: State = 'awaiting-hello';
  private buffered = '';
  private identity: ProxyIdentity | undefined;

  constructor(
    /** Decides whether a hello's ticket or resume secret admits this connection. */
    private readonly admit: (presented: Presented) => Admission,
    private readonly io: ConnectionIo,
    private handlers: ControlHandlers = {},
    /** The approved policy text of a file (and its approved lockfile), for the welcome (undefined: none yet). */
    private readonly approvedPolicy: (file: string) => string | ApprovedTexts | undefined = () => undefined,
  ) {}

  /** Sets the handlers (for callers that need the connection to build them). */
  use(handlers: ControlHandlers): void {
    this.handlers = handlers;
  }

  get proxy(): ProxyIdentity | undefined {
    return this.identity;
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** Text as it arrived from the socket (any chunking). */
  receive(chunk: string): void {
    if (this.state === 'closed') return;
    // Only the new text is searched for a line's end: a long message arriving in many chunks costs linear time.
    let newline = chunk.indexOf('\n');
    if (newline !== -1) newline += this.buffered.length;
    this.buffered += chunk;
    for (; newline !== -1; newline = this.buffered.indexOf('\n')) {
      const line = this.buffered.slice(0, newline);
      this.buffered = this.buffered.slice(newline + 1);
      if (line.trim()) this.line(line);
      // A refused hello closes the connection: whatever follows it is not read.
      if ((this.state as State) === 'closed') return;
    }
    // A UTF-16 length never exceeds the UTF-8 one: over the limit in characters is over it in bytes. Until
    // a hello is welcomed nothing large is expected: an unproven peer cannot make the editor hold 48 MiB.
    const limit = this.state === 'open' ? MAX_MESSAGE_BYTES : MAX_HELLO_BYTES;
    if (this.buffered.length > limit) this.fail(`a message over ${describeBytes(limit)}`);
  }

  /** Answers an approval request of this proxy. */
  respond(id: string, approved: boolean, reason?: string): void {
    if (this.state !== 'open') return;
    this.write(approved ? { type: 'approval-response', id, approved: true } : { type: 'approval-response', id, approved: false, ...(reason ? { reason } : {}) });
  }

  /** Sends the proxy the policy it enforces from now on (once welcomed; the welcome carries the one before). */
  sendPolicy(text: string, lock?: string): void {
    if (this.state !== 'open') return;
    this.write(lock === undefined ? { type: 'policy', text } : { type: 'policy', text, lock });
  }

  /** Tells a gateway which servers it serves from now on, all of them (each fully resolved). */
  sendServers(servers: readonly ServedServer[]): void {
    if (this.state !== 'open' || !this.identity?.gateway) return;
    this.write({ type: 'servers', servers: [...servers] });
  }

  /** The socket closed. */
  closed(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.handlers.closed?.(this.identity);
  }

  private line(line: string): void {
    let message: ProxyToEditor;
    try {
      message = JSON.parse(line) as ProxyToEditor;
    } catch {
      if (this.state === 'awaiting-hello') this.fail('a first message that is not JSON');
      return;
    }
    if (!message || typeof message !== 'object') return;
    if (this.state === 'awaiting-hello') {
      this.hello(message);
      return;
    }
    const proxy = this.identity!;
    switch (message.type) {
      case 'tools':
        return this.handlers.tools?.(message, proxy);
      case 'decision':
        return this.handlers.decision?.(message, proxy);
      case 'policy':
        return this.handlers.policy?.(message, proxy);
      case 'upstream':
        return this.handlers.upstream?.(message, proxy);
      case 'log':
        return this.handlers.log?.(message, proxy);
      case 'approval-request':
        return this.handlers.approvalRequest?.(message, proxy);
      case 'approval-cancel':
        return this.handlers.approvalCancel?.(message, proxy);
      default:
        // Unknown types are ignored, so a newer proxy can add messages without breaking this editor.
        return;
    }
  }

  private hello(message: ProxyToEditor): void {
    if (message.type !== 'hello') return this.fail(`"${String((message as { type?: unknown }).type)}" before hello`);
    if (message.protocol !== CONTROL_PROTOCOL_VERSION) {
      return this.refuse({ type: 'refused', reason: 'unsupported protocol version', protocols: SPOKEN_PROTOCOLS }, `protocol ${String(message.protocol)}`);
    }
    if ('gateway' in message && !('proxy' in message)) return this.gatewayHello(message as GatewayHelloMessage);
    const proxy = message.proxy;
    if (proxy?.server === GATEWAY_HOLDER) return this.refuse({ type: 'refused', reason: 'hello without a proxy description' }, 'a proxy hello in the name of a gateway');
    if (!proxy || typeof proxy.server !== 'string') return this.refuse({ type: 'refused', reason: 'hello without a proxy description' }, 'a hello without a server');
    const admission = this.admit({ ticket: message.ticket, resume: message.resume, server: proxy.server, pid: Number(proxy.pid) });
    if (!admission.admitted) {
      if (admission.alarm) this.handlers.alarm?.(admission.alarm);
      return this.refuse({ type: 'refused', reason: admission.reason }, `${admission.reason} (a hello for "${proxy.server}", pid ${String(proxy.pid)})`);
    }
    this.open(admission.resume, { pid: Number(proxy.pid), server: proxy.server, policy: String(proxy.policy ?? ''), version: String(proxy.version ?? '') });
  }

  /** A gateway's hello: admitted like a proxy's, by a ticket issued to GATEWAY_HOLDER; it must say where it listens. */
  private gatewayHello(message: GatewayHelloMessage): void {
    const gateway = message.gateway;
    const endpoint = gateway && typeof gateway === 'object' ? loopbackEndpoint(gateway.url, gateway.token) : undefined;
    if (!endpoint) return this.refuse({ type: 'refused', reason: 'hello without a gateway description' }, 'a gateway hello without a loopback url and a token');
    const admission = this.admit({ ticket: message.ticket, resume: message.resume, server: GATEWAY_HOLDER, pid: Number(gateway.pid) });
    if (!admission.admitted) {
      if (admission.alarm) this.handlers.alarm?.(admission.alarm);
      return this.refuse({ type: 'refused', reason: admission.reason }, `${admission.reason} (a gateway hello, pid ${String(gateway.pid)})`);
    }
    this.open(admission.resume, { pid: Number(gateway.pid), server: '', policy: String(gateway.policy ?? ''), version: String(gateway.version ?? ''), gateway: endpoint });
  }

  private open(resume: string, identity: ProxyIdentity): void {
    this.identity = identity;
    this.state = 'open';
    const approved = this.approvedPolicy(this.identity.policy);
    const policy = typeof approved === 'string' ? { text: approved } : approved;
    this.write({ type: 'welcome', protocol: CONTROL_PROTOCOL_VERSION, resume, ...(policy !== undefined ? { policy } : {}) });
    this.handlers.welcomed?.(this.identity);
  }

  private refuse(message: EditorToProxy, why: string): void {
    this.write(message);
    this.handlers.rejected?.(`refused a proxy: ${why}`);
    this.state = 'closed';
    this.io.end();
  }

  private fail(why: string): void {
    this.handlers.rejected?.(`closed a control connection: ${why}`);
    this.state = 'closed';
    this.io.end();
  }

  private write(message: EditorToProxy): void {
    this.io.send(JSON.stringify(message) + '\n');
  }
}

/** A gateway's endpoint when its url is plain http on a loopback address and its token a non-empty string. */
function loopbackEndpoint(url: unknown, token: unknown): GatewayEndpoint | undefined {
  if (typeof url !== 'string' || typeof token !== 'string' || token.length < 16) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const loopback = parsed.hostname === '127.0.0.1' || parsed.hostname === '[::1]' || parsed.hostname === 'localhost';
  if (parsed.protocol !== 'http:' || !loopback || parsed.username || parsed.password || (parsed.pathname !== '/' && parsed.pathname !== '')) return undefined;
  return { url: parsed.origin, token };
}
