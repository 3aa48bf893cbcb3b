// `npm run bench`: every benchmark in turn, one table, and bench/results.json.
// Latencies are percentiles, compared with a bare ws echo RTT measured in the
// same run; targets are reported, never asserted (the tests don't time things).
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { runAgentBench } from './agent-bench.js';
import { runAuditBench } from './audit-bench.js';
import { runEvidenceBench } from './evidence-bench.js';
import { runUiPortBench } from './ui-port-bench.js';
import { echoBaseline, runRelayBench } from './relay-bench.js';
import { runScaleOutBench } from './scale-out-bench.js';
import { latencyRow, type BenchRow } from './stats.js';
import { formatTable } from './table.js';

const echo = await echoBaseline();
const rows: BenchRow[] = [latencyRow(echo.name, echo.samples)];
for (const [name, run] of [
  ['ui port', () => runUiPortBench(echo)],
  ['agent', () => runAgentBench(echo)],
  ['relay', () => runRelayBench(echo)],
  ['scale-out', () => runScaleOutBench()],
  ['audit', () => runAuditBench()],
  ['evidence', () => runEvidenceBench()],
] as const) {
  console.error(`bench: ${name} ...`);
  rows.push(...(await run()));
}

console.log(formatTable(rows));
const out = fileURLToPath(new URL('../../bench/results.json', import.meta.url));
const machine = { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, memGiB: Math.round(totalmem() / 2 ** 30), platform: process.platform };
writeFileSync(out, `${JSON.stringify({ at: new Date().toISOString(), machine, rows }, null, 2)}\n`);
console.log(`\nwritten: bench/results.json`);
