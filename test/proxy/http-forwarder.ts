// For clients that cannot send headers (the MCP conformance suite's runner, the Inspector's command line):
// an HTTP forwarder on 127.0.0.1 that plays the part of the client's own configuration, adding the
// proxy's bearer token to each request. Everything else goes through as sent, both ways and streamed:
// method, path, every header (Host and Origin included, so the proxy still judges them) and body.
import { request, createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { HttpProxy } from './helpers';

export interface Forwarder {
  /** The proxy's endpoint, reached through the forwarder. */
  url: URL;
  close(): Promise<void>;
}

export async function authenticatingForwarder(proxy: HttpProxy): Promise<Forwarder> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const upstream = request(
      { host: proxy.url.hostname, port: proxy.url.port, method: req.method, path: req.url, headers: { ...req.headers, ...proxy.auth } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: new URL(`http://127.0.0.1:${port}${proxy.url.pathname}`),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
