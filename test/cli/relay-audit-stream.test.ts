// Audit streaming against a real rsyslogd (Debian's rsyslog) and the built CLI's
// relay process: every central audit record arrives as RFC 5424 with its
// structured data parsed by rsyslog; a receiver killed mid-stream loses nothing
// (records wait in the central audit after the stream's cursor, on disk) and
// everything arrives in order after it is back; --audit-jsonl gets the same
// records once each; no token appears in either.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditRecord } from '../../src/relay/audit/audit-record.js';
import { SqliteStorage } from '../../src/relay/storage/sqlite-storage.js';
import { until } from '../support/bounded-wait.js';
import { hasRsyslog, RsyslogServer, type ReceivedMessage } from '../support/rsyslog-server.js';
import { rawTechnicianHello } from '../support/technician-hello.js';
import { ensureBuilt, startCli, type RunningCli } from './built-cli.js';

const SD_ID = 'porchlight@32473';
const seqOf = (m: ReceivedMessage) => Number(m.sd[SD_ID]?.seq);
const severityOf = (kind: string) => (kind === 'technician-sign-in-failed' ? 4 : kind === 'admin' ? 5 : 6);

async function addTechnician(data: string, name: string): Promise<string> {
  const r = await startCli(['relay', 'add-technician', '--name', name, '--group', 'helpdesk', '--scopes', 'view', '--data', data]).done;
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim().split('\n').at(-1)!;
}

async function signInAndOut(url: string, token: string): Promise<void> {
  const s = await rawTechnicianHello(url, token);
  expect(s.first.type).toBe('welcome');
  s.ws.close();
  await s.closed;
}

function cursorOf(data: string, name: string): { seq: number; sent: number; resent: number; skipped: number } {
  return JSON.parse(readFileSync(join(data, 'stream', `${name}.json`), 'utf8')) as { seq: number; sent: number; resent: number; skipped: number };
}

