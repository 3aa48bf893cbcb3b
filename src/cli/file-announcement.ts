// `/send FILE` during an interactive session: announce a file the technician
// sends to the device, with the name, size and sha256 the agent checks against
// its file rules and records in both audits.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { describeIssues, newMessageId } from '../protocol/frame.js';
import { sessionFileTransferSchema, type Message } from '../protocol/messages.js';

export type FileAnnouncement = { ok: true; msg: Message<'session.file-transfer'> } | { ok: false; code: 'bad-input'; detail: string };

export async function announceFile(path: string, sessionId: string, ticketId: string): Promise<FileAnnouncement> {
  let size: number;
  let sha256: string;
  try {
    const info = await stat(path);
    if (!info.isFile()) return { ok: false, code: 'bad-input', detail: `${path} is not a file` };
    size = info.size;
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    sha256 = hash.digest('hex');
  } catch (err) {
    return { ok: false, code: 'bad-input', detail: `cannot read ${path}: ${(err as Error).message}` };
  }
  const parsed = sessionFileTransferSchema.safeParse({ v: 1, type: 'session.file-transfer', id: newMessageId(), sessionId, transferId: newMessageId(), name: basename(path), size, sha256, direction: 'to-device', ticketId });
  return parsed.success ? { ok: true, msg: parsed.data } : { ok: false, code: 'bad-input', detail: describeIssues('/send', parsed.error) };
}
