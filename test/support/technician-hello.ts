// A raw technician sign-in over WebSocket: what the relay answered first, and
// the close code when it drops the connection (withdrawals, refusals).
import WebSocket from 'ws';
import type { Message } from '../../src/protocol/messages.js';
import { encodeFrame, newMessageId } from '../../src/protocol/frame.js';
import { inTime } from './bounded-wait.js';

export interface RawSignIn {
  first: Message<'welcome'> | Message<'error'>;
  ws: WebSocket;
  /** Resolves with the close code. */
  closed: Promise<number>;
  /** Every frame after the first. */
  frames: Message[];
}

export async function rawTechnicianHello(url: string, token: string, o: { otp?: string; localAddress?: string } = {}): Promise<RawSignIn> {
  const ws = new WebSocket(url, o.localAddress ? { localAddress: o.localAddress } : {});
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  const frames: Message[] = [];
  const first = new Promise<Message<'welcome'> | Message<'error'>>((resolve, reject) => {
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as Message;
      if (msg.type === 'welcome' || msg.type === 'error') resolve(msg);
      frames.push(msg);
    });
    ws.on('error', reject);
    void closed.then((code) => reject(new Error(`closed (${code}) before an answer`)));
  });
  ws.on('open', () => ws.send(encodeFrame({ v: 1, type: 'hello', id: newMessageId(), role: 'technician', token, ...(o.otp ? { otp: o.otp } : {}) })));
  return { first: await inTime(first, `the relay's answer to a technician hello on ${url}`, 5000), ws, closed, frames };
}
