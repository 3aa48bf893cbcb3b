// Evidence and report benchmarks on a busy relay's month: 100k central audit
// records of 10k interleaved tickets (checkpoint every 500 records, as a relay
// with ~100 records per minute would sign every 5 minutes). Measures bundle
// build / verify time and size for a typical ticket and for a worst case (a
// ticket whose records span the whole month), and the monthly report.
import { createHash } from 'node:crypto';
import { generateEd25519KeyPair } from '../src/protocol/signing.js';
import type { AuditEntry } from '../src/relay/audit/audit-record.js';
import { checkpointHead } from '../src/relay/audit/checkpoint.js';
import { buildEvidenceBundle } from '../src/relay/evidence/build-bundle.js';
import { verifyEvidenceBundle } from '../src/relay/evidence/verify-bundle.js';
import { computeMonthlyReport } from '../src/relay/report/compute.js';
import { recordsForMonth } from '../src/relay/report/month-records.js';
import { monthWindow } from '../src/relay/report/month-window.js';
import { renderHtml } from '../src/relay/report/render-html.js';
import { SqliteStorage } from '../src/relay/storage/sqlite-storage.js';
import type { BenchRow } from './stats.js';
import { rounds } from './bench-options.js';

const TICKETS = rounds(10_000);
const START = Date.parse('2026-11-01T00:00:00.000Z');
const MONTH_MS = 30 * 86_400_000;

function entries(i: number): AuditEntry[] {
  const ticketId = `INC${String(i).padStart(7, '0')}`;
  const requestId = `req-${i}`;
  const sessionId = `ses-${i}`;
  const base = { ticketId, deviceId: `DEV-${i % 3000}`, technicianId: `tech${i % 25}`, requestId, sessionId: null };
  const at = (k: number) => new Date(START + Math.floor((i / TICKETS) * MONTH_MS) + k * 1000).toISOString();
  const s = { ...base, sessionId };
  return [
    { kind: 'request', at: at(0), ...base, data: { technician: { id: `tech${i % 25}`, name: `Tech ${i % 25}`, group: 'helpdesk' }, ticket: { id: ticketId }, mode: i % 10 === 0 ? 'unattended' : 'attended', scopes: ['view', 'control'], reason: 'Printer offline', estimatedMinutes: 20, issuedAt: at(0), expiresAt: at(120) } },
    { kind: 'decision', at: at(20), ...s, data: { outcome: 'accepted', granted: ['view', 'control'], declined: [], decidedBy: 'user', decidedAt: at(20), grantedMinutes: 20 } },
    { kind: 'session-started', at: at(21), ...s, data: { scopes: ['view', 'control'], mode: 'attended', startedAt: at(21), endsAt: at(1221) } },
    { kind: 'narration', at: at(30), ...s, data: { text: 'Restarting the print spooler' } },
    { kind: 'narration', at: at(40), ...s, data: { text: 'Reinstalling the driver' } },
    { kind: 'file-transfer', at: at(50), ...s, data: { transferId: `ft-${i}`, name: 'driver.msi', size: 123456, sha256: 'a'.repeat(64), direction: 'to-device' } },
    { kind: 'file-transfer-result', at: at(51), ...s, data: { transferId: `ft-${i}`, allowed: true } },
    { kind: 'session-end', at: at(600), ...s, data: { by: 'user' } },
    { kind: 'narration', at: at(601), ...s, data: { text: 'Done' } },
    { kind: 'close', at: at(700), ...s, data: { outcome: 'resolved' } },
  ] as AuditEntry[];
}

export async function runEvidenceBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const storage = new SqliteStorage(':memory:');
  const key = generateEd25519KeyPair();
  // Interleave: ten tickets in flight at once, round robin over their records.
  let t0 = performance.now();
  let n = 0;
  for (let g = 0; g < TICKETS; g += 10) {
    const batch = Array.from({ length: 10 }, (_, j) => entries(g + j));
    for (let k = 0; k < 10; k++) {
      for (const b of batch) {
        await storage.appendAudit(b[k]!);
        if (++n % 500 === 0) await checkpointHead(storage, key, START + n);
      }
    }
  }
  // The worst case: one ticket with a record at the start and one at the end of the month.
  await storage.appendAudit({ ...entries(0)[9]!, at: new Date(START + MONTH_MS - 1000).toISOString() } as AuditEntry);
  const appendMs = performance.now() - t0;
  rows.push({ name: 'central audit append (in-memory sqlite, two-level hash)', unit: 'records/s', value: (n + 1) / (appendMs / 1000), samples: n + 1 });

  // A ticket from the middle of the month (whatever --quick made the month's size), and ticket 0.
  const typical = `INC${String(Math.floor(TICKETS / 2) + 5).padStart(7, '0')}`;
  for (const [label, ticketId] of [['typical ticket', typical], ['ticket spanning the month', 'INC0000000']] as const) {
    t0 = performance.now();
    const bundle = await buildEvidenceBundle({ storage, relayKey: key, ticketId, nowMs: START + MONTH_MS, generator: 'bench' });
    const buildMs = performance.now() - t0;
    const text = JSON.stringify(bundle);
    t0 = performance.now();
    const result = verifyEvidenceBundle(JSON.parse(text), key.publicKey);
    const verifyMs = performance.now() - t0;
    // The synthetic month has no device keys, so its device-made records carry no device signature: that one
    // finding is expected (and the signature checks are not timed); anything else is a broken bundle.
    const unexpected = result.ok ? [] : result.problems.filter((p) => !/carries no device signature/.test(p.reason));
    if (unexpected.length > 0) throw new Error(`a clean bundle did not verify: ${JSON.stringify(unexpected[0])}`);
    const what = `${label}, ${bundle.relay.chain.length} links, device signatures absent`;
    // The floor of a verify: parse the same text and sha256 each chain link once, nothing else.
    t0 = performance.now();
    for (const link of (JSON.parse(text) as { relay: { chain: unknown[] } }).relay.chain) createHash('sha256').update(JSON.stringify(link)).digest('hex');
    const bareMs = performance.now() - t0;
    const bare = `bare JSON.parse + sha256 per link of the same bundle, ${what}`;
    const ratio = { p50: verifyMs / bareMs, p99: verifyMs / bareMs, baseline: bare };
    rows.push({ name: `evidence build, ${what}`, unit: 'ms', value: buildMs }, { name: bare, unit: 'ms', value: bareMs }, { name: `evidence verify, ${what}`, unit: 'ms', value: verifyMs, ratio }, { name: `evidence bundle size, ${what}`, unit: 'KiB', value: text.length / 1024 });
  }

  const window = monthWindow('2026-11');
  t0 = performance.now();
  const records = await recordsForMonth(storage, window);
  const queryMs = performance.now() - t0;
  t0 = performance.now();
  const report = computeMonthlyReport(records, window, Date.now());
  const computeMs = performance.now() - t0;
  t0 = performance.now();
  const html = renderHtml(report);
  const renderMs = performance.now() - t0;
  const what = `${records.length} records, ${report.requests} requests`;
  rows.push({ name: `monthly report read (${what})`, unit: 'ms', value: queryMs }, { name: `monthly report compute (${what})`, unit: 'ms', value: computeMs }, { name: `monthly report html (${(html.length / 1024).toFixed(0)} KiB)`, unit: 'ms', value: renderMs });
  await storage.close();
  return rows;
}
