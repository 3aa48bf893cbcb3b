// Screen channel benchmarks (issue 16), with the relay and the agent in their
// own processes: throughput technician <- agent through the relay against a
// direct loopback TCP copy from the same server in the same run (100 MiB) and
// against the bare forwarder chain of the same topology (the physical floor),
// the small-message round trip through the channel against the bare ws echo,
// and the relay's and agent's RSS growth during a 1 GiB transfer (backpressure
// keeps them flat). Targets are reported, never asserted.
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import requestCommand from '../src/cli/commands/request.js';
import { startForwarderChain } from './bare-forwarder-chain.js';
import { rounds } from './bench-options.js';
import { RfbBenchViewer } from './rfb-bench-viewer.js';
import { BENCH_DEVICE, type PeerReport } from './screen-peers.js';
import { latencyRow, stats, valueRatio, type BenchRow } from './stats.js';
import { startTinyRfbServer } from './tiny-rfb-server.js';

const THROUGHPUT_MIB = 100;
const MEMORY_MIB = rounds(1024, 256);
const PINGS = rounds(2000, 200);

function peer(args: string[]): { child: ChildProcess; report: Promise<PeerReport> } {
  const child = fork(fileURLToPath(new URL('./screen-peers.js', import.meta.url)), args, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const report = new Promise<PeerReport>((resolve, reject) => {
    child.once('message', (m) => resolve(m as PeerReport));
    child.once('exit', (code) => reject(new Error(`bench peer ${args[0]} exited (${code})`)));
  });
  return { child, report };
}

/** CPU time a process has used (user + system), in ms, from /proc/<pid>/stat. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** Resident set size of a process, in MiB. */
function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function pings(viewer: RfbBenchViewer, n: number): Promise<number[]> {
  for (let i = 0; i < Math.min(100, n); i++) await viewer.ping();
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await viewer.ping());
  return out;
}

