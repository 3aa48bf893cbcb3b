// One WebSocket peer from accept to close: hello first (agent key proof over
// this connection's challenge, or technician token), then frames in order
// through the router. Bad input of any kind gets a typed `error`; floods are
// rate-limited, then disconnected.
import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { HelloConnectionContext } from '../protocol/hello-proof.js';
import type { ErrorCode } from '../protocol/error-codes.js';
import { ACCEPTED_BY, AGENT_SUBPROTOCOL, type Message } from '../protocol/messages.js';
import { encodeFrame, errorMessage, newMessageId, parseFrame } from '../protocol/frame.js';
import { keyFingerprint } from '../protocol/signing.js';
import { authenticateAgent } from './agent-auth.js';
import type { CentralAudit } from './audit/central-audit.js';
import { auditUnavailableDetail, auditWriteFault } from './audit/audit-write-fault.js';
import { refusedFrameId } from './refused-frame-id.js';
import { answerDeviceKeyRequest } from './device-key-handler.js';
import { answerDeviceListRequest } from './device-list-handler.js';
import type { NonceCache } from './nonce-cache.js';
import type { PeerDirectory } from './peer-directory.js';
import { FrameRateLimiter, type RateLimit } from './frame-rate-limiter.js';
import type { Peer } from './peer.js';
import { CLOSE, RELAY_CHANNEL_LIMITS } from './relay-constants.js';
import type { Router } from './router.js';
import { technicianIdentity } from './session-request-builder.js';
import type { RelayStorage, TechnicianRecord } from './storage/storage.js';
import type { MfaPolicy } from './accounts/mfa-policy.js';
import type { SignInLimiter } from './accounts/sign-in-limiter.js';
import { signInTechnician, type SignedInTechnician } from './accounts/technician-sign-in.js';

export interface ConnectionDeps {
  router: Router;
  storage: RelayStorage;
  audit: CentralAudit;
  nonces: NonceCache;
  now: () => number;
  rateLimit: RateLimit;
  heartbeatSec: number;
  helloTimeoutMs: number;
  relayPublicKey: string;
  /** When this relay process started (hellos issued before it are refused). */
  startedAtMs: number;
  /** Where agents are connected: to tell an old key's connection it was re-keyed away. */
  directory: PeerDirectory;
  /** Frames queued for processing before the peer counts as flooding. */
  maxQueued: number;
  /** Unsent bytes to a slow reader before we drop it (bounded memory per connection). */
  maxBufferedBytes: number;
  /** Binary channel bytes waiting in this connection's queue before the peer counts as flooding. */
  maxQueuedBinaryBytes?: number;
  /** Failed technician sign-ins, shared by every connection. */
  signIns: SignInLimiter;
  /** A failed sign-in started a lockout (logged, throttled). */
  onSignInLockout?: (what: string) => void;
  mfa: MfaPolicy;
  log: (line: string) => void;
}

type State =
  | { role: 'pending' }
  | { role: 'agent'; deviceId: string }
  | { role: 'technician'; tech: SignedInTechnician; tokenHash: string }
  | { role: 'closed' };

let counter = 0;

export class Connection implements Peer {
  readonly connectionId = `c${++counter}`;
  alive = true;
  private state: State = { role: 'pending' };
  private readonly limiter: FrameRateLimiter;
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  private queuedBinaryBytes = 0;
  /** id of the frame being handled, for `re` when handling it fails. */
  private handlingFrameId: string | undefined;
  /** Dropped once the hello is answered: an idle agent keeps only what it needs (issue 22, memory per agent). */
  private helloTimer: NodeJS.Timeout | undefined;
  /** Set when the peer opened the agent subprotocol: what its hello proof must sign (dropped once it did). */
  private helloContext: HelloConnectionContext | undefined;

  /** `tlsExporter`: the TLS socket's exported keying material, null on plain ws. */
  constructor(
    private readonly ws: WebSocket,
    private readonly deps: ConnectionDeps,
    tlsExporter: string | null = null,
    /** Told once the hello is accepted (the connection stops counting as unauthenticated). */
    private readonly onAuthenticated: () => void = () => undefined,
    /** The peer's IP address: failed sign-ins are limited per address. */
    private readonly remoteAddress = 'unknown',
  ) {
    this.limiter = new FrameRateLimiter(deps.rateLimit, deps.now());
    if (ws.protocol === AGENT_SUBPROTOCOL) {
      this.helloContext = {
        challenge: randomBytes(32).toString('base64url'),
        relayKeyFingerprint: keyFingerprint(deps.relayPublicKey),
        channelBinding: tlsExporter === null ? 'none' : 'tls-exporter',
        tlsExporter,
      };
      const { challenge, relayKeyFingerprint, channelBinding } = this.helloContext;
      this.send({ v: 1, type: 'challenge', id: newMessageId(), challenge, relayKeyFingerprint, channelBinding, serverTime: new Date(deps.now()).toISOString() });
    }
    this.helloTimer = setTimeout(() => this.close(CLOSE.unauthorized, 'no hello in time'), deps.helloTimeoutMs);
    ws.on('message', (data, isBinary) => (isBinary ? this.onBinary(toBytes(data)) : this.onMessage(data.toString('utf8'))));
    ws.on('pong', () => (this.alive = true));
    ws.on('ping', (data) => this.onPing(data));
    ws.on('close', () => void this.onClose());
    ws.on('error', (err) => this.onSocketError(err));
  }

