// `--send FILE` / `/send FILE`: announce the file (name, size, sha256), and
// once the agent's file rules allow it, stream its bytes on a `file` channel
// under credit (the file is read only as fast as the agent writes). The agent
// answers with channel.close: no code when stored (detail: the final name),
// `transfer-failed` (with why) otherwise.
import { createReadStream } from 'node:fs';
import { encodeChannelFrame, parseChannelFrame } from '../../protocol/channel-frame.js';
import { newMessageId } from '../../protocol/frame.js';
import type { Message } from '../../protocol/messages.js';
import { SocketToChannel } from '../../core/screen/channel-pump.js';
import { announceFile } from '../file-announcement.js';
import type { TechnicianClient } from './technician-client.js';

export type FileSendResult = { ok: true; detail: string } | { ok: false; code: string; detail: string };

/** File channels count down from the top of the range; screen channels count up from 1. */
let nextFileChannel = 0xffffffff;

export async function sendFile(client: TechnicianClient, path: string, sessionId: string, ticketId: string): Promise<FileSendResult> {
  const a = await announceFile(path, sessionId, ticketId);
  if (!a.ok) return { ok: false, code: a.code, detail: a.detail };
  const { transferId } = a.msg;
  const verdict = client.waitFor((m) => (m.type === 'session.file-transfer-result' && m.transferId === transferId ? m : undefined));
  client.send(a.msg);
  const r = await verdict;
  if (!r) return { ok: false, code: 'disconnected', detail: 'lost the relay' };
  if (!r.allowed) return { ok: false, code: r.code ?? 'policy-blocked', detail: r.detail ?? 'the agent refused the file' };
  const channel = nextFileChannel--;
  const about = (m: Message) => (m.type === 'channel.opened' || m.type === 'channel.close') && m.sessionId === sessionId && m.channel === channel;
  const first = client.waitFor((m) => (about(m) ? m : undefined));
  client.send({ v: 1, type: 'channel.open', id: newMessageId(), sessionId, channel, kind: 'file', transferId });
  const answer = await first;
  if (!answer) return { ok: false, code: 'disconnected', detail: 'lost the relay' };
  if (answer.type === 'channel.close') return closed(answer);
  const done = client.waitFor((m) => (m.type === 'channel.close' && about(m) ? m : undefined));
  const stream = createReadStream(path, { highWaterMark: 32 * 1024 });
  const pump = new SocketToChannel(stream, (payload) => client.sendBinary(encodeChannelFrame({ kind: 'data', sessionId, channel, payload })));
  const unsubscribe = client.onBinary((frame) => {
    const f = parseChannelFrame(frame);
    if (f.ok && f.frame.kind === 'ack' && f.frame.sessionId === sessionId && f.frame.channel === channel) pump.ack(f.frame.bytes);
  });
  stream.on('error', () => client.send({ v: 1, type: 'channel.close', id: newMessageId(), sessionId, channel, code: 'transfer-failed', detail: 'the file could not be read' }));
  pump.start();
  const end = await done;
  unsubscribe();
  pump.stop();
  stream.destroy();
  return end ? closed(end) : { ok: false, code: 'disconnected', detail: 'lost the relay' };
}

function closed(m: Message): FileSendResult {
  if (m.type !== 'channel.close') return { ok: false, code: 'internal', detail: 'unexpected answer' };
  return m.code === undefined ? { ok: true, detail: m.detail ?? 'stored' } : { ok: false, code: m.code, detail: m.detail ?? m.code };
}
