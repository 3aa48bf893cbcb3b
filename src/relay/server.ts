// The reference relay: one HTTP(S) server carrying the WebSocket endpoint
// (agents and technicians) and the technician console page on the same origin.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import { MAX_FRAME_BYTES } from '../protocol/limits.js';
import type { Ed25519KeyPair } from '../protocol/signing.js';
import { systemClock } from '../shared/clock.js';
import { CentralAudit } from './audit/central-audit.js';
import { Connection } from './connection.js';
import { consoleHandler, defaultConsoleDir } from './console-assets.js';
import { tlsExporterOf } from '../protocol/channel-binding.js';
import { AGENT_SUBPROTOCOL } from '../protocol/messages.js';
import { NonceCache } from './nonce-cache.js';
import { InProcessPeerDirectory, type PeerDirectory } from './peer-directory.js';
import { DEFAULT_RATE_LIMIT, type RateLimit } from './frame-rate-limiter.js';
import { CLOSE, CONNECTION_LIMITS } from './relay-constants.js';
import { UnauthenticatedGate } from './unauthenticated-gate.js';
import { DEFAULT_MFA_POLICY } from './accounts/mfa-policy.js';
import { SignInLimiter, type SignInLimits } from './accounts/sign-in-limiter.js';
import { AccountWatch } from './accounts/account-watch.js';
import { OversizedFrameWatch } from './oversized-frame-watch.js';
import { BUDGET_DEFAULTS, ConnectionBudget } from './connection-budget.js';
import { ThrottledLog } from './throttled-log.js';
import { readOpenFilesLimit, type OpenFilesLimit } from './open-files-limit.js';
import { encodeFrame, errorMessage } from '../protocol/frame.js';
import { Router, type RouterOptions } from './router.js';
import type { RelayStorage } from './storage/storage.js';

export interface RelayOptions extends Omit<RouterOptions, 'storage' | 'relayKey'> {
  storage: RelayStorage;
  relayKey: Ed25519KeyPair;
  host?: string;
  port?: number;
  tls?: { cert: string | Buffer; key: string | Buffer };
  rateLimit?: RateLimit;
  heartbeatSec?: number;
  /** Unsent bytes to one peer before it counts as a slow consumer and is dropped (default 1 MiB). */
  maxBufferedBytes?: number;
  /** From TCP accept to an accepted hello (default 5 s); a silent peer gets close 4001, then its socket is destroyed. */
  helloTimeoutMs?: number;
  /** Concurrent not-yet-authenticated connections per source address (default 128); past it new ones are dropped. */
  maxUnauthenticatedPerAddress?: number;
  /** Bound of the hello nonce store (default 100,000); when full, agent hellos are refused with `busy`. */
  maxHelloNonces?: number;
  consoleDir?: string;
  /** The open-files limit the socket budget is sized from (default: this process's, from /proc/self/limits; null: no budget). */
  openFiles?: OpenFilesLimit | null;
  /** Sockets agents may never take, so technicians get in while agents hold the rest (default min(256, a quarter of the budget)). */
  technicianReserve?: number;
  /** Failed sign-in lockout (default 5 failures -> 1 min, doubling, at most 1 h). */
  signInLimits?: SignInLimits;
  /** How often account changes made by admin commands are picked up (default 1 s). */
  accountWatchMs?: number;
  log?: (line: string) => void;
}

export interface RelayServer {
  readonly port: number;
  readonly host: string;
  /** ws:// or wss:// URL of the endpoint. */
  readonly url: string;
  readonly router: Router;
  /** Tell every peer, close every socket, stop listening. Does not close the storage. */
  close(): Promise<void>;
}

