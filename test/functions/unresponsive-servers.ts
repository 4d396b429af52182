import net from 'node:net';

/** A local TCP server that misbehaves as a PostgreSQL server; close() when done. */
export interface UnresponsiveServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Accepts connections and never sends a byte: a hung server, or a proxy with nothing behind it. */
export function silentServer(): Promise<UnresponsiveServer> {
  return listen(() => {});
}

/**
 * Completes the startup handshake (AuthenticationOk, ReadyForQuery) and then never answers a
 * query: a server that hangs after accepting the session.
 */
export function serverSilentAfterHandshake(): Promise<UnresponsiveServer> {
  const authenticationOk = Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 0]);
  const readyForQuery = Buffer.from([0x5a, 0, 0, 0, 5, 0x49]);
  return listen((socket) => socket.once('data', () => socket.write(Buffer.concat([authenticationOk, readyForQuery]))));
}

function listen(onConnection: (socket: net.Socket) => void): Promise<UnresponsiveServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    onConnection(socket);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as net.AddressInfo).port,
        close: () =>
          new Promise((closed) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => closed());
          }),
      }),
    );
  });
}
