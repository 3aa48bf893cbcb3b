// A scripted agent for relay tests, built on src/protocol only: hello with a
// key proof (and enrollment token on first connect), then answers each
// session.request the way the test says.
import WebSocket from 'ws';
import { randomBytes } from 'node:crypto';
import { encodeFrame, newMessageId, parseFrame } from '../../src/protocol/frame.js';
import { ACCEPTED_BY, type Message } from '../../src/protocol/messages.js';
import { generateEd25519KeyPair, signHelloProof, type Ed25519KeyPair } from '../../src/protocol/index.js';
import type { Scope } from '../../src/protocol/scopes.js';
import { describeFrames, within } from '../support/bounded-wait.js';

export type Answer = (req: Message<'session.request'>, agent: ScriptedAgent) => Message[];

export class ScriptedAgent {
  readonly received: Message[] = [];
  /** Every frame ever received, also those a next() took out of `received` (for failed waits). */
  private readonly history: Message[] = [];
  answer: Answer = () => [];
  private waiters: Array<{ pick: (m: Message) => boolean; resolve: (m: Message) => void }> = [];

  constructor(
    readonly ws: WebSocket,
    readonly deviceId: string,
  ) {
    ws.on('message', (data) => {
      const parsed = parseFrame(data.toString('utf8'), ACCEPTED_BY.agentFromRelay);
      if (!parsed.ok) return;
      const msg = parsed.msg;
      this.received.push(msg);
      this.history.push(msg);
      for (const w of [...this.waiters]) {
        if (w.pick(msg)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(msg);
        }
      }
      if (msg.type === 'session.request') for (const out of this.answer(msg, this)) this.send(out);
    });
  }

  send(msg: Message): void {
    this.ws.send(encodeFrame(msg));
  }

  next<T extends Message['type']>(type: T): Promise<Message<T>> {
    const have = this.received.find((m) => m.type === type);
    if (have) {
      this.received.splice(this.received.indexOf(have), 1);
      return Promise.resolve(have as Message<T>);
    }
    const waiter = { pick: (m: Message) => m.type === type && (this.received.splice(this.received.indexOf(m), 1), true), resolve: (_: Message) => {} };
    const found = new Promise<Message<T>>((resolve) => {
      waiter.resolve = resolve as (m: Message) => void;
      this.waiters.push(waiter);
    });
    const seen = () => `${describeFrames(this.history)}; socket state ${this.ws.readyState}`;
    return within(found, `a ${type} frame for agent ${this.deviceId}`, seen).finally(() => {
      this.waiters = this.waiters.filter((w) => w !== waiter);
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
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
}

/** Connect and say hello; resolves with the agent or the relay's error. */
export function connectAgent(url: string, opts: AgentHelloOptions): Promise<{ ok: true; agent: ScriptedAgent; welcome: Message<'welcome'> } | { ok: false; error: Message<'error'> | null }> {
  const key = opts.key ?? generateEd25519KeyPair();
  const issuedAt = opts.issuedAt ?? new Date().toISOString();
  const nonce = opts.nonce ?? randomBytes(18).toString('base64url');
  const answered = new Promise<{ ok: true; agent: ScriptedAgent; welcome: Message<'welcome'> } | { ok: false; error: Message<'error'> | null }>((resolve) => {
    const ws = new WebSocket(url, opts.ca ? { ca: opts.ca } : {});
    const agent = new ScriptedAgent(ws, opts.deviceId);
    ws.once('message', (data) => {
      const parsed = parseFrame(data.toString('utf8'), ['welcome', 'error']);
      if (parsed.ok && parsed.msg.type === 'welcome') resolve({ ok: true, agent, welcome: parsed.msg });
      else resolve({ ok: false, error: parsed.ok && parsed.msg.type === 'error' ? parsed.msg : null });
    });
    ws.on('error', () => resolve({ ok: false, error: null }));
    ws.on('open', () => {
      const hello: Message<'hello'> = {
        v: 1,
        type: 'hello',
        id: newMessageId(),
        role: 'agent',
        deviceId: opts.deviceId,
        devicePublicKey: key.publicKey,
        agentVersion: 'scripted-0.1',
        issuedAt,
        nonce,
        proof: signHelloProof(opts.deviceId, nonce, issuedAt, key),
        ...(opts.enrollmentToken ? { enrollmentToken: opts.enrollmentToken } : {}),
      };
      ws.send(encodeFrame(hello));
    });
  });
  return within(answered, `the relay to answer the hello of ${opts.deviceId}`, () => 'no welcome and no error');
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
