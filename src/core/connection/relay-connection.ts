// The agent's WebSocket to the relay: the relay's challenge, hello with a
// proof of the device key over this connection's context, welcome, heartbeat (ping every 30 s, drop a relay silent for > 35 s), and
// reconnect with full-jitter backoff capped at 60 s. Frames are parsed here;
// only messages the agent accepts from a relay get through.
import { randomBytes } from 'node:crypto';
import WebSocket, { type ClientOptions } from 'ws';
import { encodeFrame, errorMessage, newMessageId, parseFrame } from '../../protocol/frame.js';
import { MAX_FRAME_BYTES, MAX_FUTURE_SKEW_MS } from '../../protocol/limits.js';
import { ACCEPTED_BY, type Message } from '../../protocol/messages.js';
import { tlsExporterOf } from '../../protocol/channel-binding.js';
import { signHelloProof } from '../../protocol/hello-proof.js';
import { AGENT_SUBPROTOCOL } from '../../protocol/messages.js';
import { PROTOCOL_CLOSE } from '../../protocol/close-codes.js';
import { keyFingerprint, type Ed25519KeyPair } from '../../protocol/signing.js';
import type { Clock } from '../../shared/clock.js';
import type { CoreInbound } from '../agent-core.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import { CONNECT_FAILURE_REPEAT_MS, diagnoseConnectFailure, type ConnectFailure } from './connect-failure.js';
import { checkRelayUrl } from './relay-url.js';
import { pinnedServerIdentity } from './tls-pin.js';

/**
 * The hello's issue time: the agent's clock, but never earlier than the
 * challenge it answers while within the skew allowance, so a clock a little
 * behind isn't taken for a hello recorded before a relay restart. A clock
 * beyond the allowance keeps its own time and is refused with that reason.
 */
export function helloIssuedAt(nowMs: number, challengeServerTime: string): string {
  const server = Date.parse(challengeServerTime);
  const floor = Number.isFinite(server) && nowMs < server && server - nowMs <= MAX_FUTURE_SKEW_MS ? server : nowMs;
  return new Date(floor).toISOString();
}

export type ConnectionState = 'connecting' | 'connected' | 'disconnected';

export interface RelayConnectionOptions {
  /** Relay instances in order: a connection that fails or is lost moves on to the next (same pinned key). */
  urls: readonly string[];
  allowInsecure: boolean;
  tlsPin?: string;
  deviceId: string;
  deviceKey: Ed25519KeyPair;
  /** The relay key pinned in policy: a challenge naming another key is refused before any proof is signed. */
  relayPublicKey?: string;
  agentVersion: string;
  /** Asked at each connect: the one-time enrollment token while not yet enrolled. */
  enrollmentToken?: () => string | undefined;
  onWelcome?: (welcome: Message<'welcome'>) => void;
  onMessage: (msg: CoreInbound) => void;
  /** Binary data-channel frames (only after welcome). */
  onBinary?: (frame: Uint8Array) => void;
  /** `lost` is true when an established (welcomed) connection went away; `url` is the relay it concerns. */
  onState: (state: ConnectionState, info: { lost: boolean; url: string; detail?: string }) => void;
  clock: Clock;
  backoff?: BackoffOptions;
  heartbeatMs?: number;
  silenceMs?: number;
  /** Extra ws options (tests: a private CA). */
  wsOptions?: ClientOptions;
  /**
   * Why a connect failed (DNS, refused, TLS, pin, HTTP status, relay refusal), rate-limited:
   * a new cause at once, the same cause again at most every `failureRepeatMs` (default 5 min).
   */
  onConnectFailure?: (failure: ConnectFailure) => void;
  failureRepeatMs?: number;
  /**
   * The relay dropped this connection because an admin re-keyed the device: this key is no longer enrolled, so
   * the connection stops trying (every retry would be refused) and the user must be told why.
   */
  onKeyRevoked?: (detail: string) => void;
}

export class RelayConnection {
  private ws: WebSocket | undefined;
  private welcomed = false;
  /** The TLS socket's exported keying material (null on plain ws), read at upgrade. */
  private tlsExporter: string | null = null;
  private helloSent = false;
  private stopped = true;
  private attempt = 0;
  private urlIndex = 0;
  private timers: { reconnect?: unknown; ping?: unknown; watchdog?: unknown } = {};
  private lastReported: { detail: string; at: number } | undefined;
  private latestFailure: ConnectFailure | undefined;
  /** Sockets the relay refused with an error frame: that refusal is their cause. */
  private readonly refused = new WeakSet<WebSocket>();

  constructor(private readonly o: RelayConnectionOptions) {}

