// The one thing the rotation function asks the cache itself: does it accept this AUTH token?
// A short-lived connection (verified TLS unless told otherwise) sends `AUTH <token>` and, when
// that is accepted, `PING`, in the RESP protocol, and closes. No Redis client library: two
// commands do not justify one in the bundle. Messages never contain the token.
import net from 'node:net';
import tls from 'node:tls';

export interface CacheEndpoint {
  readonly host: string;
  readonly port: number;
  /** TLS verifying the certificate against `host` (sent as SNI servername). @default true */
  readonly tls?: boolean;
  /** Bound on the whole exchange: connect, handshake, AUTH, PING. */
  readonly timeoutMs: number;
}

/** Accepted: AUTH answered +OK and PING +PONG. Rejected: AUTH answered an error, e.g. WRONGPASS. */
export type AuthResult = { readonly accepted: true } | { readonly accepted: false; readonly reply: string };

/** A RESP array of bulk strings, as clients send commands. */
export function respCommand(...args: string[]): string {
  return `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`;
}

/**
 * Authenticates with `token` on a fresh connection. Resolves with whether the cache accepted
 * it; rejects when the cache cannot be reached, does not answer in time or answers something
 * other than a simple string or error, since then nothing can be concluded about the token.
 */
export function authenticate(endpoint: CacheEndpoint, token: string): Promise<AuthResult> {
  const where = `${endpoint.host}:${endpoint.port}`;
  return new Promise((resolve, reject) => {
    const socket =
      endpoint.tls === false
        ? net.connect({ host: endpoint.host, port: endpoint.port })
        : tls.connect({
            host: endpoint.host,
            port: endpoint.port,
            // SNI takes names only; an address is still checked against the certificate.
            servername: net.isIP(endpoint.host) ? undefined : endpoint.host,
            rejectUnauthorized: true,
          });
    let settled = false;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      outcome();
    };
    const fail = (message: string): void => settle(() => reject(new Error(message)));
    const timer = setTimeout(() => fail(`no answer from the cache at ${where} within ${endpoint.timeoutMs} ms`), endpoint.timeoutMs);

    let awaiting: 'AUTH' | 'PING' = 'AUTH';
    const onReply = (line: string): void => {
      if (awaiting === 'AUTH' && line === '+OK') {
        awaiting = 'PING';
        socket.write(respCommand('PING'));
      } else if (awaiting === 'AUTH' && line.startsWith('-')) {
        settle(() => resolve({ accepted: false, reply: line.slice(1) }));
      } else if (awaiting === 'PING' && line === '+PONG') {
        settle(() => resolve({ accepted: true }));
      } else {
        fail(`the cache at ${where} answered ${awaiting} with ${JSON.stringify(line.slice(0, 80))}, expected ${awaiting === 'AUTH' ? '+OK' : '+PONG'}`);
      }
    };

    let buffered = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      for (let end = buffered.indexOf('\r\n'); end >= 0 && !settled; end = buffered.indexOf('\r\n')) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        onReply(line);
      }
    });
    socket.once(endpoint.tls === false ? 'connect' : 'secureConnect', () => socket.write(respCommand('AUTH', token)));
    socket.on('error', (error) => fail(`cannot talk to the cache at ${where}: ${error.message}`));
    socket.on('close', () => fail(`the cache at ${where} closed the connection before answering ${awaiting}`));
  });
}
