// Decided requests per second through one relay: 100 technicians against
// 10,000 idle agents, the relay and the load generator each in their own
// process, with the central audit group-committed (default) and, in the same
// run, one record per fsync (the baseline). `node dist/bench/decided-requests-bench.js [--quick]`
// runs it alone.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateEd25519KeyPair } from '../src/protocol/index.js';
import { DATABASE_FILE } from '../src/relay/data-dir.js';
import { hashSecretToken, newSecretToken } from '../src/relay/secret-token.js';
import { SqliteStorage } from '../src/relay/storage/sqlite-storage.js';
import { QUICK, rounds } from './bench-options.js';
import { latencyRow, stats, type BenchRow } from './stats.js';
import { formatTable } from './table.js';
import { cpuSeconds } from './relay-bench.js';

const TECHNICIANS = 100;
const AGENTS = rounds(10_000, 2_000);
const WINDOW = 4; // capacity phase: requests in flight per technician (the relay allows 5 pending per connection)
const OFFERED_PER_SEC = 2_000; // latency phase: the goal rate
const WARMUP_MS = QUICK ? 1_000 : 3_000;
const MEASURE_MS = QUICK ? 3_000 : 10_000;

interface Phase {
  decided: number;
  refused: number;
  skipped: number;
  seconds: number;
  latencies: number[];
}

interface LoadResult {
  capacity: Phase;
  offered: Phase;
  offeredPerSec: number;
  refusals: Record<string, number>;
  agents: number;
  connectSec: number;
}

const here = (file: string) => fileURLToPath(new URL(`./${file}`, import.meta.url));

/** Devices in one transaction (not 10,000 fsyncs), technicians through the storage; the load plan on disk. */
async function prepare(): Promise<{ dir: string; planFile: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'pl-bench-decided-'));
  const storage = new SqliteStorage(join(dir, DATABASE_FILE));
  const tokens: string[] = [];
  const at = new Date().toISOString();
  for (let i = 0; i < TECHNICIANS; i++) {
    const token = newSecretToken();
    tokens.push(token);
    await storage.addTechnician({ id: `bench-${i}`, name: `Bench ${i}`, group: 'bench', scopes: ['view'], unattended: false, tokenHash: hashSecretToken(token), createdAt: at, disabled: false });
  }
  await storage.close();
  const devices = Array.from({ length: AGENTS }, (_, i) => ({ deviceId: `dev-${i}`, key: generateEd25519KeyPair() }));
  const db = new DatabaseSync(join(dir, DATABASE_FILE));
  db.exec('BEGIN');
  const insert = db.prepare('INSERT INTO devices (device_id, public_key, enrolled_at, last_seen_at) VALUES (?, ?, ?, NULL)');
  for (const d of devices) insert.run(d.deviceId, d.key.publicKey, at);
  db.exec('COMMIT');
  db.close();
  const planFile = join(dir, 'load-plan.json');
  writeFileSync(planFile, JSON.stringify({ url: '', devices, tokens, window: WINDOW, offeredPerSec: OFFERED_PER_SEC, warmupMs: WARMUP_MS, measureMs: MEASURE_MS }));
  return { dir, planFile };
}

function lines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buf = '';
  stream.on('data', (d) => {
    buf += d;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      onLine(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  });
}

