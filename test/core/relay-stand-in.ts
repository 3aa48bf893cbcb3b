// A minimal relay for agent tests: a real ws server on 127.0.0.1:0 that
// challenges each agent connection and welcomes an agent whose hello proof
// signs that challenge, signs requests with a test
// relay key, and records every frame the agent sends.
import { WebSocketServer, type WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import { describeFrames, within } from '../support/bounded-wait.js';
import { randomBytes } from 'node:crypto';
import { AGENT_SUBPROTOCOL, generateEd25519KeyPair, keyFingerprint, parseFrame, signScopeRequest, signSessionRequest, verifyHelloProof, type HelloConnectionContext, type Ed25519KeyPair, type Message, type MessageType, type ScopeRequestPayload, type SessionRequestPayload } from '../../src/protocol/index.js';

export interface StandInOptions {
  relayKey?: Ed25519KeyPair;
  /** A rogue relay lying about its key: the fingerprint its challenge claims (default: its own key's). */
  claimRelayKeyFingerprint?: string;
  /** Answer hello with error unauthorized instead of welcome. */
  refuse?: boolean;
  /** Called with each parsed agent frame before it is recorded (e.g. to check the audit log at that instant). */
  onFrame?: (msg: Message) => void;
  /** Answer every anchored report with `session.recorded`, as the relay does once it wrote it (default true). */
  acknowledge?: boolean;
}

export class RelayStandIn {
  readonly received: Message[] = [];
  readonly hellos: Message<'hello'>[] = [];
  /** The challenge sent on each agent connection, in order. */
  readonly challenges: string[] = [];
  readonly badFrames: string[] = [];
  /** Close code of every agent connection that closed, in order. */
  readonly closeCodes: number[] = [];
  private sockets = new Set<WebSocket>();
  private agent: WebSocket | undefined;
  private waiters: { pred: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];
  private connectWaiters: (() => void)[] = [];
  private closeWaiters: (() => void)[] = [];
  readonly relayKey: Ed25519KeyPair;
  /** More context for a failed wait's message (the harness adds what the UI showed). */
  alsoSeen: () => string = () => '';

  private constructor(
    private readonly server: WebSocketServer,
    private readonly o: StandInOptions,
  ) {
    this.relayKey = o.relayKey ?? generateEd25519KeyPair();
    this.acknowledge = o.acknowledge ?? true;
  }

  static async start(o: StandInOptions = {}): Promise<RelayStandIn> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (p) => (p.has(AGENT_SUBPROTOCOL) ? AGENT_SUBPROTOCOL : false) });
    await new Promise<void>((r) => server.once('listening', () => r()));
    const relay = new RelayStandIn(server, o);
    server.on('connection', (ws) => relay.onConnection(ws));
    return relay;
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get openSockets(): number {
    return this.sockets.size;
  }

  get connections(): number {
    return this.hellos.length;
  }

  private onConnection(ws: WebSocket): void {
    this.sockets.add(ws);
    const context: HelloConnectionContext = {
      challenge: randomBytes(32).toString('base64url'),
      relayKeyFingerprint: this.o.claimRelayKeyFingerprint ?? keyFingerprint(this.relayKey.publicKey),
      channelBinding: 'none',
      tlsExporter: null,
    };
    const { challenge, relayKeyFingerprint, channelBinding } = context;
    this.challenges.push(challenge);
    ws.send(JSON.stringify({ v: 1, type: 'challenge', id: 'c-1', challenge, relayKeyFingerprint, channelBinding, serverTime: new Date().toISOString() }));
    ws.on('close', (code) => {
      this.sockets.delete(ws);
      if (ws === this.agent) {
        this.closeCodes.push(code);
        this.agent = undefined;
        for (const w of this.closeWaiters.splice(0)) w();
      }
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        this.binary.push(new Uint8Array(data as Buffer));
        for (const w of this.binaryWaiters.splice(0)) w();
        return;
      }
      const parsed = parseFrame(data.toString());
      if (!parsed.ok) {
        this.badFrames.push(data.toString());
        return;
      }
      const msg = parsed.msg;
      if (msg.type === 'hello' && msg.role === 'agent') {
        this.hellos.push(msg);
        if (this.o.refuse || !verifyHelloProof(msg, context)) {
          ws.send(JSON.stringify({ v: 1, type: 'error', id: 'e-hello', code: 'unauthorized', re: msg.id }));
          return;
        }
        this.agent = ws;
        ws.send(JSON.stringify({ v: 1, type: 'welcome', id: `w-${this.hellos.length}`, role: 'agent', serverTime: new Date().toISOString(), heartbeatSec: 30, deviceId: msg.deviceId }));
        for (const w of this.connectWaiters.splice(0)) w();
        return;
      }
      this.o.onFrame?.(msg);
      this.received.push(msg);
      if (this.acknowledge) this.acknowledgeReport(msg);
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(msg)) return true;
        w.resolve(msg);
        return false;
      });
    });
  }

  /** Whether anchored reports are answered with `session.recorded` (tests may switch it off and on). */
  acknowledge: boolean;

  private acknowledgeReport(msg: Message): void {
    const report = msg.type === 'session.late' ? msg.report : msg;
    if (!('audit' in report) || report.audit === undefined) return;
    this.send({ v: 1, type: 'session.recorded', id: `rec-${report.id}`, re: msg.id, agentSeq: report.audit.seq });
  }

  /** Resolves once an agent has been welcomed (now or later). */
  whenAgentConnected(): Promise<void> {
    if (this.agent) return Promise.resolve();
    return within(new Promise<void>((r) => this.connectWaiters.push(r)), 'an agent to be welcomed', () => this.seen());
  }

  whenAgentGone(): Promise<void> {
    if (!this.agent) return Promise.resolve();
    return within(new Promise<void>((r) => this.closeWaiters.push(r)), 'the agent connection to close', () => this.seen());
  }

  /** What the stand-in has seen so far, for a failed wait's message. */
  private seen(): string {
    const bad = this.badFrames.length > 0 ? `; ${this.badFrames.length} unparsable frame(s)` : '';
    const agent = `${this.hellos.length} hello(s), agent ${this.agent ? 'connected' : 'not connected'}, close codes [${this.closeCodes.join(', ')}]`;
    const more = this.alsoSeen();
    return `${agent}, ${describeFrames(this.received)}${bad}${more ? `; ${more}` : ''}`;
  }

  /** The first message (already received or future) of this type matching pred. */
  waitFor<T extends MessageType>(type: T, pred: (m: Message<T>) => boolean = () => true): Promise<Message<T>> {
    const match = (m: Message) => m.type === type && pred(m as Message<T>);
    const seen = this.received.find(match);
    if (seen) return Promise.resolve(seen as Message<T>);
    const waiter = { pred: match, resolve: (_: Message) => {} };
    const found = new Promise<Message<T>>((resolve) => {
      waiter.resolve = resolve as (m: Message) => void;
      this.waiters.push(waiter);
    });
    return within(found, `a ${type} frame from the agent${pred.length > 0 ? ' matching the test' : ''}`, () => this.seen()).finally(() => {
      this.waiters = this.waiters.filter((w) => w !== waiter);
    });
  }

  ofType<T extends MessageType>(type: T): Message<T>[] {
    return this.received.filter((m) => m.type === type) as Message<T>[];
  }

  /** Binary (data-channel) frames the agent sent, in order. */
  readonly binary: Uint8Array[] = [];
  private binaryWaiters: Array<() => void> = [];

  /** Resolves once at least `n` binary frames arrived. */
  async binaryFrames(n: number): Promise<Uint8Array[]> {
    const end = Date.now() + 4000;
    while (this.binary.length < n) {
      if (Date.now() > end) throw new Error(`waited 4000 ms for ${n} binary frames; saw ${this.binary.length}`);
      await new Promise<void>((resolve) => {
        this.binaryWaiters.push(resolve);
        setTimeout(resolve, 50).unref();
      });
    }
    return this.binary.slice(0, n);
  }

  sendBinary(frame: Uint8Array): void {
    this.agent?.send(frame, { binary: true });
  }

  sendRaw(text: string): void {
    if (!this.agent) throw new Error('no agent connected');
    this.agent.send(text);
  }

  send(msg: Message): void {
    this.sendRaw(JSON.stringify(msg));
  }

  sendRequest(payload: SessionRequestPayload, key: Ed25519KeyPair = this.relayKey): Message<'session.request'> {
    const msg = signSessionRequest(payload, key);
    this.send(msg);
    return msg;
  }

  sendScopeRequest(payload: ScopeRequestPayload, key: Ed25519KeyPair = this.relayKey): Message<'session.scope-request'> {
    const msg = signScopeRequest(payload, key);
    this.send(msg);
    return msg;
  }

  /** Close the agent's connection with a code and reason, as the relay does. */
  closeAgent(code: number, reason: string): void {
    this.agent?.close(code, reason);
  }

  /** Cut the agent's connection without a close handshake. */
  dropAgent(): void {
    this.agent?.terminate();
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
