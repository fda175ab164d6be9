// The editor's control-channel socket: a Unix socket in a folder only this user can enter (the socket
// itself mode 0600), or a named pipe on Windows. A proxy is admitted by the single-use ticket issued for
// its launch (ControlCredentials). Each connection is a ControlConnection; what it reports goes to the
// handlers the caller gives per connection. Each proxy is sent the approved policy of its file and the
// approved lockfile beside it, at its welcome and whenever either changes (`setApprovedPolicy`).
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTROL_SOCKET_ENV, CONTROL_TICKET_ENV } from '../proxy/control-protocol';
import { ControlConnection, type ControlHandlers } from './control-connection';
import { ControlCredentials } from './control-credentials';
import { ApprovedPolicies, policyKey } from './control-policies';

/** Unix socket paths longer than this fail on some systems (the limit is 104 or 108 bytes). */
const MAX_SOCKET_PATH = 100;

export interface ControlServerOptions {
  /** The folder for the socket (the extension's storage folder); a private temporary one when its path is too long. */
  directory: string;
  /** Handlers for the connection numbered `id` (ids are "1", "2", ...). */
  handlers(id: string, connection: ControlConnection): ControlHandlers;
  platform?: NodeJS.Platform;
  /** How long a ticket stays redeemable (tests shorten it; never above TICKET_LIFETIME_MS, which the proxy waits). */
  ticketLifetimeMs?: number;
  /** The approved policies to send (shared with the caller, who may set them before the server starts). */
  policies?: ApprovedPolicies;
}

export class ControlServer {
  private readonly sockets = new Map<string, { socket: Socket; connection: ControlConnection }>();
  private nextId = 1;
  private readonly stopSending: { dispose(): void };

  private constructor(
    private readonly server: Server,
    readonly socketPath: string,
    private readonly credentials: ControlCredentials,
    private readonly ownDirectory: string | undefined,
    readonly policies: ApprovedPolicies,
  ) {
    this.stopSending = policies.onDidChange((file, text, lock) => {
      for (const connection of this.connections()) if (connection.proxy && policyKey(connection.proxy.policy) === file) connection.sendPolicy(text, lock);
    });
  }

  static async start(options: ControlServerOptions): Promise<ControlServer> {
    const name = `mcp-warden-${randomBytes(6).toString('hex')}`;
    let socketPath: string;
    let ownDirectory: string | undefined;
    if ((options.platform ?? process.platform) === 'win32') {
      socketPath = `\\\\.\\pipe\\${name}`;
    } else {
      mkdirSync(options.directory, { recursive: true, mode: 0o700 });
      chmodSync(options.directory, 0o700);
      socketPath = join(options.directory, `${name}.sock`);
      if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
        ownDirectory = mkdtempSync(join(process.env.XDG_RUNTIME_DIR || tmpdir(), 'mcp-warden-'));
        chmodSync(ownDirectory, 0o700);
        socketPath = join(ownDirectory, 'control.sock');
      }
    }
    const server = createServer();
    const control = new ControlServer(server, socketPath, new ControlCredentials(Date.now, options.ticketLifetimeMs), ownDirectory, options.policies ?? new ApprovedPolicies());
    server.on('connection', (socket) => control.accept(socket, options));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
    if (!socketPath.startsWith('\\\\')) chmodSync(socketPath, 0o600);
    return control;
  }

  /**
   * The variables one launch of `server`'s proxy needs to reach this editor: the socket and a fresh
   * ticket. Call it once per launch, right before the process starts: the ticket admits one connection.
   */
  env(server: string): Record<string, string> {
    return { [CONTROL_SOCKET_ENV]: this.socketPath, [CONTROL_TICKET_ENV]: this.credentials.issue(server) };
  }

  /**
   * Records `text` as the approved policy of `file` (absolute path): every connected proxy of that file
   * is sent it now, and each proxy welcomed later gets it in its welcome.
   */
  setApprovedPolicy(file: string, text: string): void {
    this.policies.set(file, text);
  }

  /** The welcomed connections. */
  connections(): ControlConnection[] {
    return [...this.sockets.values()].map((entry) => entry.connection).filter((connection) => connection.isOpen);
  }

  async close(): Promise<void> {
    this.stopSending.dispose();
    for (const { socket } of this.sockets.values()) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (!this.socketPath.startsWith('\\\\')) rmSync(this.socketPath, { force: true });
    if (this.ownDirectory) rmSync(this.ownDirectory, { recursive: true, force: true });
  }

  private accept(socket: Socket, options: ControlServerOptions): void {
    const id = String(this.nextId++);
    socket.setEncoding('utf8');
    const isOpen = (other: string): boolean => this.sockets.get(other)?.connection.isOpen === true;
    const connection = new ControlConnection(
      (presented) => this.credentials.admit(presented, id, isOpen),
      {
        send: (line) => {
          if (!socket.destroyed) socket.write(line);
        },
        end: () => socket.end(),
      },
      {},
      (file) => this.policies.approved(file),
    );
    connection.use(options.handlers(id, connection));
    this.sockets.set(id, { socket, connection });
    socket.on('data', (chunk: string) => connection.receive(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.sockets.delete(id);
      connection.closed();
    });
  }
}