  /** The cause of the last failed connect, until a connect succeeds. */
  get failure(): ConnectFailure | undefined {
    return this.latestFailure;
  }

  get connected(): boolean {
    return this.welcomed && this.ws?.readyState === WebSocket.OPEN;
  }

  /** The relay this connection uses now (or tries next). */
  get url(): string {
    return this.o.urls[this.urlIndex]!;
  }

  start(): { ok: true } | { ok: false; detail: string } {
    if (this.o.urls.length === 0) return { ok: false, detail: 'no relay URL is configured' };
    for (const url of this.o.urls) {
      const check = checkRelayUrl(url, this.o.allowInsecure);
      if (!check.ok) return this.o.urls.length > 1 ? { ok: false, detail: `${url}: ${check.detail}` } : check;
    }
    this.stopped = false;
    this.connect();
    return { ok: true };
  }

  stop(): Promise<void> {
    this.stopped = true;
    this.clearTimers();
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      ws.once('close', () => resolve());
      ws.close(1000, 'agent stopping');
      const t = setTimeout(() => ws.terminate(), 2000);
      t.unref();
    });
  }

  /** Send if connected and welcomed; false otherwise (the caller has already audited). */
  send(msg: Message): boolean {
    if (!this.connected) return false;
    this.ws!.send(encodeFrame(msg));
    return true;
  }

  /** Send a binary data-channel frame if connected and welcomed. */
  sendBinary(frame: Uint8Array): boolean {
    if (!this.connected) return false;
    this.ws!.send(frame, { binary: true });
    return true;
  }

  private connect(): void {
    this.o.onState('connecting', { lost: false, url: this.url });
    const options: ClientOptions = { maxPayload: MAX_FRAME_BYTES, handshakeTimeout: 10_000, perMessageDeflate: false, ...this.o.wsOptions };
    if (this.o.tlsPin) options.checkServerIdentity = pinnedServerIdentity(this.o.tlsPin) as unknown as ClientOptions['checkServerIdentity'];
    const ws = new WebSocket(this.url, [AGENT_SUBPROTOCOL], options);
    this.ws = ws;
    this.welcomed = false;
    let cause: Promise<ConnectFailure> | undefined;
    this.helloSent = false;
    this.tlsExporter = null;
    ws.on('upgrade', (res) => (this.tlsExporter = tlsExporterOf(res.socket)));
    ws.on('open', () => {
      // The hello waits for the relay's challenge (onFrame).
      this.touch();
      this.o.clock.clearTimeout(this.timers.ping);
      this.schedulePing(ws);
    });
    ws.on('message', (data, isBinary) => {
      this.touch();
      if (isBinary && this.welcomed && ws === this.ws) return this.o.onBinary?.(toBytes(data));
      this.onFrame(ws, isBinary ? undefined : data.toString());
    });
    ws.on('pong', () => this.touch());
    ws.on('ping', () => this.touch());
    ws.on('error', (err) => {
      // 'close' follows; the cause is named once the diagnosis (maybe a TLS probe) is in.
      if (!this.welcomed) cause = diagnoseConnectFailure(this.url, err);
    });
    ws.on('close', (code, reason) => {
      if (!this.welcomed && !this.refused.has(ws)) {
        const text = reason.toString();
        const closed = { kind: 'closed', detail: `the relay closed the connection before welcome (close code ${code}${text ? `: ${text}` : ''})` } as const;
        void (cause ?? Promise.resolve(closed)).then((f) => this.reportFailure(f));
      }
      this.onClose(ws, code, reason.toString('utf8'));
    });
  }

  private answerChallenge(ws: WebSocket, challenge: Message<'challenge'>): void {
    if (this.helloSent) return;
    const refuse = (detail: string) => {
      this.o.onState('disconnected', { lost: false, url: this.url, detail: `agent refused the relay: ${detail}` });
      ws.close(1000, 'refused');
    };
    const pinned = this.o.relayPublicKey === undefined ? undefined : keyFingerprint(this.o.relayPublicKey);
    if (pinned !== undefined && challenge.relayKeyFingerprint !== pinned) {
      return refuse(`the relay presents key ${challenge.relayKeyFingerprint}, the policy pins ${pinned}`);
    }
    if (challenge.channelBinding === 'tls-exporter' && this.tlsExporter === null) return refuse('the relay asks for a TLS channel binding on a plain connection');
    const channel = challenge.channelBinding === 'tls-exporter' ? { channelBinding: 'tls-exporter' as const, tlsExporter: this.tlsExporter } : { channelBinding: 'none' as const, tlsExporter: null };
    const fields = { deviceId: this.o.deviceId, devicePublicKey: this.o.deviceKey.publicKey, nonce: randomBytes(18).toString('base64url'), issuedAt: helloIssuedAt(this.o.clock.now(), challenge.serverTime) };
    const context = { challenge: challenge.challenge, relayKeyFingerprint: pinned ?? challenge.relayKeyFingerprint, ...channel };
    const token = this.o.enrollmentToken?.();
    const hello: Message<'hello'> = {
      v: 1,
      type: 'hello',
      id: newMessageId(),
      role: 'agent',
      agentVersion: this.o.agentVersion,
      ...fields,
      challenge: challenge.challenge,
      proof: signHelloProof(fields, context, this.o.deviceKey),
      ...(token ? { enrollmentToken: token } : {}),
    };
    this.helloSent = true;
    ws.send(encodeFrame(hello));
  }

  private onFrame(ws: WebSocket, text: string | undefined): void {
    const parsed = parseFrame(text, ACCEPTED_BY.agentFromRelay);
    if (!parsed.ok) {
      if (ws.readyState === WebSocket.OPEN) ws.send(encodeFrame(errorMessage(parsed.code, parsed.detail, parsed.re)));
      return;
    }
    const msg = parsed.msg;
    if (!this.welcomed) {
      if (msg.type === 'challenge') {
        this.answerChallenge(ws, msg);
      } else if (msg.type === 'welcome') {
        this.welcomed = true;
        this.attempt = 0;
        this.latestFailure = undefined;
        this.lastReported = undefined;
        this.o.onWelcome?.(msg);
        this.o.onState('connected', { lost: false, url: this.url });
      } else if (msg.type === 'error') {
        const detail = `relay refused the agent: ${msg.code}${msg.detail ? ` (${msg.detail})` : ''}`;
        this.refused.add(ws);
        this.reportFailure({ kind: 'relay-refused', detail });
        this.o.onState('disconnected', { lost: false, url: this.url, detail });
        ws.close(1000, 'refused');
      } else {
        ws.send(encodeFrame(errorMessage('unexpected-type', `${msg.type} before welcome`, msg.id)));
      }
      return;
    }
    if (msg.type === 'welcome' || msg.type === 'challenge') return;
    this.o.onMessage(msg as CoreInbound);
  }

  private onClose(ws: WebSocket, code: number, reason: string): void {
    if (ws !== this.ws) return;
    const lost = this.welcomed;
    this.welcomed = false;
    this.clearTimers();
    this.ws = undefined;
    // The reason says why (e.g. 4003: the device was re-keyed by an admin).
    this.o.onState('disconnected', { lost, url: this.url, detail: `connection closed (${code}${reason ? `: ${reason}` : ''})` });
    if (code === PROTOCOL_CLOSE.rekeyed && !this.stopped) {
      this.stopped = true;
      this.o.onKeyRevoked?.(reason || 'the device was re-keyed by an admin; this key is no longer enrolled');
      return;
    }
    if (this.stopped) return;
    // Fail over in order; the backoff still paces attempts, whichever instance they go to.
    this.urlIndex = (this.urlIndex + 1) % this.o.urls.length;
    const delay = backoffDelay(this.attempt++, this.o.backoff);
    this.timers.reconnect = this.o.clock.setTimeout(() => {
      if (!this.stopped) this.connect();
    }, delay);
  }

  private reportFailure(failure: ConnectFailure): void {
    if (this.stopped) return;
    this.latestFailure = failure;
    const now = this.o.clock.now();
    const last = this.lastReported;
    if (last && last.detail === failure.detail && now - last.at < (this.o.failureRepeatMs ?? CONNECT_FAILURE_REPEAT_MS)) return;
    this.lastReported = { detail: failure.detail, at: now };
    this.o.onConnectFailure?.(failure);
  }

  private schedulePing(ws: WebSocket): void {
    this.timers.ping = this.o.clock.setTimeout(() => {
      if (ws.readyState !== WebSocket.OPEN) return;
      ws.ping();
      this.schedulePing(ws);
    }, this.o.heartbeatMs ?? 30_000);
  }

  /** Any sign of life re-arms the watchdog; silence beyond the limit drops the socket. */
  private touch(): void {
    const ws = this.ws;
    this.o.clock.clearTimeout(this.timers.watchdog);
    this.timers.watchdog = this.o.clock.setTimeout(() => ws?.terminate(), this.o.silenceMs ?? 35_000);
  }

  private clearTimers(): void {
    for (const t of Object.values(this.timers)) this.o.clock.clearTimeout(t);
    this.timers = {};
  }
}

function toBytes(data: WebSocket.RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}