export async function startRelay(opts: RelayOptions): Promise<RelayServer> {
  const clock = opts.clock ?? systemClock;
  const now = () => clock.now();
  const log = opts.log ?? (() => undefined);
  const startedAtMs = now();
  const directory: PeerDirectory = opts.directory ?? new InProcessPeerDirectory();
  const router = new Router({ ...opts, clock, directory });
  directory.bind?.({
    fromRemoteAgent: (peer, deviceId, msg) => router.fromAgent(peer, deviceId, msg), remoteAgentGone: (deviceId, peer) => router.agentDisconnected(deviceId, peer),
    binaryFromRemoteAgent: (peer, deviceId, frame) => router.binaryFromAgent(peer, deviceId, frame),
  });
  const handler = consoleHandler(opts.consoleDir ?? defaultConsoleDir());
  const http: HttpServer = opts.tls ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key }, handler) : createHttpServer(handler);
  const wss = new WebSocketServer({
    server: http,
    maxPayload: MAX_FRAME_BYTES,
    perMessageDeflate: false,
    // Pings count against the peer's frame rate limit (Connection answers them).
    autoPong: false,
    // Agents open the agent subprotocol and get a challenge; technicians open none.
    handleProtocols: (protocols) => (protocols.has(AGENT_SUBPROTOCOL) ? AGENT_SUBPROTOCOL : false),
  });
  const heartbeatSec = opts.heartbeatSec ?? 30;
  const helloTimeoutMs = opts.helloTimeoutMs ?? CONNECTION_LIMITS.helloTimeoutMs;
  const maxPerAddress = opts.maxUnauthenticatedPerAddress ?? CONNECTION_LIMITS.maxUnauthenticatedPerAddress;
  const gate = new UnauthenticatedGate({ maxPerAddress, deadlineMs: helloTimeoutMs + CONNECTION_LIMITS.closeTimeoutMs }, log, now);
  http.on('connection', (socket: Socket) => gate.admit(socket));
  const openFiles = opts.openFiles === undefined ? readOpenFilesLimit() : opts.openFiles;
  const budget = new ConnectionBudget(
    { openFiles: openFiles?.soft ?? Number.POSITIVE_INFINITY, processReserve: BUDGET_DEFAULTS.processReserve, ...(opts.technicianReserve !== undefined ? { technicianReserve: opts.technicianReserve } : {}) },
    log,
    now,
  );
  // Over the cap Node accepts and closes at once (it still has descriptors to do so), and says so.
  if (Number.isFinite(budget.maxSockets)) http.maxConnections = budget.maxSockets;
  http.on('drop', () => budget.connectionDropped());
  const raised = openFiles?.raisedFrom !== undefined ? ` (soft raised from ${openFiles.raisedFrom})` : '';
  log(`relay: open files: ${openFiles ? `soft limit ${openFiles.soft}, hard limit ${openFiles.hard}${raised}` : 'limit unknown'}; ${budget.describe()}`);
  const connections = new Set<Connection>();
  let latestLockout = '';
  const lockouts = new ThrottledLog(BUDGET_DEFAULTS.logIntervalMs, now, (n) => log(`relay: sign-in locked out (rate-limited): ${n} lockout(s) since the last line; latest: ${latestLockout}`));
  const deps = {
    router,
    storage: opts.storage,
    audit: new CentralAudit(opts.storage, now),
    nonces: new NonceCache(10 * 60_000, opts.maxHelloNonces),
    now,
    rateLimit: opts.rateLimit ?? DEFAULT_RATE_LIMIT,
    heartbeatSec,
    helloTimeoutMs,
    relayPublicKey: opts.relayKey.publicKey,
    startedAtMs,
    directory,
    maxQueued: 256,
    maxBufferedBytes: opts.maxBufferedBytes ?? 1024 * 1024,
    signIns: new SignInLimiter(opts.signInLimits),
    onSignInLockout: (what: string) => {
      latestLockout = what;
      lockouts.note();
    },
    mfa: opts.mfa ?? DEFAULT_MFA_POLICY,
    log,
  };

  wss.on('connection', (ws, req) => {
    if (ws.protocol === AGENT_SUBPROTOCOL) {
      if (!budget.admitAgent()) {
        // The agent retries with its backoff; the sockets left stay for technicians.
        ws.send(encodeFrame(errorMessage('busy', `the relay holds its maximum of ${budget.maxAgents} agents; retry later`)));
        ws.close(CLOSE.tryAgainLater, 'agent capacity reached');
        setTimeout(() => ws.terminate(), CONNECTION_LIMITS.closeTimeoutMs).unref();
        return;
      }
    }
    // Only the socket outlives this handler: a closure naming `req` would keep the upgrade request and
    // its headers alive for the whole connection (about 2 KiB per idle agent).
    const { socket } = req;
    const conn = new Connection(ws, deps, tlsExporterOf(socket), () => gate.authenticated(socket), socket.remoteAddress);
    // Sees a frame header over the limit before ws does: the peer gets `too-large`, then ws's 1009.
    new OversizedFrameWatch(socket, MAX_FRAME_BYTES, () => conn.refuseOversized(MAX_FRAME_BYTES));
    connections.add(conn);
    // One listener for both: each extra one costs an idle agent a listener array.
    const agent = ws.protocol === AGENT_SUBPROTOCOL;
    ws.on('close', () => {
      connections.delete(conn);
      if (agent) budget.agentClosed();
    });
  });
  wss.on('error', (err) => log(`relay: websocket server error: ${err.message}`));
  const accounts = new AccountWatch(opts.storage, () => connections, now, log);
  await accounts.start(opts.accountWatchMs ?? 1000);

  // Heartbeat: a peer that didn't answer the previous ping is gone.
  const heartbeat = setInterval(() => {
    for (const conn of connections) {
      if (!conn.alive) {
        conn.terminate();
        continue;
      }
      conn.alive = false;
      conn.ping();
    }
  }, heartbeatSec * 1000);
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      http.off('error', reject);
      resolve();
    });
  });
  // After listen: accept failing with EMFILE/ENFILE (when libuv could not drop the connection itself) is counted, never fatal.
  http.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EMFILE' || err.code === 'ENFILE') return budget.connectionDropped();
    log(`relay: server error: ${err.message}`);
  });
  const address = http.address() as AddressInfo;
  const host = opts.host ?? '127.0.0.1';
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    port: address.port,
    host,
    url: `${opts.tls ? 'wss' : 'ws'}://${urlHost}:${address.port}`,
    router,
    async close() {
      clearInterval(heartbeat);
      await accounts.stop();
      // Every live session's end is in the central audit before this resolves (the caller closes the storage next).
      await router.shutdown();
      for (const conn of connections) conn.close(CLOSE.goingAway, 'relay shutting down');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      // Give close frames a moment, then drop whatever is left.
      await new Promise((r) => setTimeout(r, 50));
      for (const conn of connections) conn.terminate();
      // A console page's keep-alive or in-flight HTTP request must not hold shutdown open.
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeAllConnections();
      await closed;
    },
  };
}
