// A scripted agent for relay tests, built on src/protocol only: waits for the
// relay's challenge, answers with a hello whose key proof signs it (and an
// enrollment token on first connect), then answers each session.request the
// way the test says. Like the real agent it signs what it reports with its
// device key (a frame that already carries a deviceSig, or one sent with
// sendUnsigned, goes as it is).
import WebSocket from 'ws';
import { randomBytes } from 'node:crypto';
import { encodeFrame, newMessageId, parseFrame } from '../../src/protocol/frame.js';
import { ACCEPTED_BY, AGENT_SUBPROTOCOL, agreedWindowFor, type Message } from '../../src/protocol/messages.js';
import { generateEd25519KeyPair, signAgreedWindow, signHelloProof, tlsExporterOf, type Ed25519KeyPair, type HelloConnectionContext } from '../../src/protocol/index.js';
import type { Scope } from '../../src/protocol/scopes.js';
import { describeFrames, within } from '../support/bounded-wait.js';
import { DeviceSigner } from '../../src/core/identity/device-signer.js';

export type Answer = (req: Message<'session.request'>, agent: ScriptedAgent) => Message[];

export class ScriptedAgent {
  readonly received: Message[] = [];
  /** Every frame that arrived, taken or not: what a failed wait reports. */
  private readonly arrived: Message[] = [];
  answer: Answer = () => [];
  /** How this agent answers a proposed window (issue 20); default: no answer. */
  answerSchedule: (req: Message<'schedule.request'>, agent: ScriptedAgent) => Message[] = () => [];
  private waiters: Array<{ pick: (m: Message) => boolean; resolve: (m: Message) => void }> = [];
  private readonly signer: DeviceSigner;

  constructor(
    readonly ws: WebSocket,
    readonly deviceId: string,
    readonly key: Ed25519KeyPair = generateEd25519KeyPair(),
  ) {
    this.signer = new DeviceSigner(deviceId, key);
    ws.on('message', (data) => {
      const parsed = parseFrame(data.toString('utf8'), ACCEPTED_BY.agentFromRelay);
      if (!parsed.ok) return;
      const msg = parsed.msg;
      this.signer.observe(msg);
      this.received.push(msg);
      this.arrived.push(msg);
      for (const w of [...this.waiters]) {
        if (w.pick(msg)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(msg);
        }
      }
      if (msg.type === 'session.request') for (const out of this.answer(msg, this)) this.send(out);
      if (msg.type === 'schedule.request') for (const out of this.answerSchedule(msg, this)) this.send(out);
    });
  }

  send(msg: Message): void {
    const signed = 'deviceSig' in msg && msg.deviceSig !== undefined ? msg : this.signer.sign(msg);
    this.ws.send(encodeFrame(signed));
  }

  /** The frame exactly as given: no device signature is added. */
  sendUnsigned(msg: Message): void {
    this.ws.send(encodeFrame(msg));
  }

  /** `ms`: for a frame that comes only after a long, self-bounded loop of the test's own. */
  next<T extends Message['type']>(type: T, ms?: number): Promise<Message<T>> {
    const have = this.received.find((m) => m.type === type);
    if (have) {
      this.received.splice(this.received.indexOf(have), 1);
      return Promise.resolve(have as Message<T>);
    }
    const waiter = { pick: (m: Message) => m.type === type && (this.received.splice(this.received.indexOf(m), 1), true), resolve: (_: Message) => {} };
    const arrival = new Promise<Message<T>>((resolve) => {
      waiter.resolve = resolve as (m: Message) => void;
      this.waiters.push(waiter);
    });
    return within(arrival, `${type} at agent ${this.deviceId}`, () => describeFrames(this.arrived), ms === undefined ? {} : { ms }).finally(() => {
      if (this.waiters.includes(waiter)) this.waiters.splice(this.waiters.indexOf(waiter), 1);
    });
  }

