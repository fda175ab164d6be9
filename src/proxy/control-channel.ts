// The proxy's side of the control channel: connects to the editor's socket, authenticates with the
// token, reports tools, decisions, policy and upstream events, and asks for approvals. It reconnects
// with backoff when the editor goes away; while it is not connected, events are dropped (the latest
// tools and policy reports are resent after the next welcome) and approvals go to the next approver.
import { connect, type Socket } from 'node:net';
import {
  CONTROL_PROTOCOL_VERSION,
  CONTROL_SOCKET_ENV,
  CONTROL_TOKEN_ENV,
  type ApprovalRequestMessage,
  type EditorToProxy,
  type HelloMessage,
  type PolicyMessage,
  type ProxyToEditor,
  type ToolsMessage,
} from './control-protocol';

export interface ControlChannelOptions {
  socketPath: string;
  token: string;
  proxy: HelloMessage['proxy'];
  log: (message: string) => void;
}

export type EditorAnswer = { approved: true } | { approved: false; reason: string };

const MAX_LINE = 1024 * 1024;
const BACKOFF_MS = [250, 500, 1000, 2000, 5000, 10000, 30000];

export class ControlChannel {
  private socket: Socket | undefined;
  private welcomed = false;
  private closed = false;
  private attempts = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private nextId = 1;
  private readonly pending = new Map<string, (answer: EditorAnswer) => void>();
  private readonly latestTools = new Map<string, ToolsMessage>();
  private latestPolicy: PolicyMessage | undefined;

  constructor(private readonly options: ControlChannelOptions) {}

  /** A channel when the environment names one; undefined otherwise (or half-configured, with a warning). */
  static fromEnv(env: NodeJS.ProcessEnv, proxy: HelloMessage['proxy'], log: (message: string) => void): ControlChannel | undefined {
    const socketPath = env[CONTROL_SOCKET_ENV];
    const token = env[CONTROL_TOKEN_ENV];
    if (!socketPath && !token) return undefined;
    if (!socketPath || !token) {
      log(`control channel ignored: set both ${CONTROL_SOCKET_ENV} and ${CONTROL_TOKEN_ENV}`);
      return undefined;
    }
    return new ControlChannel({ socketPath, token, proxy, log });
  }

  /** True once the editor has accepted this proxy. */
  get ready(): boolean {
    return this.welcomed;
  }

  start(): void {
    if (this.closed || this.socket) return;
    const socket = connect(this.options.socketPath);
    this.socket = socket;
    socket.unref();
    socket.setEncoding('utf8');
    let buffered = '';
    socket.on('connect', () => {
      const hello: HelloMessage = { type: 'hello', protocol: CONTROL_PROTOCOL_VERSION, token: this.options.token, proxy: this.options.proxy };
      socket.write(JSON.stringify(hello) + '\n');
    });
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line.trim()) this.receive(line);
      }
      if (buffered.length > MAX_LINE) {
        this.options.log('control channel: message too large from the editor; reconnecting');
        socket.destroy();
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (this.attempts === 0) this.options.log(`control channel: cannot reach the editor at ${this.options.socketPath} (${error.code ?? error.message})`);
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
          this.stopForGood();
          return;
        }
        this.welcomed = true;
        this.attempts = 0;
        if (this.latestPolicy) this.write(this.latestPolicy);
        for (const tools of this.latestTools.values()) this.write(tools);
        return;
      case 'refused':
        this.options.log(`control channel: the editor refused this proxy: ${message.reason}`);
        this.stopForGood();
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
    if (message.type === 'policy') this.latestPolicy = message;
    if (this.welcomed) this.write(message);
  }

  /** Forgets what was kept for a session that ended. */
  endSession(session: string): void {
    this.latestTools.delete(session);
  }

  /** Asks the editor; resolves when it answers, disconnects, or `signal` aborts (then the prompt is withdrawn). */
  requestApproval(request: Omit<ApprovalRequestMessage, 'type' | 'id'>, signal: AbortSignal): Promise<EditorAnswer> {
    const id = String(this.nextId++);
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

  private stopForGood(): void {
    this.closed = true;
    this.socket?.destroy();
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.socket?.end();
    this.socket?.destroy();
  }
}
