// The technician side of the protocol for Node (the `request` and `session`
// commands): connect, authenticate with the API token, then exchange frames.
import { rootCertificates } from 'node:tls';
import WebSocket from 'ws';
import { ACCEPTED_BY, type Message, type Technician } from '../../protocol/messages.js';
import { encodeFrame, newMessageId, parseFrame } from '../../protocol/frame.js';
import type { ErrorCode } from '../../protocol/error-codes.js';

export type TechnicianConnectResult =
  | { ok: true; client: TechnicianClient }
  | { ok: false; code: ErrorCode | 'connect-failed'; detail: string };

export class TechnicianClient {
  private listeners = new Set<(msg: Message) => void>();
  private closedListeners = new Set<() => void>();
  private binaryListeners = new Set<(frame: Uint8Array) => void>();

  constructor(
    private readonly ws: WebSocket,
    readonly technician: Technician,
    /** The relay key fingerprint its welcome named (null from a relay that names none). */
    readonly relayKeyFingerprint: string | null = null,
    /** From the welcome: when this token stops working, and whether this sign-in proved a second factor. */
    readonly account: { tokenExpiresAt?: string; mfa: boolean } = { mfa: false },
  ) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        const frame = toBytes(data);
        for (const l of this.binaryListeners) l(frame);
        return;
      }
      const parsed = parseFrame(data.toString('utf8'), ACCEPTED_BY.technicianFromRelay);
      if (parsed.ok) for (const l of this.listeners) l(parsed.msg);
    });
    ws.on('close', () => {
      for (const l of this.closedListeners) l();
    });
  }

  onMessage(listener: (msg: Message) => void): void {
    this.listeners.add(listener);
  }

  /** Binary data-channel frames (each listener picks its own channel); returns the unsubscribe. */
  onBinary(listener: (frame: Uint8Array) => void): () => void {
    this.binaryListeners.add(listener);
    return () => this.binaryListeners.delete(listener);
  }

  sendBinary(frame: Uint8Array): void {
    if (this.isOpen) this.ws.send(frame, { binary: true });
  }

  onClose(listener: () => void): void {
    this.closedListeners.add(listener);
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(msg: Message): void {
    if (this.isOpen) this.ws.send(encodeFrame(msg));
  }

  /**
   * Resolve with the first message matching `pick` (or null if the socket closes first).
   * Whichever comes first removes both listeners, so waits that are over hold nothing.
   */
  waitFor<T>(pick: (msg: Message) => T | undefined): Promise<T | null> {
    return new Promise((resolve) => {
      const finish = (result: T | null) => {
        this.listeners.delete(onMsg);
        this.closedListeners.delete(onClosed);
        resolve(result);
      };
      const onMsg = (msg: Message) => {
        const hit = pick(msg);
        if (hit !== undefined) finish(hit);
      };
      const onClosed = () => finish(null);
      this.listeners.add(onMsg);
      this.closedListeners.add(onClosed);
    });
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close(1000, 'bye');
      setTimeout(() => {
        this.ws.terminate();
        resolve();
      }, 1000).unref();
    });
  }
}

export interface TechnicianConnectOptions {
  /** Client name sent in hello. */
  client?: string;
  /** PEM certificates to trust for wss:// (a private CA), in addition to the system store. */
  ca?: string | Buffer;
  /** TOTP code for a technician with a second factor. */
  otp?: string;
}

export function connectTechnician(
  url: string,
  token: string,
  opts: TechnicianConnectOptions = {},
): Promise<TechnicianConnectResult> {
  const client = opts.client ?? 'porchlight-cli';
  return new Promise((resolve) => {
    let ws: WebSocket;
    try {
      // Node's `ca` replaces the default roots; add them back so a private CA is an addition, not a substitute.
      const ca = opts.ca === undefined ? {} : { ca: [...rootCertificates, opts.ca.toString()] };
      ws = new WebSocket(url, { maxPayload: 64 * 1024, handshakeTimeout: 10_000, ...ca });
    } catch (err) {
      resolve({ ok: false, code: 'connect-failed', detail: err instanceof Error ? err.message : String(err) });
      return;
    }
    let settled = false;
    const settle = (r: TechnicianConnectResult) => {
      if (settled) return;
      settled = true;
      ws.off('message', onFirst);
      resolve(r);
    };
    const onFirst = (data: WebSocket.RawData) => {
      const parsed = parseFrame(data.toString('utf8'), ['welcome', 'error']);
      if (!parsed.ok) return settle({ ok: false, code: parsed.code, detail: parsed.detail });
      const msg = parsed.msg;
      if (msg.type === 'welcome' && msg.technician) {
        const account = { mfa: msg.mfa === true, ...(msg.tokenExpiresAt ? { tokenExpiresAt: msg.tokenExpiresAt } : {}) };
        return settle({ ok: true, client: new TechnicianClient(ws, msg.technician, msg.relayKeyFingerprint ?? null, account) });
      }
      if (msg.type === 'error') {
        ws.close();
        return settle({ ok: false, code: msg.code, detail: msg.detail ?? msg.code });
      }
      settle({ ok: false, code: 'bad-frame', detail: 'unexpected welcome' });
    };
    ws.on('message', onFirst);
    const otp = opts.otp === undefined ? {} : { otp: opts.otp };
    const hello = () => encodeFrame({ v: 1, type: 'hello', id: newMessageId(), role: 'technician', token, client, ...otp });
    ws.on('open', () => ws.send(hello()));
    ws.on('error', (err) => settle({ ok: false, code: 'connect-failed', detail: err.message }));
    ws.on('close', () => settle({ ok: false, code: 'connect-failed', detail: 'the relay closed the connection' }));
  });
}

function toBytes(data: WebSocket.RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}
