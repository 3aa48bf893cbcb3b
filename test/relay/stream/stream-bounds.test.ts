// The streams' bounds: the queue is the central audit after a stream's cursor,
// so what bounds it is retention; records removed before they were sent are
// logged, counted and (on syslog) announced, never silently skipped. The alert
// queue holds at most MAX_QUEUED_ALERTS; past it the oldest goes, logged and counted.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, renameSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CentralAudit } from '../../../src/relay/audit/central-audit.js';
import { SqliteStorage } from '../../../src/relay/storage/sqlite-storage.js';
import { AlertQueue, MAX_QUEUED_ALERTS } from '../../../src/relay/stream/alert-queue.js';
import { temporaryEnded } from '../../../src/relay/stream/alert-event.js';
import { JsonlStream } from '../../../src/relay/stream/jsonl-stream.js';
import { StreamCursor } from '../../../src/relay/stream/stream-cursor.js';
import { SyslogStream } from '../../../src/relay/stream/syslog-stream.js';
import { until } from '../../support/bounded-wait.js';

const OLD = Date.parse('2026-01-01T00:00:00Z');
const NEW = Date.parse('2026-12-01T00:00:00Z');

/** 500 records, the first 450 old enough for retention to take, cut before any stream saw them. */
async function prunedAudit(): Promise<{ storage: SqliteStorage; dir: string; logs: string[]; cursor: (name: string) => StreamCursor }> {
  const dir = mkdtempSync(join(tmpdir(), 'pl-bounds-'));
  const storage = new SqliteStorage(join(dir, 'relay.db'));
  const logs: string[] = [];
  const cursors = new Map<string, StreamCursor>();
  for (const name of ['jsonl', 'syslog']) cursors.set(name, StreamCursor.open(dir, name, 0, (l) => logs.push(l)));
  let at = OLD;
  const audit = new CentralAudit(storage, () => at);
  for (let i = 1; i <= 500; i++) {
    if (i === 451) at = NEW;
    await audit.record('technician-sign-in', { technicianId: 'alice' }, { mfa: false });
  }
  expect(await storage.pruneAudit(new Date(NEW - 1).toISOString())).toBe(450);
  return { storage, dir, logs, cursor: (name) => cursors.get(name)! };
}

describe('stream bounds', () => {
  it('JSONL: records removed by retention before they were written are logged and counted; the rest are written once, in order', async () => {
    const { storage, dir, logs, cursor } = await prunedAudit();
    const path = join(dir, 'audit.jsonl');
    const stream = new JsonlStream({ path, storage, cursor: cursor('jsonl'), log: (l) => logs.push(l), idlePollMs: 20 });
    stream.start();
    const lines = () => (existsSync(path) ? readFileSync(path, 'utf8').trim().split('\n').filter(Boolean) : []);
    await until(() => lines().length === 50, '50 lines', () => `${lines().length} lines; ${logs.join(' | ')}`);
    expect(lines().map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual(Array.from({ length: 50 }, (_, i) => 451 + i));
    expect(logs).toContain(`relay: audit JSONL ${path}: central audit records 1..450 (450) were removed by retention before they were written`);
    expect(cursor('jsonl').counts).toMatchObject({ seq: 500, sent: 50, skipped: 450 });
    // logrotate moves the file away: the next record starts a new file at the path.
    renameSync(path, `${path}.1`);
    await new CentralAudit(storage, () => NEW).record('technician-sign-out', { technicianId: 'alice' }, {});
    stream.wake();
    await until(() => lines().length === 1, 'a new file after rotation', () => `${lines().length} lines`);
    expect((JSON.parse(lines()[0]!) as { seq: number }).seq).toBe(501);
    await stream.stop();
    // Saved: a restart carries on from the cursor.
    expect(StreamCursor.open(dir, 'jsonl', 0, () => undefined).counts).toMatchObject({ seq: 501, sent: 51, skipped: 450 });
    await storage.close();
  });

  it('syslog: the gap is announced on the stream (msgid stream-gap) before the records after it', async () => {
    const { storage, logs, cursor } = await prunedAudit();
    const frames: string[] = [];
    let pending = Buffer.alloc(0);
    const server = createServer((socket: Socket) =>
      socket.on('data', (chunk: Buffer) => {
        pending = Buffer.concat([pending, chunk]);
        for (;;) {
          const space = pending.indexOf(0x20);
          if (space < 0) break;
          const len = Number(pending.subarray(0, space).toString('ascii'));
          if (pending.length < space + 1 + len) break;
          frames.push(pending.subarray(space + 1, space + 1 + len).toString('utf8'));
          pending = pending.subarray(space + 1 + len);
        }
      }),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const stream = new SyslogStream({ target: { transport: 'tcp', host: '127.0.0.1', port, label: `tcp://127.0.0.1:${port}` }, storage, cursor: cursor('syslog'), log: (l) => logs.push(l), confirmMs: 50, idlePollMs: 20 });
    stream.start();
    await until(() => frames.length === 51, '51 frames', () => `${frames.length} frames; ${logs.join(' | ')}`);
    expect(frames[0]).toMatch(/ porchlight \d+ stream-gap \[porchlight@32473 firstSeq="1" lastSeq="450" count="450"\]/);
    expect(frames.slice(1).map((f) => Number(/ seq="(\d+)"/.exec(f)![1]))).toEqual(Array.from({ length: 50 }, (_, i) => 451 + i));
    await until(() => cursor('syslog').seq === 500, 'every record counted delivered', () => JSON.stringify(cursor('syslog').counts));
    expect(cursor('syslog').counts).toMatchObject({ sent: 50, skipped: 450, resent: 0 });
    expect(logs.some((l) => l.includes('central audit records 1..450 (450) were removed by retention before they were sent'))).toBe(true);
    await stream.stop();
    server.close();
    await storage.close();
  });

  it(`the alert queue keeps at most ${MAX_QUEUED_ALERTS} events; past it the oldest are dropped, counted, and the count survives a restart`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'pl-alerts-'));
    const { queue } = AlertQueue.open(dir, 0, () => undefined);
    const events = Array.from({ length: MAX_QUEUED_ALERTS + 5 }, (_, i) => temporaryEnded(`t${i}`, '2026-12-01T00:00:00.000Z', null));
    const dropped = queue.add(events, 0);
    expect(dropped.map((e) => e.technician)).toEqual(['t0', 't1', 't2', 't3', 't4']);
    expect(queue.counts).toMatchObject({ queued: MAX_QUEUED_ALERTS, dropped: 5 });
    expect(queue.head()!.event.technician).toBe('t5');
    const reopened = AlertQueue.open(dir, 0, () => undefined);
    expect(reopened.fresh).toBe(false);
    expect(reopened.queue.counts).toMatchObject({ queued: MAX_QUEUED_ALERTS, dropped: 5 });
    // Bounded attempts: the head is given up after the last one, and the next event moves up.
    for (let i = 1; i < 3; i++) expect(reopened.queue.failed(3, 0)).toBe(false);
    expect(reopened.queue.failed(3, 0)).toBe(true);
    expect(reopened.queue.counts).toMatchObject({ queued: MAX_QUEUED_ALERTS - 1, givenUp: 1, failedAttempts: 3 });
    expect(reopened.queue.head()!.event.technician).toBe('t6');
  });
});
