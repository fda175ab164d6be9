// The editor's side of the control channel, as a test needs it: listens on a Unix socket, checks the
// ticket (or the resume secret it gave), welcomes the proxy with the approved policy (by default the
// policy file as it is when the proxy connects: this editor approves whatever it finds), records what it
// reports, sends later policies when told, and answers approval requests as told.
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import {
  CONTROL_PROTOCOL_VERSION,
  CONTROL_SOCKET_ENV,
  CONTROL_TICKET_ENV,
  type ApprovalRequestMessage,
  type ApprovalResponseMessage,
  type GatewayHelloMessage,
  type ProxyToEditor,
  type ServedServer,
} from '../../src/proxy/control-protocol';
import { waitFor } from './helpers';

export type Answer = (request: ApprovalRequestMessage) => Omit<ApprovalResponseMessage, 'type' | 'id'> | undefined;

export class FakeEditor {
  readonly messages: ProxyToEditor[] = [];
  readonly socketPath: string;
  answer: Answer = () => ({ approved: true });
  /** The approved policy the welcome carries for the file a proxy names: undefined sends none. */
  approved: (file: string) => string | undefined = (file) => readFileSync(file, 'utf8');
  /** The servers a gateway's welcome names; undefined sends none. */
  servers: ServedServer[] | undefined;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly welcomed = new Set<Socket>();
  private resume: string | undefined;

  constructor(
    dir: string,
    readonly ticket = 'test-ticket-' + Math.random().toString(36).slice(2),
  ) {
    this.socketPath = join(dir, 'control.sock');
  }

  env(ticket = this.ticket): Record<string, string> {
    return { [CONTROL_SOCKET_ENV]: this.socketPath, [CONTROL_TICKET_ENV]: ticket };
  }

  listen(): Promise<void> {
    this.server = createServer((socket) => this.accept(socket));
    return new Promise((resolve) => this.server!.listen(this.socketPath, resolve));
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.welcomed.delete(socket);
    });
    socket.setEncoding('utf8');
    let buffered = '';
    let welcomed = false;
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) !== -1) {
        const message = JSON.parse(buffered.slice(0, newline)) as ProxyToEditor;
        buffered = buffered.slice(newline + 1);
        this.messages.push(message);
        if (message.type === 'hello') {
          if (message.ticket !== this.ticket && (message.resume === undefined || message.resume !== this.resume)) {
            socket.end(JSON.stringify({ type: 'refused', reason: 'unknown ticket' }) + '\n');
            return;
          }
          welcomed = true;
          this.resume = 'test-resume-' + Math.random().toString(36).slice(2);
          // A gateway says `gateway` where a proxy says `proxy`.
          const text = this.approved(message.proxy?.policy ?? (message as unknown as GatewayHelloMessage).gateway.policy);
          const servers = this.servers !== undefined ? { servers: this.servers } : {};
          socket.write(JSON.stringify({ type: 'welcome', protocol: CONTROL_PROTOCOL_VERSION, resume: this.resume, ...(text !== undefined ? { policy: { text } } : {}), ...servers }) + '\n');
          this.welcomed.add(socket);
        } else if (welcomed && message.type === 'approval-request') {
          const answer = this.answer(message);
          if (answer) socket.write(JSON.stringify({ type: 'approval-response', id: message.id, ...answer }) + '\n');
        }
      }
    });
  }

  /** Sends every welcomed proxy a new approved policy. */
  sendPolicy(text: string): void {
    for (const socket of this.welcomed) socket.write(JSON.stringify({ type: 'policy', text }) + '\n');
  }

  /** Sends every welcomed gateway the servers to serve. */
  sendServers(servers: ServedServer[]): void {
    this.servers = servers;
    for (const socket of this.welcomed) socket.write(JSON.stringify({ type: 'servers', servers }) + '\n');
  }

  /** Sends every welcomed proxy a raw line (for malformed messages). */
  sendLine(line: string): void {
    for (const socket of this.welcomed) socket.write(line + '\n');
  }

  of<T extends ProxyToEditor['type']>(type: T): Extract<ProxyToEditor, { type: T }>[] {
    return this.messages.filter((m): m is Extract<ProxyToEditor, { type: T }> => m.type === type);
  }

  async waitFor<T extends ProxyToEditor['type']>(type: T, predicate: (m: Extract<ProxyToEditor, { type: T }>) => boolean = () => true): Promise<Extract<ProxyToEditor, { type: T }>> {
    let found: Extract<ProxyToEditor, { type: T }> | undefined;
    await waitFor(() => (found = this.of(type).find(predicate)) !== undefined, 5000, `a "${type}" message`);
    return found!;
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
