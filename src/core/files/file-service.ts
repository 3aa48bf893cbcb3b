// The agent's file gate: bytes of an announced, allowed transfer arrive on a
// `file` channel, only for the live session while it holds `file-transfer`,
// into the policy folder (per ticket) through FileReceiver. Revoke or end
// aborts the transfer in flight and deletes what was written. One at a time.
import { join } from 'node:path';
import { frameCharge, encodeChannelFrame, parseChannelFrame } from '../../protocol/channel-frame.js';
import type { ErrorCode } from '../../protocol/error-codes.js';
import { newMessageId } from '../../protocol/frame.js';
import type { Message } from '../../protocol/messages.js';
import type { RecordThenSend } from '../audit/record-then-send.js';
import type { ScreenSessionInfo } from '../screen/screen-service.js';
import { FileReceiver, FileTransferError } from './file-receiver.js';
import { safeFileName } from './safe-file-name.js';

/** Allowed announcements remembered (the newest); older ones can no longer send bytes. */
const KEPT_ANNOUNCEMENTS = 20;

export interface FileServiceDeps {
  /** The folder under which each ticket gets its own folder (IT's setting or the user's Downloads). */
  folder: string;
  session: (sessionId: string) => ScreenSessionInfo | undefined;
  audited: RecordThenSend;
  sendBinary: (frame: Uint8Array) => boolean;
}

interface Transfer {
  sessionId: string;
  channel: number;
  announced: Message<'session.file-transfer'>;
  receiver: FileReceiver;
  queue: Promise<void>;
  over: boolean;
}

export class FileService {
  private readonly announced = new Map<string, Message<'session.file-transfer'>>();
  private current: Transfer | undefined;

  constructor(private readonly d: FileServiceDeps) {}

  allowed(msg: Message<'session.file-transfer'>): void {
    this.announced.set(msg.transferId, msg);
    while (this.announced.size > KEPT_ANNOUNCEMENTS) this.announced.delete(this.announced.keys().next().value!);
  }

  async onOpen(msg: Message<'channel.open'>): Promise<void> {
    const s = this.d.session(msg.sessionId);
    const announced = msg.transferId === undefined ? undefined : this.announced.get(msg.transferId);
    if (!s) return this.refuse(msg, 'unknown-session', 'no live session has that id');
    if (!s.granted.has('file-transfer')) return this.refuse(msg, 'forbidden', 'file-transfer is not granted in this session');
    if (!announced || announced.sessionId !== msg.sessionId || announced.direction !== 'to-device') {
      return this.refuse(msg, 'forbidden', 'no allowed announcement of this session has that transferId');
    }
    if (this.current) return this.refuse(msg, 'rate-limited', 'one file at a time');
    this.announced.delete(announced.transferId);
    let receiver: FileReceiver;
    const folder = join(this.d.folder, safeFileName(s.ticketId));
    try {
      receiver = await FileReceiver.open({ folder, name: announced.name, size: announced.size, sha256: announced.sha256 });
    } catch (err) {
      return this.refuse(msg, 'transfer-failed', (err as Error).message);
    }
    const t: Transfer = { sessionId: msg.sessionId, channel: msg.channel, announced, receiver, queue: Promise.resolve(), over: false };
    this.current = t;
    const opened: Message<'channel.opened'> = { v: 1, type: 'channel.opened', id: newMessageId(), sessionId: msg.sessionId, channel: msg.channel };
    if (!(await this.d.audited.record('file.receiving', { sessionId: t.sessionId, transferId: announced.transferId, folder }, opened))) {
      return this.fail(t, 'audit-unavailable', 'the audit log could not be written');
    }
    if (announced.size === 0) t.queue = t.queue.then(() => this.finish(t));
  }

  async onClose(msg: Message<'channel.close'>): Promise<void> {
    const t = this.current;
    if (t && t.sessionId === msg.sessionId && t.channel === msg.channel) await this.fail(t, 'transfer-failed', 'the technician stopped the transfer', false);
  }

  onFrame(bytes: Uint8Array): void {
    const t = this.current;
    const parsed = parseChannelFrame(bytes);
    if (!t || !parsed.ok || parsed.frame.sessionId !== t.sessionId || parsed.frame.channel !== t.channel) return;
    const f = parsed.frame;
    if (f.kind !== 'data') return void this.fail(t, 'channel-violation', 'the agent sends nothing on a file channel to acknowledge');
    const { sessionId, channel } = t;
    t.queue = t.queue.then(async () => {
      if (t.over) return;
      try {
        await t.receiver.write(f.payload);
      } catch (err) {
        return this.fail(t, 'transfer-failed', (err as Error).message);
      }
      this.d.sendBinary(encodeChannelFrame({ kind: 'ack', sessionId, channel, bytes: frameCharge(f.payload.byteLength) }));
      if (t.receiver.complete) await this.finish(t);
    });
  }

  async grantsChanged(sessionId: string): Promise<void> {
    const t = this.current;
    if (t?.sessionId === sessionId && this.d.session(sessionId)?.granted.has('file-transfer') !== true) {
      await this.fail(t, 'transfer-failed', 'aborted: file-transfer is no longer granted');
    }
  }

  async sessionEnded(sessionId: string): Promise<void> {
    const t = this.current;
    if (t?.sessionId === sessionId) await this.fail(t, 'transfer-failed', 'aborted: the session ended');
  }

  private async finish(t: Transfer): Promise<void> {
    if (t.over) return;
    let stored: { path: string; name: string };
    try {
      stored = await t.receiver.finish();
    } catch (err) {
      return this.fail(t, err instanceof FileTransferError ? 'transfer-failed' : 'internal', (err as Error).message);
    }
    t.over = true;
    if (this.current === t) this.current = undefined;
    const { transferId, size, sha256 } = t.announced;
    const done = closeMessage(t, undefined, `stored as ${stored.name}`);
    await this.d.audited.record('file.stored', { sessionId: t.sessionId, transferId, path: stored.path, name: stored.name, size, sha256 }, done, { sendOnFailure: true });
  }

  private async fail(t: Transfer, code: ErrorCode, detail: string, tell = true): Promise<void> {
    if (t.over) return;
    t.over = true;
    if (this.current === t) this.current = undefined;
    await t.receiver.abort();
    const fields = { sessionId: t.sessionId, transferId: t.announced.transferId, code, detail };
    await this.d.audited.record('file.failed', fields, tell ? closeMessage(t, code, detail) : undefined, { sendOnFailure: true });
  }

  private async refuse(msg: Message<'channel.open'>, code: ErrorCode, detail: string): Promise<void> {
    const fields = { sessionId: msg.sessionId, channel: msg.channel, transferId: msg.transferId, code, detail };
    await this.d.audited.record('file.refused', fields, closeMessage(msg, code, detail), { sendOnFailure: true });
  }
}

function closeMessage(c: { sessionId: string; channel: number }, code: ErrorCode | undefined, detail: string): Message<'channel.close'> {
  const text = detail.replace(/[^\x20-\x7e]/g, ' ').trim().slice(0, 300) || 'closed';
  return { v: 1, type: 'channel.close', id: newMessageId(), sessionId: c.sessionId, channel: c.channel, ...(code ? { code } : {}), detail: text };
}