/** One relay process and one load process; both killed by the end, whatever happens. */
async function runOnce(dir: string, planFile: string, baseline: boolean): Promise<LoadResult & { commits: number; records: number; capacityCpuSec: number; offeredCpuSec: number; loadCpuSec: number }> {
  // PL_BENCH_RELAY_FLAGS: extra node flags for the relay (e.g. --cpu-prof) when profiling it.
  const profiling = (process.env.PL_BENCH_RELAY_FLAGS ?? '').split(' ').filter(Boolean);
  const relay = spawn(process.execPath, [...profiling, here('decided-relay-process.js'), dir, ...(baseline ? ['--one-record-per-fsync'] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
  const children = [relay];
  const killer = setTimeout(() => children.forEach((c) => c.kill('SIGKILL')), 280_000);
  try {
    let commits = 0;
    let records = 0;
    const url = await new Promise<string>((resolve, reject) => {
      lines(relay.stdout, (l) => {
        const m = /^listening (\S+)/.exec(l);
        if (m) resolve(m[1]!);
        const c = /^commits (\d+) records (\d+)/.exec(l);
        if (c) [commits, records] = [Number(c[1]), Number(c[2])];
      });
      relay.once('exit', () => reject(new Error('bench relay exited early')));
    });
    const plan = JSON.parse((await import('node:fs')).readFileSync(planFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(planFile, JSON.stringify({ ...plan, url }));
    const recordsBefore = await headSeq(dir);
    const load = spawn(process.execPath, [here('decided-load.js'), planFile], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(load);
    const cpuAt = new Map<string, number>();
    const loadCpuAt = new Map<string, number>();
    const result = await new Promise<LoadResult>((resolve, reject) => {
      lines(load.stdout, (l) => {
        const mark = /^mark (\S+)/.exec(l);
        if (mark) cpuAt.set(mark[1]!, cpuSeconds(relay.pid!));
        if (mark) loadCpuAt.set(mark[1]!, cpuSeconds(load.pid!));
        if (l.startsWith('{')) resolve(JSON.parse(l) as LoadResult);
      });
      load.once('exit', (code) => reject(new Error(`load generator exited (${code}) without a result`)));
    });
    await new Promise((r) => load.once('exit', r));
    relay.kill('SIGTERM');
    await new Promise((r) => relay.once('exit', r));
    const cpu = (at: Map<string, number>, phase: string) => (at.get(`${phase}-end`) ?? NaN) - (at.get(`${phase}-start`) ?? NaN);
    return { ...result, commits, records: records - recordsBefore, capacityCpuSec: cpu(cpuAt, 'capacity'), offeredCpuSec: cpu(cpuAt, 'offered'), loadCpuSec: cpu(loadCpuAt, 'capacity') };
  } finally {
    clearTimeout(killer);
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  }
}

async function headSeq(dir: string): Promise<number> {
  const db = new DatabaseSync(join(dir, DATABASE_FILE), { readOnly: true });
  const row = db.prepare('SELECT MAX(seq) AS seq FROM audit').get() as { seq: number | null };
  db.close();
  return row.seq ?? 0;
}

export async function runDecidedRequestsBench(): Promise<BenchRow[]> {
  const runs: Array<{ label: string; r: Awaited<ReturnType<typeof runOnce>> }> = [];
  // PL_BENCH_GROUP_ONLY=1 skips the baseline (profiling runs only; reported figures run both).
  const variants = [['one record per fsync (baseline)', true], ['group commit', false]] as const;
  for (const [label, baseline] of process.env.PL_BENCH_GROUP_ONLY === '1' ? [variants[1]] : variants) {
    const { dir, planFile } = await prepare();
    runs.push({ label, r: await runOnce(dir, planFile, baseline) });
  }
  const base = runs[0]!;
  const group = runs[runs.length - 1]!;
  const scene = `${TECHNICIANS} technicians x ${base.r.agents} idle agents`;
  const rate = (p: Phase) => p.decided / p.seconds;
  const lost = (p: Phase) => (p.refused + p.skipped > 0 ? ` (${p.refused} refused, ${p.skipped} not sent: every technician at its pending cap)` : '');
  const baseLatency = { name: `latency at ${OFFERED_PER_SEC} offered/s, ${base.label}`, ...stats(base.r.offered.latencies) };
  const rows: BenchRow[] = [];
  for (const { label, r } of runs) {
    const isGroup = r === group.r;
    const ratio = rate(r.capacity) / rate(base.r.capacity);
    rows.push({
      name: `decided requests/s at capacity (${WINDOW} in flight per technician), ${scene}, ${label}${lost(r.capacity)}`,
      unit: 'requests/s',
      value: rate(r.capacity),
      samples: r.capacity.decided,
      ...(isGroup ? { target: '>= 2000 requests/s', met: rate(r.capacity) >= 2000, ratio: { p50: ratio, p99: ratio, baseline: base.label } } : {}),
    });
    rows.push(latencyRow(`decided request latency at capacity, ${label}`, r.capacity.latencies));
    rows.push({ name: `decided requests/s with ${OFFERED_PER_SEC}/s offered, ${label}${lost(r.offered)}`, unit: 'requests/s', value: rate(r.offered), samples: r.offered.decided });
    rows.push(
      isGroup
        ? latencyRow(`latency at ${OFFERED_PER_SEC} offered/s, ${label}`, r.offered.latencies, baseLatency, { text: 'p99 < 50 ms', p99Below: 50 })
        : latencyRow(baseLatency.name, r.offered.latencies),
    );
    // The relay's own CPU per decided request: what the rate would be on an idle core, whatever else the machine runs.
    rows.push({ name: `relay CPU per decided request at capacity, ${label}`, unit: 'ms', value: (r.capacityCpuSec * 1000) / r.capacity.decided });
    rows.push({ name: `relay CPU used at capacity, ${label}`, unit: '% of one core', value: (r.capacityCpuSec / r.capacity.seconds) * 100 });
    rows.push({ name: `relay CPU per decided request with ${OFFERED_PER_SEC}/s offered, ${label}`, unit: 'ms', value: (r.offeredCpuSec * 1000) / r.offered.decided });
    // The load generator shares the 2 cores: if it is near a full core, it (not the relay) limits the rate.
    rows.push({ name: `load generator CPU used at capacity, ${label}`, unit: '% of one core', value: (r.loadCpuSec / r.capacity.seconds) * 100 });
    rows.push({ name: `central-audit records per fsync, ${label}`, unit: 'records', value: r.commits > 0 ? r.records / r.commits : 0 });
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(formatTable(await runDecidedRequestsBench()));