  close(): Promise<void> {
    const closed = new Promise<void>((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
    return within(closed, `agent ${this.deviceId}'s socket to close`, () => `readyState ${this.ws.readyState}`);
  }
}

export interface AgentHelloOptions {
  deviceId: string;
  key?: Ed25519KeyPair;
  enrollmentToken?: string;
  issuedAt?: string;
  nonce?: string;
  /** Extra CA to trust for wss:// (PEM). */
  ca?: Buffer;
  /** Attack hooks: change what the proof signs, or the hello sent, after the challenge arrived. */
  context?: (ctx: HelloConnectionContext) => HelloConnectionContext;
  tamper?: (hello: Message<'hello'> & { role: 'agent' }, challenge: Message<'challenge'>) => Message<'hello'>;
  /** Called with the hello as sent (a recording attacker's capture). */
  onHello?: (hello: Message<'hello'>) => void;
  /** Called with the close code if the relay closes this connection. */
  onClose?: (code: number) => void;
}

export type ConnectAgentResult = { ok: true; agent: ScriptedAgent; welcome: Message<'welcome'> } | { ok: false; error: Message<'error'> | null };

/** Open an agent connection and resolve with the relay's challenge (the raw socket stays open). */
export function openAgentSocket(url: string, ca?: Buffer): Promise<{ ws: WebSocket; challenge: Message<'challenge'>; tlsExporter: string | null }> {
  let state = 'connecting';
  const opened = new Promise<{ ws: WebSocket; challenge: Message<'challenge'>; tlsExporter: string | null }>((resolve, reject) => {
    const ws = new WebSocket(url, [AGENT_SUBPROTOCOL], ca ? { ca } : {});
    let tlsExporter: string | null = null;
    ws.on('upgrade', (res) => {
      tlsExporter = tlsExporterOf(res.socket);
      state = 'upgraded, no challenge yet';
    });
    ws.once('message', (data) => {
      const parsed = parseFrame(data.toString('utf8'), ['challenge']);
      if (parsed.ok && parsed.msg.type === 'challenge') resolve({ ws, challenge: parsed.msg, tlsExporter });
      else reject(new Error(`expected a challenge first, got ${data.toString('utf8').slice(0, 200)}`));
    });
    ws.once('close', (code) => (state = `closed with ${code} before a challenge`));
    ws.once('error', reject);
  });
  return within(opened, `the relay's challenge at ${url}`, () => state);
}

/** Send a frame on a raw agent socket and resolve with the relay's answer (welcome or error) and the close code. */
export function sendAndAwaitAnswer(ws: WebSocket, frame: string): Promise<{ answer: Message | null; closeCode: number | null }> {
  return new Promise((resolve) => {
    let answer: Message | null = null;
    const timer = setTimeout(() => resolve({ answer, closeCode: null }), 3000);
    ws.once('message', (data) => {
      const parsed = parseFrame(data.toString('utf8'), ['welcome', 'error']);
      answer = parsed.ok ? parsed.msg : null;
      if (answer?.type === 'welcome') {
        clearTimeout(timer);
        resolve({ answer, closeCode: null });
      }
    });
    ws.once('close', (code) => {
      clearTimeout(timer);
      resolve({ answer, closeCode: code });
    });
    ws.send(frame);
  });
}

/** Connect, answer the challenge with a hello; resolves with the agent or the relay's error. */
export async function connectAgent(url: string, opts: AgentHelloOptions): Promise<ConnectAgentResult> {
  const key = opts.key ?? generateEd25519KeyPair();
  let opened: Awaited<ReturnType<typeof openAgentSocket>>;
  try {
    opened = await openAgentSocket(url, opts.ca);
  } catch {
    return { ok: false, error: null };
  }
  const { ws, challenge, tlsExporter } = opened;
  const agent = new ScriptedAgent(ws, opts.deviceId, key);
  if (opts.onClose) ws.once('close', opts.onClose);
  const fields = {
    deviceId: opts.deviceId,
    devicePublicKey: key.publicKey,
    issuedAt: opts.issuedAt ?? new Date().toISOString(),
    nonce: opts.nonce ?? randomBytes(18).toString('base64url'),
  };
  const base: HelloConnectionContext = { challenge: challenge.challenge, relayKeyFingerprint: challenge.relayKeyFingerprint, channelBinding: challenge.channelBinding, tlsExporter };
  const ctx = opts.context ? opts.context(base) : base;
  const signed: Message<'hello'> & { role: 'agent' } = {
    v: 1,
    type: 'hello',
    id: newMessageId(),
    role: 'agent',
    agentVersion: 'scripted-0.1',
    ...fields,
    challenge: challenge.challenge,
    proof: signHelloProof(fields, ctx, key),
    ...(opts.enrollmentToken ? { enrollmentToken: opts.enrollmentToken } : {}),
  };
  const hello = opts.tamper ? opts.tamper(signed, challenge) : signed;
  opts.onHello?.(hello);
  const { answer } = await sendAndAwaitAnswer(ws, encodeFrame(hello));
  if (answer?.type === 'welcome') return { ok: true, agent, welcome: answer };
  return { ok: false, error: answer?.type === 'error' ? answer : null };
}

// ---- ready-made answers ------------------------------------------------------------

const at = () => new Date().toISOString();

export function decide(req: Message<'session.request'>, outcome: Message<'session.decision'>['outcome'], granted: Scope[], extra: Partial<Message<'session.decision'>> = {}): Message<'session.decision'> {
  const p = req.payload;
  return {
    v: 1,
    type: 'session.decision',
    id: newMessageId(),
    requestId: p.requestId,
    outcome,
    granted,
    declined: p.scopes.filter((s) => !granted.includes(s)),
    decidedBy: outcome === 'expired' ? 'timeout' : outcome === 'blocked' ? 'policy' : outcome === 'no-user-present' ? 'no-user' : 'user',
    decidedAt: at(),
    ...extra,
  };
}

/** Accept `granted` (default all), start the session, end it at once and send the summary. */
export function acceptAndFinish(granted?: Scope[]): Answer {
  return (req) => {
    const p = req.payload;
    const scopes = granted ?? p.scopes;
    const sessionId = `ses-${p.requestId}`;
    const startedAt = at();
    const endsAt = new Date(Date.now() + p.estimatedMinutes * 60_000).toISOString();
    const outcome = scopes.length === p.scopes.length ? 'accepted' : 'partial';
    return [
      decide(req, outcome, scopes, { sessionId, grantedMinutes: p.estimatedMinutes }),
      { v: 1, type: 'session.started', id: newMessageId(), sessionId, requestId: p.requestId, scopes: scopes as [Scope, ...Scope[]], mode: p.mode, startedAt, endsAt },
      { v: 1, type: 'session.end', id: newMessageId(), sessionId, by: 'user', reason: 'done' },
      {
        v: 1,
        type: 'session.summary',
        id: newMessageId(),
        summary: {
          sessionId,
          requestId: p.requestId,
          deviceId: p.deviceId,
          technician: p.technician,
          ticket: p.ticket,
          mode: p.mode,
          scopesGranted: scopes,
          scopesUsed: scopes.slice(0, 1),
          startedAt,
          endedAt: at(),
          durationSec: 0,
          files: [],
          narrationCount: 0,
          endedBy: 'user',
        },
      },
    ];
  };
}

/** Accept and start, then keep the session open (the test drives the rest). */
export function acceptAndStay(): Answer {
  return (req) => {
    const p = req.payload;
    const sessionId = `ses-${p.requestId}`;
    return [
      decide(req, 'accepted', p.scopes, { sessionId }),
      { v: 1, type: 'session.started', id: newMessageId(), sessionId, requestId: p.requestId, scopes: p.scopes, mode: p.mode, startedAt: at(), endsAt: new Date(Date.now() + 600_000).toISOString() },
    ];
  };
}

export const decline: Answer = (req) => [decide(req, 'declined', [])];
export const expire: Answer = (req) => [decide(req, 'expired', [])];
export const block: Answer = (req) => [decide(req, 'blocked', [], { code: 'policy-blocked', detail: 'admin scope is not allowed on this device' })];

/** Agree to a proposed window as the real agent does: the window signed by this agent's device key. */
export function agreeWindow(req: Message<'schedule.request'>, agent: ScriptedAgent, scopes = req.payload.scopes): Message[] {
  const p = req.payload;
  const window = agreedWindowFor(p, { windowId: `win-${randomBytes(6).toString('hex')}`, deviceId: agent.deviceId, scopes, agreedAt: new Date().toISOString() });
  const agreed = signAgreedWindow(window, agent.key);
  return [{ v: 1, type: 'schedule.decision', id: newMessageId(), requestId: p.requestId, outcome: 'agreed', decidedBy: 'user', decidedAt: window.agreedAt, agreed }];
}