  // What AccountWatch needs: who signed in here, with which token, and how to withdraw or refresh it.
  get technicianId(): string | undefined {
    return this.state.role === 'technician' ? this.state.tech.id : undefined;
  }

  get signedInAs(): TechnicianRecord | undefined {
    return this.state.role === 'technician' ? this.state.tech : undefined;
  }

  get signInTokenHash(): string | undefined {
    return this.state.role === 'technician' ? this.state.tokenHash : undefined;
  }

  /** New group, scopes or rights apply to the next request; the second factor proved at sign-in stays. */
  refreshTechnician(tech: TechnicianRecord): void {
    if (this.state.role !== 'technician') return;
    const mfa = this.state.tech.mfaVerified === true ? { mfaVerified: true as const } : {};
    this.state = { ...this.state, tech: { ...tech, ...mfa } };
  }

  /** IT withdrew this technician's access: end what it holds (audited), then close with the reason. */
  withdraw(reason: string): void {
    if (this.state.role !== 'technician') return;
    void this.deps.router
      .technicianWithdrawn(this, reason)
      .catch((err: unknown) => this.deps.log(`relay: withdrawal failed on ${this.connectionId}: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => this.close(CLOSE.withdrawn, reason.slice(0, 120)));
  }

  send(msg: Message): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    const buffered = this.ws.bufferedAmount;
    if (buffered > this.deps.maxBufferedBytes) return this.dropSlowReader(buffered);
    this.ws.send(encodeFrame(msg));
  }

  /**
   * A peer that stopped reading: stop queueing for it (bounded relay memory),
   * send a close frame behind what is queued (it sees CLOSE.slowConsumer if it ever reads on;
   * ws destroys the socket after its close timeout otherwise), release its
   * sessions now, and say so in the central audit.
   */
  private dropSlowReader(buffered: number): void {
    const state = this.state;
    if (state.role === 'closed') return;
    const limit = this.deps.maxBufferedBytes;
    this.deps.log(`relay: ${this.connectionId} stopped reading (${buffered} bytes unsent, cap ${limit}); disconnecting`);
    this.ws.close(CLOSE.slowConsumer, 'send buffer full');
    if (state.role === 'agent' || state.role === 'technician') {
      const ctx = state.role === 'agent' ? { deviceId: state.deviceId } : { technicianId: state.tech.id };
      void this.deps.audit
        .record('disconnect', ctx, { reason: 'slow-consumer', role: state.role, closeCode: CLOSE.slowConsumer, bufferedBytes: buffered, limitBytes: limit })
        .catch((err: unknown) => this.deps.log(`relay: could not audit the disconnect of ${this.connectionId}: ${err instanceof Error ? err.message : String(err)}`));
    }
    void this.onClose();
  }

  sendBinary(frame: Uint8Array): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    const buffered = this.ws.bufferedAmount;
    if (buffered > this.deps.maxBufferedBytes) return this.dropSlowReader(buffered);
    this.ws.send(frame, { binary: true });
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code, reason);
  }

  terminate(): void {
    this.ws.terminate();
  }

  ping(): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.ping();
  }

  /** Pings take from the same budget as frames: over it they go unanswered, far over it the peer is dropped. */
  private onPing(data: Buffer): void {
    const verdict = this.limiter.take(this.deps.now());
    if (verdict === 'abuse') return this.close(CLOSE.policy, 'rate limit');
    if (verdict === 'ok' && this.ws.readyState === this.ws.OPEN) this.ws.pong(data);
  }

  /** A message announced over the limit: say so while the socket is still open (ws closes 1009 right after). */
  refuseOversized(limitBytes: number): void {
    this.send(errorMessage('too-large', `a message over ${limitBytes} bytes; the relay closes the connection (1009)`));
  }

  /**
   * 'close' follows every error, so nothing to clean up here, except after an oversized frame: ws has
   * sent 1009 and would read and discard whatever follows until its close timeout; the socket goes now.
   */
  private onSocketError(err: Error): void {
    if ((err as { code?: unknown }).code !== 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') return;
    this.deps.log(`relay: ${this.connectionId} sent a frame over the size limit; closed 1009 and dropped`);
    setImmediate(() => this.ws.terminate());
  }

  private onMessage(text: string | null): void {
    const verdict = this.limiter.take(this.deps.now());
    if (verdict === 'abuse' || this.queued >= this.deps.maxQueued) {
      this.send(errorMessage('rate-limited', 'too many frames; disconnecting', refusedFrameId(text)));
      this.close(CLOSE.policy, 'rate limit');
      return;
    }
    if (verdict === 'limited') {
      this.send(errorMessage('rate-limited', 'too many frames; slow down', refusedFrameId(text)));
      return;
    }
    this.queued += 1;
    this.queue = this.queue
      .then(() => this.handle(text))
      .catch((err: unknown) => this.frameFailed(err))
      .finally(() => (this.queued -= 1));
  }

  /**
   * A data-channel frame: in order with the text frames (a channel.opened is
   * routed before the data behind it), outside the per-frame rate limit (the
   * credit window bounds them), and bounded in bytes while queued. With nothing
   * queued ahead of it the frame is routed at once: order holds, and a stream of
   * frames does not pay a promise chain each.
   */
  private onBinary(frame: Uint8Array): void {
    const state = this.state;
    if (state.role !== 'agent' && state.role !== 'technician') return this.onMessage(null);
    if (this.queued === 0 && this.queuedBinaryBytes === 0) return this.routeBinary(frame);
    if (this.queuedBinaryBytes + frame.byteLength > (this.deps.maxQueuedBinaryBytes ?? RELAY_CHANNEL_LIMITS.maxQueuedBinaryBytes)) {
      this.send(errorMessage('rate-limited', 'too many channel bytes queued; disconnecting'));
      return this.close(CLOSE.policy, 'rate limit');
    }
    this.queuedBinaryBytes += frame.byteLength;
    this.queue = this.queue.then(() => this.routeBinary(frame)).finally(() => (this.queuedBinaryBytes -= frame.byteLength));
  }

  private routeBinary(frame: Uint8Array): void {
    const now = this.state;
    if (now.role !== 'agent' && now.role !== 'technician') return;
    const router = this.deps.router;
    try {
      const accepted = now.role === 'agent' ? router.binaryFromAgent(this, now.deviceId, frame) : router.binaryFromTechnician(this, frame);
      // Refused frames count against the rate limit: a peer cannot flood the relay with frames it may not send.
      if (!accepted && this.limiter.take(this.deps.now()) === 'abuse') this.close(CLOSE.policy, 'rate limit');
    } catch (err) {
      this.deps.log(`relay: internal error on ${this.connectionId}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** A frame whose handling threw: a write fault is `audit-unavailable` with its cause, anything else `internal`. */
  private frameFailed(err: unknown): void {
    const re = this.handlingFrameId;
    const fault = auditWriteFault(err);
    if (fault) {
      this.deps.log(`relay: audit-unavailable on ${this.connectionId}: ${fault.message}${re ? ` (frame ${re})` : ''}`);
      return this.send(errorMessage('audit-unavailable', auditUnavailableDetail(fault), re));
    }
    this.deps.log(`relay: internal error on ${this.connectionId}: ${err instanceof Error ? err.message : String(err)}`);
    this.send(errorMessage('internal', 'the relay could not process that frame', re));
  }

  private async handle(text: string | null): Promise<void> {
    this.handlingFrameId = undefined;
    const state = this.state;
    if (state.role === 'closed') return;
    const accept = state.role === 'agent' ? ACCEPTED_BY.relayFromAgent : state.role === 'technician' ? ACCEPTED_BY.relayFromTechnician : (['hello'] as const);
    const parsed = parseFrame(text, accept);
    if (!parsed.ok) {
      this.send(errorMessage(parsed.code, parsed.detail, parsed.re));
      if (state.role === 'pending') this.close(CLOSE.unauthorized, 'hello expected');
      return;
    }
    const msg = parsed.msg;
    this.handlingFrameId = msg.id;
    if (msg.type === 'hello') {
      if (state.role !== 'pending') return this.send(errorMessage('unexpected-type', 'already authenticated', msg.id));
      return this.hello(msg);
    }
    if (state.role === 'agent') return this.deps.router.fromAgent(this, state.deviceId, msg);
    if (state.role === 'technician' && msg.type === 'tech.device-key') return answerDeviceKeyRequest(this, this.deps.storage, msg);
    if (state.role === 'technician' && msg.type === 'tech.devices') return answerDeviceListRequest(this, this.deps.storage, this.deps.router, msg);
    if (state.role === 'technician') return this.deps.router.fromTechnician(this, state.tech, msg);
  }

  private async hello(msg: Message<'hello'>): Promise<void> {
    clearTimeout(this.helloTimer);
    this.helloTimer = undefined;
    const now = this.deps.now();
    const welcome = { v: 1 as const, type: 'welcome' as const, id: newMessageId(), serverTime: new Date(now).toISOString(), heartbeatSec: this.deps.heartbeatSec, relayKeyFingerprint: keyFingerprint(this.deps.relayPublicKey) };
    if (msg.role === 'agent') {
      if (!this.helloContext) return this.refuse(`agents connect with the ${AGENT_SUBPROTOCOL} subprotocol and answer its challenge`, msg.id);
      const { storage, nonces, startedAtMs } = this.deps;
      const result = await authenticateAgent(msg, { storage, nonces, nowMs: now, relayStartedAtMs: startedAtMs, connection: this.helloContext });
      if (!result.ok) {
        if (result.clockSkew) this.deps.router.agentClockRefused(result.clockSkew.deviceId, result.clockSkew.offsetMs);
        return this.refuse(result.detail, msg.id, result.code);
      }
      if (result.rekeyed) await this.dropRekeyedKey(result.deviceId, result.rekeyed);
      if (this.ws.readyState !== this.ws.OPEN) return;
      this.state = { role: 'agent', deviceId: result.deviceId };
      this.helloContext = undefined;
      this.onAuthenticated();
      // Welcome first: no request may reach the agent before it.
      this.send({ ...welcome, role: 'agent', deviceId: result.deviceId });
      this.deps.router.agentConnected(result.deviceId, this);
      if (result.enrolled) this.deps.log(`relay: device ${result.deviceId} enrolled (key ${keyFingerprint(msg.devicePublicKey)})`);
      return;
    }
    const { storage, audit, signIns, mfa } = this.deps;
    const attempt = { token: msg.token, address: this.remoteAddress, ...(msg.otp ? { otp: msg.otp } : {}), ...(msg.client ? { client: msg.client } : {}) };
    const lockout = this.deps.onSignInLockout ? { onLockout: this.deps.onSignInLockout } : {};
    const signedIn = await signInTechnician({ storage, audit, limiter: signIns, mfa, nowMs: now, ...lockout }, attempt);
    if (!signedIn.ok) return this.refuse(signedIn.detail, msg.id, signedIn.code);
    const tech = signedIn.tech;
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.state = { role: 'technician', tech, tokenHash: signedIn.tokenHash };
    this.onAuthenticated();
    const expiry = tech.tokenExpiresAt ? { tokenExpiresAt: tech.tokenExpiresAt } : {};
    return this.send({ ...welcome, role: 'technician', technician: technicianIdentity(tech), mfa: tech.mfaVerified === true, scopes: [...tech.scopes], ...expiry });
  }

  private refuse(detail: string, re: string, code: ErrorCode = 'unauthorized'): void {
    this.send(errorMessage(code, detail, re));
    if (code === 'busy') this.close(CLOSE.tryAgainLater, 'busy');
    else this.close(CLOSE.unauthorized, 'unauthorized');
  }

  /** An admin-allowed re-key: the old key's live connection learns why it goes, and the audit says so. */
  private async dropRekeyedKey(deviceId: string, rekeyed: { from: string; to: string }): Promise<void> {
    const old = this.deps.directory.agent(deviceId);
    old?.close(CLOSE.rekeyed, `device re-keyed by an admin (${rekeyed.from} -> ${rekeyed.to}); this key is no longer enrolled`);
    await this.deps.audit.record('device-rekeyed', { deviceId }, { ...rekeyed, droppedConnection: old !== undefined });
    this.deps.log(`relay: device ${deviceId} re-keyed ${rekeyed.from} -> ${rekeyed.to}`);
  }

  private async onClose(): Promise<void> {
    clearTimeout(this.helloTimer);
    const state = this.state;
    this.state = { role: 'closed' };
    try {
      if (state.role === 'agent') await this.deps.router.agentDisconnected(state.deviceId, this);
      if (state.role === 'technician') {
        await this.deps.router.technicianDisconnected(this);
        await this.deps.audit.record('technician-sign-out', { technicianId: state.tech.id }, { address: this.remoteAddress });
      }
    } catch (err) {
      this.deps.log(`relay: cleanup failed for ${this.connectionId}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

function toBytes(data: WebSocket.RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}
