// "Send a file" from the console: the same path as the CLI's file-sender.ts.
// Name, size and sha256 (Web Crypto, in the browser) are announced first; once
// the agent's file rules allow it, the bytes go on a `file` channel under the
// relay's credit window. The agent answers channel.close: no code when stored.
import { CreditWindow, MAX_CHANNEL_CHUNK, encodeChannelFrame, parseChannelFrame } from '../../protocol/channel-frame.js';
import { newMessageId } from '../../protocol/frame.js';
import { sessionFileTransferSchema, type Message } from '../../protocol/messages.js';
import type { FrameWaiters } from './frame-waiters.js';

/** The browser holds the whole file to hash it: a bound that keeps the tab responsive. */
export const MAX_CONSOLE_FILE_BYTES = 256 * 1024 * 1024;
/** How long the agent may take to check its file rules, and to answer a channel. */
const VERDICT_TIMEOUT_MS = 30_000;
/** How long the whole stream may go without a word from the agent. */
const STREAM_TIMEOUT_MS = 10 * 60_000;

export interface ConsoleWire {
  send(msg: Message): void;
  sendBinary(bytes: Uint8Array): void;
  /** Binary frames from the relay; returns the unsubscribe. */
  onBinary(listener: (bytes: Uint8Array) => void): () => void;
  readonly waiters: FrameWaiters;
}

export type ConsoleFileResult = { ok: true; detail: string } | { ok: false; code: string; detail: string };

/** File channels count down from the top of the range, as the CLI's do; screen channels count up from 1. */
let nextFileChannel = 0xffffffff;

export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function announcementOf(file: File, sessionId: string, ticketId: string): Promise<{ ok: true; msg: Message<'session.file-transfer'>; bytes: Uint8Array<ArrayBuffer> } | { ok: false; code: 'bad-input'; detail: string }> {
  if (file.size > MAX_CONSOLE_FILE_BYTES) return { ok: false, code: 'bad-input', detail: `The file is larger than ${MAX_CONSOLE_FILE_BYTES / 1024 / 1024} MB; send it with the command line instead.` };
  const bytes = new Uint8Array(await file.arrayBuffer());
  const sha256 = await sha256Hex(bytes);
  const parsed = sessionFileTransferSchema.safeParse({ v: 1, type: 'session.file-transfer', id: newMessageId(), sessionId, transferId: newMessageId(), name: file.name, size: bytes.byteLength, sha256, direction: 'to-device', ticketId });
  if (!parsed.success) return { ok: false, code: 'bad-input', detail: 'The file name cannot be sent: rename it to one line of up to 255 characters without / or \\.' };
  return { ok: true, msg: parsed.data, bytes };
}

export async function sendAnnouncedFile(wire: ConsoleWire, msg: Message<'session.file-transfer'>, bytes: Uint8Array): Promise<ConsoleFileResult> {
  const { sessionId, transferId } = msg;
  const verdict = wire.waiters.wait((m): m is Message<'session.file-transfer-result'> => m.type === 'session.file-transfer-result' && m.transferId === transferId, VERDICT_TIMEOUT_MS);
  wire.send(msg);
  const r = await verdict;
  if (!r) return { ok: false, code: 'disconnected', detail: 'no answer from the device' };
  if (!r.allowed) return { ok: false, code: r.code ?? 'policy-blocked', detail: r.detail ?? 'the device refused the file' };
  const channel = nextFileChannel--;
  const about = (m: Message): m is Message<'channel.opened'> | Message<'channel.close'> => (m.type === 'channel.opened' || m.type === 'channel.close') && m.sessionId === sessionId && m.channel === channel;
  const first = wire.waiters.wait(about, VERDICT_TIMEOUT_MS);
  wire.send({ v: 1, type: 'channel.open', id: newMessageId(), sessionId, channel, kind: 'file', transferId });
  const answer = await first;
  if (!answer) return { ok: false, code: 'disconnected', detail: 'no answer from the device' };
  if (answer.type === 'channel.close') return closed(answer);
  const done = wire.waiters.wait((m): m is Message<'channel.close'> => m.type === 'channel.close' && about(m), STREAM_TIMEOUT_MS);
  const window = new CreditWindow();
  let at = 0;
  // Send what fits in the window; each ack from the agent makes room for more.
  const flush = () => {
    while (at < bytes.byteLength) {
      const size = Math.min(MAX_CHANNEL_CHUNK, bytes.byteLength - at);
      if (!window.charge(size)) return;
      wire.sendBinary(encodeChannelFrame({ kind: 'data', sessionId, channel, payload: bytes.subarray(at, at + size) }));
      at += size;
    }
  };
  const unsubscribe = wire.onBinary((frame) => {
    const f = parseChannelFrame(frame);
    if (f.ok && f.frame.kind === 'ack' && f.frame.sessionId === sessionId && f.frame.channel === channel && window.release(f.frame.bytes)) flush();
  });
  flush();
  const end = await done;
  unsubscribe();
  return end ? closed(end) : { ok: false, code: 'disconnected', detail: 'the device stopped answering' };
}

function closed(m: Message<'channel.close'>): ConsoleFileResult {
  return m.code === undefined ? { ok: true, detail: m.detail ?? 'stored' } : { ok: false, code: m.code, detail: m.detail ?? m.code };
}