export async function runScreenBench(echo: { name: string; p50: number; p99: number }): Promise<BenchRow[]> {
  const vnc = await startTinyRfbServer();
  const relay = peer(['relay']);
  const r = (await relay.report) as Extract<PeerReport, { role: 'relay' }>;
  const agent = peer(['agent', r.url, r.relayPublicKey, r.enrollmentToken, String(vnc.port)]);
  const abort = new AbortController();
  try {
    await agent.report;
    // The technician side: `porchlight request --screen-port 0 --json`, in this process.
    const out = new PassThrough();
    let stdout = '';
    out.on('data', (d) => (stdout += d));
    const argv = ['--relay', r.url, '--token', r.technicianToken, '--device', BENCH_DEVICE, '--ticket', 'INC-BENCH', '--reason', 'Screen bench', '--scopes', 'view', '--screen-port', '0', '--json'];
    void requestCommand.run(argv, { stdout: out, stderr: new PassThrough(), env: {}, signal: abort.signal });
    const screenPort = await new Promise<number>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`no screen port: ${stdout.slice(-300)}`)), 20_000);
      out.on('data', () => {
        const line = stdout.split('\n').find((l) => l.includes('"type":"screen"'));
        if (line) {
          clearTimeout(deadline);
          resolve((JSON.parse(line) as { port: number }).port);
        }
      });
    });

    const direct = await RfbBenchViewer.connect(vnc.port);
    await direct.flood(16); // warm-up
    const directCpuBefore = process.cpuUsage();
    const directSec = await direct.flood(THROUGHPUT_MIB);
    const directCpu = process.cpuUsage(directCpuBefore);
    const directPings = await pings(direct, PINGS);
    direct.close();

    // The floor: the same processes and hops, plain ws forwarding, no Porchlight logic.
    const chain = await startForwarderChain(vnc.port);
    const bare = await RfbBenchViewer.connect(chain.port);
    await bare.flood(16);
    const floorBefore = [cpuMs(chain.pids[0]), cpuMs(chain.pids[1]), process.cpuUsage()] as const;
    const floorSec = await bare.flood(THROUGHPUT_MIB);
    const floorMain = process.cpuUsage(floorBefore[2]);
    const floorCpuPerMiB = [cpuMs(chain.pids[0]) - floorBefore[0], cpuMs(chain.pids[1]) - floorBefore[1], (floorMain.user + floorMain.system) / 1000].map((ms) => ms / THROUGHPUT_MIB);
    const floorPings = await pings(bare, PINGS);
    bare.close();
    chain.close();

    const viewer = await RfbBenchViewer.connect(screenPort);
    await viewer.flood(16);
    const cpuBefore = [cpuMs(agent.child.pid!), cpuMs(relay.child.pid!), process.cpuUsage()] as const;
    const channelSec = await viewer.flood(THROUGHPUT_MIB);
    const mainCpu = process.cpuUsage(cpuBefore[2]);
    const cpuPerMiB = [cpuMs(agent.child.pid!) - cpuBefore[0], cpuMs(relay.child.pid!) - cpuBefore[1], (mainCpu.user + mainCpu.system) / 1000].map((ms) => ms / THROUGHPUT_MIB);
    const channelPings = await pings(viewer, PINGS);

    const relayBefore = rssMiB(relay.child.pid!);
    const agentBefore = rssMiB(agent.child.pid!);
    let relayPeak = relayBefore;
    let agentPeak = agentBefore;
    const sampler = setInterval(() => {
      relayPeak = Math.max(relayPeak, rssMiB(relay.child.pid!));
      agentPeak = Math.max(agentPeak, rssMiB(agent.child.pid!));
    }, 50);
    const memorySec = await viewer.flood(MEMORY_MIB);
    clearInterval(sampler);
    viewer.close();

    const directRate = THROUGHPUT_MIB / directSec;
    const channelRate = THROUGHPUT_MIB / channelSec;
    const floorRate = THROUGHPUT_MIB / floorSec;
    const floorName = `bare ws forwarder chain, same hops and processes, ${THROUGHPUT_MIB} MiB (floor)`;
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const channelRtt = stats(channelPings);
    const added = channelRtt.p99 - echo.p99;
    return [
      { name: `direct loopback TCP copy, ${THROUGHPUT_MIB} MiB (baseline)`, unit: 'MiB/s', value: directRate },
      { name: 'direct copy CPU per MiB (tiny server and viewer, one process)', unit: 'ms', value: (directCpu.user + directCpu.system) / 1000 / THROUGHPUT_MIB },
      { name: floorName, unit: 'MiB/s', value: floorRate, ratio: valueRatio(floorRate / directRate, 'the direct copy') },
      ...['forwarder A (as the agent)', 'forwarder B (as the relay)', 'forwarder C (as the technician CLI, with the bench viewer and tiny server)'].map((who, i) => ({ name: `${who} CPU per forwarded MiB`, unit: 'ms', value: floorCpuPerMiB[i]! })),
      { name: 'bare forwarder chain CPU per MiB, all processes', unit: 'ms', value: sum(floorCpuPerMiB) },
      { name: `screen channel technician <- agent through the relay, ${THROUGHPUT_MIB} MiB`, unit: 'MiB/s', value: channelRate, ratio: valueRatio(channelRate / floorRate, floorName), target: `>= 0.7x the direct copy (this run: ${(channelRate / directRate).toFixed(2)}x)`, met: channelRate >= 0.7 * directRate },
      ...['agent', 'relay', 'technician CLI (with the bench viewer and tiny server)'].map((who, i) => ({ name: `${who} CPU per relayed MiB`, unit: 'ms', value: cpuPerMiB[i]! })),
      { name: 'screen channel CPU per relayed MiB, all processes', unit: 'ms', value: sum(cpuPerMiB), ratio: valueRatio(sum(cpuPerMiB) / sum(floorCpuPerMiB), 'bare forwarder chain CPU per MiB, all processes') },
      latencyRow('direct loopback TCP small round trip (baseline)', directPings),
      latencyRow('bare forwarder chain small round trip (floor)', floorPings),
      latencyRow('screen channel small round trip through the relay', channelPings, echo),
      { name: 'screen channel small round trip: p99 added over the bare forwarder chain', unit: 'ms', value: channelRtt.p99 - stats(floorPings).p99 },
      { name: 'screen channel small round trip: p99 added over the plain ws echo', unit: 'ms', value: added, target: 'p99 added < 2 ms', met: added < 2 },
      { name: `relay RSS growth during a ${MEMORY_MIB} MiB screen transfer (${(MEMORY_MIB / memorySec).toFixed(0)} MiB/s)`, unit: 'MiB', value: relayPeak - relayBefore, target: '< 50 MiB', met: relayPeak - relayBefore < 50 },
      { name: `agent RSS growth during a ${MEMORY_MIB} MiB screen transfer`, unit: 'MiB', value: agentPeak - agentBefore, target: '< 50 MiB', met: agentPeak - agentBefore < 50 },
    ];
  } finally {
    abort.abort();
    agent.child.kill('SIGTERM');
    relay.child.kill('SIGTERM');
    await vnc.close();
  }
}

// `node dist/bench/screen-bench.js`: these rows alone.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { echoBaseline } = await import('./bare-ws-baselines.js');
  const { formatTable } = await import('./table.js');
  const echo = await echoBaseline();
  console.log(formatTable([latencyRow(echo.name, echo.samples), ...(await runScreenBench(echo))]));
  process.exit(0);
}
