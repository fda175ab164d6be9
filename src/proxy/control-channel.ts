// The proxy's side of the control channel: connects to the editor's socket, is admitted with the
// single-use ticket of its launch, reports tools, decisions, policy and upstream events, and asks for
// approvals, and hands on the approved policy the editor sends (in its welcome, then in `policy` messages).
// It reconnects with backoff when the editor goes away, admitted then by the resume secret of
// the last welcome (kept in memory only); while it is not connected, events are dropped (the latest
// tools and policy reports are resent after the next welcome) and approvals go to the next approver.
//
// `admitted` settles once the ticket can no longer be redeemed by anyone: the editor took it (welcome),
// refused it, is not listening, or the ticket's lifetime has passed. The proxy starts its server only
// then, so the server, which can read the proxy's initial environment in /proc, finds a dead ticket.
import { connect, type Socket } from 'node:net';
import {
  APPROVAL_MAX_MESSAGE_BYTES,
  CONTROL_MAX_MESSAGE_BYTES,
  CONTROL_PROTOCOL_VERSION,
  CONTROL_SOCKET_ENV,
  CONTROL_TICKET_ENV,
  TICKET_LIFETIME_MS,
  type ApprovalRequestMessage,
  type EditorToProxy,
  type GatewayHelloMessage,
  type GatewayIdentity,
  type HelloMessage,
  type PolicyMessage,
  type ProxyIdentity,
  type ProxyToEditor,
  type ServedServer,
  type ToolsMessage,
} from './control-protocol';

export interface ControlChannelOptions {
  socketPath: string;
  /** The single-use ticket the editor issued for this launch. */
  ticket: string;
  /** Who this is: a proxy (`proxy`) or a gateway (`gateway`), as its hello says. */
  proxy?: ProxyIdentity;
  gateway?: GatewayIdentity;
  log: (message: string) => void;
  /** How long to wait for the editor's first answer; never less than the editor's ticket lifetime. */
  ticketLifetimeMs?: number;
}

/** `unshowable`: the request was too large for the channel, so the editor was not asked. */
export type EditorAnswer = { approved: true } | { approved: false; reason: string; unshowable?: true };

const BACKOFF_MS = [250, 500, 1000, 2000, 5000, 10000, 30000];
/** Connection errors that mean nothing listens at the socket: the editor that issued the ticket is gone. */
const NOBODY_LISTENS = new Set(['ENOENT', 'ECONNREFUSED']);

export class ControlChannel {
  private socket: Socket | undefined;
  private welcomed = false;
  private closed = false;
  private attempts = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private nextId = 1;
  private readonly pending = new Map<string, (answer: EditorAnswer) => void>();
  private readonly latestTools = new Map<string, ToolsMessage>();
  /** The latest policy report of each server (a gateway reports one per server it serves). */
  private readonly latestPolicy = new Map<string, PolicyMessage>();
  /** The launch's ticket until the editor has answered it; then nothing proves this proxy but `resume`. */
  private ticket: string | undefined;
  /** The secret of the last welcome, for the next reconnection; in memory only. */
  private resume: string | undefined;
  private deadline: NodeJS.Timeout | undefined;
  private settle: ((admitted: boolean, why?: string) => void) | undefined;
  /** True once welcomed; false when the ticket was refused, nobody listens, or its lifetime passed. */
  readonly admitted: Promise<boolean>;
  /** Why the editor did not admit this proxy, once `admitted` resolved false. */
  notAdmitted: string | undefined;
  /**
   * Gets the approved policy text the editor sent; `undefined` when a welcome carried none. Called before
   * the reports that follow a welcome are sent, so they describe the policy it brought.
   */
  onPolicy: ((text: string | undefined, lock?: string) => void) | undefined;
  /** A gateway's served set from the editor (a `servers` message, or the `servers` of a welcome). */
  onServers: ((servers: ServedServer[]) => void) | undefined;
  /** The editor, after admitting this proxy, refused it for good: no later policy can arrive. */
  onLost: ((why: string) => void) | undefined;

  constructor(private readonly options: ControlChannelOptions) {
    this.ticket = options.ticket;
    this.admitted = new Promise<boolean>((resolve) => {
      this.settle = (admitted, why) => {
        this.settle = undefined;
        if (!admitted) this.notAdmitted = why ?? 'the channel was closed';
        this.ticket = undefined;
        if (this.deadline) clearTimeout(this.deadline);
        this.deadline = undefined;
        resolve(admitted);
      };
    });
  }

