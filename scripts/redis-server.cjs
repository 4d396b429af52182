// Starts a throwaway redis-server (Debian's package; no npm package ships one) on loopback, on free
// ports of its own, with a password and, when openssl is there, a TLS port with a self-signed
// certificate made at start. Shared by the jest global setup, the tests that stop or reconfigure a
// server of their own, and the cache benchmark. CommonJS so that jest's test files (CommonJS),
// the ESM global setup and tsx scripts can all load it.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { existsSync, mkdtempSync, rmSync } = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const INSTALL_HINT = 'redis-server not found on PATH: install it (Debian/Ubuntu: apt-get install -y redis-server; macOS: brew install redis) and run again';

/** @param {string} command */
function onPath(command) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, command))) return path.join(dir, command);
  }
  return undefined;
}

/** The redis-server binary, or an error whose message is the one line saying what to install. */
function findRedisServer() {
  const found = onPath('redis-server');
  if (!found) throw new Error(INSTALL_HINT);
  return found;
}

/** @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

/** A self-signed certificate for 127.0.0.1 and localhost (EC P-256: made in milliseconds). */
function selfSignedCertificate(dir) {
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  const made = spawnSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', keyFile, '-out', certFile],
    { encoding: 'utf8' },
  );
  if (made.status !== 0) throw new Error(`openssl could not make a test certificate: ${made.stderr || made.error?.message}`);
  return { certFile, keyFile };
}

function waitForPort(port, child, deadline) {
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`redis-server exited (${child.exitCode}) before accepting connections`));
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(undefined);
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`redis-server did not listen on ${port} in time`));
        else setTimeout(attempt, 20);
      });
    };
    attempt();
  });
}

/**
 * @param {import('./redis-server.d.cts').RedisServerOptions} [options]
 * @returns {Promise<import('./redis-server.d.cts').RedisServer>}
 */
async function startRedisServer(options = {}) {
  const binary = findRedisServer();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'data-tier-redis-'));
  const password = options.password ?? randomBytes(16).toString('hex');
  const port = await freePort();
  const tls = (options.tls ?? true) && onPath('openssl') !== undefined;
  const tlsPort = tls ? await freePort() : undefined;
  const certificate = tls ? selfSignedCertificate(dir) : undefined;
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir,
    // A cache: nothing on disk, and the tests may make the server slow on purpose (DEBUG SLEEP).
    '--save', '', '--appendonly', 'no', '--enable-debug-command', 'local',
    '--requirepass', password, '--daemonize', 'no', '--logfile', '',
    ...(certificate
      ? ['--tls-port', String(tlsPort), '--tls-cert-file', certificate.certFile, '--tls-key-file', certificate.keyFile, '--tls-auth-clients', 'no']
      : []),
  ];
  let child;
  let log = '';
  const start = async () => {
    if (child && child.exitCode === null && child.signalCode === null) return;
    child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const own = child;
    own.stdout.on('data', (chunk) => (log = (log + chunk).slice(-4000)));
    own.stderr.on('data', (chunk) => (log = (log + chunk).slice(-4000)));
    try {
      await waitForPort(port, own, Date.now() + 10_000);
    } catch (error) {
      own.kill('SIGKILL');
      throw new Error(`${error.message}: ${log.trim().split('\n').slice(-3).join(' | ')}`);
    }
  };
  const stop = async () => {
    const own = child;
    if (!own || own.exitCode !== null || own.signalCode !== null) return;
    const exited = new Promise((resolve) => own.once('exit', resolve));
    own.kill('SIGTERM');
    await exited;
  };
  await start();
  const auth = `default:${password}@127.0.0.1`;
  return {
    url: `redis://${auth}:${port}`,
    tlsUrl: tlsPort ? `rediss://${auth}:${tlsPort}` : undefined,
    caFile: certificate?.certFile,
    host: '127.0.0.1',
    port,
    tlsPort,
    password,
    start,
    stop,
    async remove() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

module.exports = { findRedisServer, startRedisServer, INSTALL_HINT };