describe.skipIf(!hasRsyslog)('relay --syslog tcp:// and --audit-jsonl against a real rsyslogd', () => {
  const data = mkdtempSync(join(tmpdir(), 'pl-stream-'));
  const jsonl = join(mkdtempSync(join(tmpdir(), 'pl-stream-out-')), 'audit.jsonl');
  const rsyslog = new RsyslogServer({ transport: 'tcp' });
  const storage = () => new SqliteStorage(join(data, 'relay.db'));
  let relay: RunningCli;
  let url = '';
  let token = '';
  let startHead = 0;

  const head = async () => {
    const s = storage();
    try {
      return (await s.auditHead())?.seq ?? 0;
    } finally {
      await s.close();
    }
  };
  const records = async (fromSeq: number): Promise<AuditRecord[]> => {
    const s = storage();
    try {
      return await s.queryAudit({ fromSeq });
    } finally {
      await s.close();
    }
  };
  /** The head once every sign-in's sign-out is written (the relay writes it after the socket closed). */
  const settledHead = async (): Promise<number> => {
    const end = Date.now() + 5000;
    let kinds: string[] = [];
    while (Date.now() < end) {
      kinds = (await records(startHead + 1)).map((r) => r.kind);
      if (kinds.filter((k) => k === 'technician-sign-in').length === kinds.filter((k) => k === 'technician-sign-out').length) return head();
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`sign-outs still missing after 5 s: ${kinds.join(',')}`);
  };
  const receivedUpTo = (seq: number, what: string) =>
    until(() => rsyslog.received().some((m) => seqOf(m) === seq), what, () => `seqs ${rsyslog.received().map(seqOf).join(',')}; relay: ${relay.stderr().slice(-1500)}`, { ms: 20_000 });

  beforeAll(async () => {
    await ensureBuilt();
    await rsyslog.start();
    relay = startCli(['relay', '--port', '0', '--data', data, '--syslog', `tcp://127.0.0.1:${rsyslog.port}`, '--audit-jsonl', jsonl]);
    url = /listening on (ws:\/\/\S+)/.exec(await relay.waitForOutput(/listening on (ws:\/\/\S+)/))![1]!;
    expect(relay.stdout()).toContain(`audit syslog: tcp://127.0.0.1:${rsyslog.port}`);
    await relay.waitForStderr(/syslog tcp:\/\/127\.0\.0\.1:\d+ connected/);
    startHead = await head();
  }, 120_000);

  afterAll(async () => {
    relay?.child.kill('SIGTERM');
    await relay?.done;
    await rsyslog.stop();
  });

  it('sends every central audit record as RFC 5424 with structured data that rsyslog parses', async () => {
    token = await addTechnician(data, 'alice');
    for (let i = 0; i < 5; i++) await signInAndOut(url, token);
    const last = await settledHead();
    await receivedUpTo(last, `rsyslog to receive seq ${last}`);
    const sent = await records(startHead + 1);
    expect(sent.map((r) => r.kind)).toEqual(['admin', ...Array(5).fill(['technician-sign-in', 'technician-sign-out']).flat()]);
    const got = new Map(rsyslog.received().map((m) => [seqOf(m), m]));
    for (const r of sent) {
      const m = got.get(r.seq)!;
      expect(m, `seq ${r.seq}`).toBeDefined();
      expect(m).toMatchObject({ app: 'porchlight', msgid: r.kind, pri: 13 * 8 + severityOf(r.kind), procid: String(relay.child.pid) });
      expect(Date.parse(m.time)).toBe(Date.parse(r.at));
      expect(m.sd[SD_ID]).toMatchObject({ seq: String(r.seq), hash: r.hash, prevHash: r.prevHash, technician: 'alice' });
      // The message is the record itself (these kinds carry no approval token), after RFC 5424's BOM.
      expect(m.msg.startsWith('\ufeff')).toBe(true);
      expect(JSON.parse(m.msg.slice(1))).toEqual(r);
    }
    const admin = got.get(sent[0]!.seq)!;
    expect(admin.sd[SD_ID]).toMatchObject({ 'd.action': 'technician-added', 'd.target': 'alice' });
    expect(admin.sd[SD_ID]!['d.by']).toBeTruthy();
    // The JSONL file has the same records, once each, in chain order.
    await until(() => existsSync(jsonl) && readFileSync(jsonl, 'utf8').trim().split('\n').length >= sent.length, 'the JSONL file to catch up', () => (existsSync(jsonl) ? readFileSync(jsonl, 'utf8') : 'no file'));
    expect(readFileSync(jsonl, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual(sent);
  }, 60_000);

  it('queues on disk while rsyslog is killed mid-stream, then sends everything in order once it is back', async () => {
    const before = rsyslog.received().length;
    const firstSeq = (await head()) + 1;
    let running = true;
    let made = 0;
    const producer = (async () => {
      while (running) {
        await signInAndOut(url, token);
        made += 1;
      }
    })();
    await until(() => rsyslog.received().length >= before + 6, 'a few records to arrive before the kill', () => `${rsyslog.received().length - before} arrived`, { ms: 20_000 });
    // The harsh case: records the relay handed over that rsyslogd never read (frozen, then killed) are gone with it.
    rsyslog.freeze();
    await until(() => rsyslog.unreadBytes() > 0, 'records to wait unread at the frozen rsyslogd', () => `${rsyslog.unreadBytes()} bytes unread`);
    await rsyslog.kill();
    const killedAtMade = made;
    await relay.waitForStderr(/syslog tcp:\/\/\S+ lost \(/);
    // Keep the relay busy while the receiver is away: sign-ins are not slowed, and their records wait in the central audit.
    await relay.waitForStderr(/syslog tcp:\/\/\S+ unreachable \(ECONNREFUSED, attempt 1\); \d+ records queued in the central audit/);
    await until(() => made >= killedAtMade + 10, '10 more sign-ins while rsyslog is down', () => `${made - killedAtMade} made`, { ms: 20_000 });
    running = false;
    await producer;
    const last = await settledHead();
    // Nothing past the outage counts as delivered: it waits on disk after the cursor.
    expect(cursorOf(data, 'syslog').seq).toBeLessThan(last);
    const resendLine = /(\d+) records not yet counted delivered will be sent again/.exec(relay.stderr())!;
    await rsyslog.start();
    await receivedUpTo(last, `every record up to seq ${last} after rsyslog came back`);
    await relay.waitForStderr(/syslog tcp:\/\/\S+ connected after \d+ failed attempts; sending from seq \d+/);

    const arrived = rsyslog.received().slice(before).map(seqOf).filter((s) => s >= firstSeq);
    const firsts = [...new Set(arrived)];
    // Every record, in chain order (first arrival of each), none missing.
    expect(firsts).toEqual(Array.from({ length: last - firstSeq + 1 }, (_, i) => firstSeq + i));
    // At least once: only records sent on the lost connection and not yet counted delivered come twice.
    const duplicates = arrived.length - firsts.length;
    expect(duplicates).toBeLessThanOrEqual(Number(resendLine[1]));
    // After the reconnect, the stream runs in order again from where the cursor stood.
    const reconnectFrom = Number(/connected after \d+ failed attempts; sending from seq (\d+)/.exec(relay.stderr())![1]);
    const tail = arrived.slice(arrived.lastIndexOf(reconnectFrom));
    expect(tail).toEqual([...tail].sort((a, b) => a - b));
    await until(() => cursorOf(data, 'syslog').seq === last, 'the cursor to reach the head', () => JSON.stringify(cursorOf(data, 'syslog')), { ms: 10_000 });
    expect(cursorOf(data, 'syslog').resent).toBe(Number(resendLine[1]));
    // The JSONL stream never saw the outage: every record once.
    const lines = readFileSync(jsonl, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as AuditRecord).seq);
    expect(lines).toEqual(Array.from({ length: last - startHead }, (_, i) => startHead + 1 + i));
    // No token reached the SIEM, the file or the relay's output.
    for (const out of [readFileSync(rsyslog.out, 'utf8'), readFileSync(jsonl, 'utf8'), relay.stdout(), relay.stderr()]) expect(out).not.toContain(token);
  }, 90_000);
});