  /**
   * A channel when the environment names one; undefined otherwise (or half-configured, with a warning).
   * The ticket is removed from `env`, so nothing this process starts later is given it.
   */
  static fromEnv(env: NodeJS.ProcessEnv, identity: ProxyIdentity | { gateway: GatewayIdentity }, log: (message: string) => void): ControlChannel | undefined {
    const socketPath = env[CONTROL_SOCKET_ENV];
    const ticket = env[CONTROL_TICKET_ENV];
    delete env[CONTROL_TICKET_ENV];
    if (!socketPath && !ticket) return undefined;
    if (!socketPath || !ticket) {
      log(`control channel ignored: set both ${CONTROL_SOCKET_ENV} and ${CONTROL_TICKET_ENV}`);
      return undefined;
    }
    const who = 'gateway' in identity ? { gateway: identity.gateway } : { proxy: identity };
    return new ControlChannel({ socketPath, ticket, ...who, log });
  }

  /** True once the editor has accepted this proxy. */
  get ready(): boolean {
    return this.welcomed;
  }

  start(): void {
    if (this.closed || this.socket) return;
    if (this.settle && !this.deadline) {
      // Not unref'd: the proxy waits on `admitted` before anything else keeps it alive.
      const lifetimeMs = this.options.ticketLifetimeMs ?? TICKET_LIFETIME_MS;
      this.deadline = setTimeout(() => {
        this.options.log(`control channel: the editor did not answer within ${lifetimeMs / 1000} s; running without it`);
        this.settle?.(false, `the editor did not answer within ${lifetimeMs / 1000} s`);
        this.stopForGood();
      }, lifetimeMs);
    }
    const credential = this.ticket !== undefined ? { ticket: this.ticket } : this.resume !== undefined ? { resume: this.resume } : undefined;
    if (!credential) return this.stopForGood();
    const socket = connect(this.options.socketPath);
    this.socket = socket;
    socket.unref();
    socket.setEncoding('utf8');
    let buffered = '';
    socket.on('connect', () => {
      const who = this.options.gateway ? { gateway: this.options.gateway } : { proxy: this.options.proxy! };
      const hello: HelloMessage | GatewayHelloMessage = { type: 'hello', protocol: CONTROL_PROTOCOL_VERSION, ...credential, ...who };
      socket.write(JSON.stringify(hello) + '\n');
    });
    socket.on('data', (chunk: string) => {
      // Only the new text is searched for a line's end: a long message in many chunks costs linear time.
      let newline = chunk.indexOf('\n');
      if (newline !== -1) newline += buffered.length;
      buffered += chunk;
      for (; newline !== -1; newline = buffered.indexOf('\n')) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line.trim()) this.receive(line);
      }
      if (buffered.length > CONTROL_MAX_MESSAGE_BYTES) {
        this.options.log('control channel: message too large from the editor; reconnecting');
        socket.destroy();
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (this.attempts === 0) this.options.log(`control channel: cannot reach the editor at ${this.options.socketPath} (${error.code ?? error.message})`);
      // Nobody can redeem the ticket of an editor that no longer listens: no use waiting for it.
      if (this.settle && NOBODY_LISTENS.has(error.code ?? '')) {
        this.settle(false, `nothing listens at ${this.options.socketPath} (${error.code})`);
        this.stopForGood();
      }
    });
    socket.on('close', () => this.disconnected());
  }

  private receive(line: string): void {
    let message: EditorToProxy;
    try {
      message = JSON.parse(line) as EditorToProxy;
    } catch {
      this.options.log('control channel: ignored a line that is not JSON');
      return;
    }
    switch (message?.type) {
      case 'welcome':
        if (message.protocol !== CONTROL_PROTOCOL_VERSION) {
          this.options.log(`control channel: the editor speaks protocol ${message.protocol}, this proxy ${CONTROL_PROTOCOL_VERSION}; not using it`);
          this.lostForGood(`the editor speaks protocol ${String(message.protocol)}, this proxy ${CONTROL_PROTOCOL_VERSION}`);
          return;
        }
        if (typeof message.resume === 'string' && message.resume !== '') this.resume = message.resume;
        this.onPolicy?.(typeof message.policy?.text === 'string' ? message.policy.text : undefined, lockText(message.policy?.lock));
        if (message.servers !== undefined) this.servers(message.servers);
        this.welcomed = true;
        this.attempts = 0;
        this.settle?.(true);
        for (const policy of this.latestPolicy.values()) this.write(policy);
        for (const tools of this.latestTools.values()) this.write(tools);
        return;
      case 'refused':
        this.options.log(`control channel: the editor refused this proxy: ${message.reason}`);
        if (message.reason === 'ticket already used' && this.settle) {
          this.options.log('control channel: unless an earlier connection of this proxy dropped before the editor answered it, another process presented this proxy\'s ticket first and may be speaking for Warden; the editor has warned the user');
        }
        this.lostForGood(`the editor refused it: ${String(message.reason)}`);
        return;
      case 'policy':
        if (!this.welcomed) return;
        if (typeof message.text === 'string') this.onPolicy?.(message.text, lockText(message.lock));
        else this.options.log('control channel: ignored a policy message without a text');
        return;
      case 'servers':
        if (this.welcomed) this.servers(message.servers);
        return;
      case 'approval-response': {
        const resolve = this.pending.get(message.id);
        if (!resolve) return;
        this.pending.delete(message.id);
        resolve(message.approved === true ? { approved: true } : { approved: false, reason: message.reason || 'declined in the editor' });
        return;
      }
      default:
        // Unknown types are ignored so a newer editor can add messages without breaking this proxy.
        return;
    }
  }

  /** Sends an event when connected; tools and policy reports are also kept to resend after a reconnect. */
  send(message: ProxyToEditor): void {
    if (message.type === 'tools') this.latestTools.set(message.session, message);
    if (message.type === 'policy') this.latestPolicy.set(message.server, message);
    if (this.welcomed) this.write(message);
  }

  /** Forgets the policy report kept for a server no longer served. */
  forgetServer(server: string): void {
    this.latestPolicy.delete(server);
  }

  private servers(servers: unknown): void {
    if (!this.onServers) return;
    if (!Array.isArray(servers)) {
      this.options.log('control channel: ignored a servers message whose servers is not a list');
      return;
    }
    this.onServers(servers as ServedServer[]);
  }

  /** Forgets what was kept for a session that ended. */
  endSession(session: string): void {
    this.latestTools.delete(session);
  }

  /** Asks the editor; resolves when it answers, disconnects, or `signal` aborts (then the prompt is withdrawn). */
  requestApproval(request: Omit<ApprovalRequestMessage, 'type' | 'id'>, signal: AbortSignal): Promise<EditorAnswer> {
    const id = String(this.nextId++);
    // A call too large for a person to read in a prompt is denied, not sent.
    const bytes = Buffer.byteLength(JSON.stringify({ type: 'approval-request', id, ...request }));
    if (bytes > APPROVAL_MAX_MESSAGE_BYTES) {
      return Promise.resolve({
        approved: false,
        unshowable: true,
        reason: `the call is too large to send to the editor for approval (${bytes} bytes; an approval request carries at most ${APPROVAL_MAX_MESSAGE_BYTES}), so it was not asked`,
      });
    }
    return new Promise<EditorAnswer>((resolve) => {
      const onAbort = (): void => {
        if (!this.pending.delete(id)) return;
        this.write({ type: 'approval-cancel', id, reason: String(signal.reason ?? 'cancelled') });
        resolve({ approved: false, reason: String(signal.reason ?? 'cancelled') });
      };
      this.pending.set(id, (answer) => {
        signal.removeEventListener('abort', onAbort);
        resolve(answer);
      });
      signal.addEventListener('abort', onAbort, { once: true });
      this.write({ type: 'approval-request', id, ...request });
    });
  }

  private write(message: ProxyToEditor): void {
    if (this.socket && !this.socket.destroyed) this.socket.write(JSON.stringify(message) + '\n');
  }

  private disconnected(): void {
    const wasWelcomed = this.welcomed;
    this.socket = undefined;
    this.welcomed = false;
    for (const resolve of this.pending.values()) resolve({ approved: false, reason: 'the editor disconnected before answering' });
    this.pending.clear();
    if (this.closed) return;
    if (wasWelcomed) this.options.log('control channel: the editor disconnected; reconnecting');
    const delay = BACKOFF_MS[Math.min(this.attempts, BACKOFF_MS.length - 1)];
    this.attempts++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.start();
    }, delay);
    this.retryTimer.unref();
  }

  /** The editor will not have this proxy: before admission, that is the answer; after it, the policy's source is gone. */
  private lostForGood(why: string): void {
    if (this.settle) this.settle(false, why);
    else this.onLost?.(why);
    this.stopForGood();
  }

  private stopForGood(): void {
    this.closed = true;
    this.settle?.(false);
    this.socket?.destroy();
  }

  close(): void {
    this.closed = true;
    this.settle?.(false);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.socket?.end();
    this.socket?.destroy();
  }
}

/** The approved lockfile's text in a policy message; anything but a string is no lockfile. */
function lockText(lock: unknown): string | undefined {
  return typeof lock === 'string' ? lock : undefined;
}
