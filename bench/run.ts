// `npm run bench [-- --quick] [-- --compare old.json]`: every benchmark in turn, one table,
// bench/results.json and bench/report.html.
// Every row is compared with a floor measured in the same run (bare ws echo and
// two-hop forwarder, raw fsync, bare parse + hash, empty page, bare connects);
// targets are reported, never asserted (the tests don't time things).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { runAgentBench } from './agent-bench.js';
import { runAuditBench } from './audit-bench.js';
import { runEvidenceBench } from './evidence-bench.js';
import { runUiPortBench } from './ui-port-bench.js';
import { runRelayBench } from './relay-bench.js';
import { echoBaseline, twoHopFloor } from './bare-ws-baselines.js';
import { runScaleOutBench } from './scale-out-bench.js';
import { runDecidedRequestsBench } from './decided-requests-bench.js';
import { runScreenBench } from './screen-bench.js';
import { latencyRow, type BenchRow } from './stats.js';
import { formatTable } from './table.js';
import { QUICK } from './bench-options.js';
import { loadResults, regressions } from './compare.js';
import { renderBenchReport } from './report-html.js';

const echo = await echoBaseline();
const floor = await twoHopFloor();
const rows: BenchRow[] = [latencyRow(echo.name, echo.samples), latencyRow(floor.name, floor.samples)];
for (const [name, run] of [
  ['ui port', () => runUiPortBench(echo)],
  ['agent', () => runAgentBench(echo)],
  ['relay', () => runRelayBench(floor)],
  ['scale-out', () => runScaleOutBench(floor)],
  ['decided requests', () => runDecidedRequestsBench()],
  ['screen channel', () => runScreenBench(echo)],
  ['audit', () => runAuditBench()],
  ['evidence', () => runEvidenceBench()],
] as const) {
  console.error(`bench: ${name} ...`);
  rows.push(...(await run()));
}

console.log(formatTable(rows));
const chromium = spawnSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8' });
const machine = {
  cpuModel: cpus()[0]?.model,
  cpus: cpus().length,
  memGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  chromium: chromium.status === 0 ? chromium.stdout.trim() : 'not installed',
  platform: process.platform,
  mode: QUICK ? 'quick' : 'full',
};
const results = { at: new Date().toISOString(), machine, rows };
const compareWith = process.argv.indexOf('--compare');
const flagged = compareWith > 0 && process.argv[compareWith + 1] ? regressions(rows, loadResults(process.argv[compareWith + 1]!)) : [];
if (compareWith > 0) console.log(flagged.length === 0 ? '\nno regressions beyond 20 % against the compared run' : `\nREGRESSIONS beyond 20 %:\n${flagged.map((f) => `  ${f}`).join('\n')}`);
const here = (file: string) => fileURLToPath(new URL(`../../bench/${file}`, import.meta.url));
writeFileSync(here('results.json'), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(here('report.html'), renderBenchReport(results, flagged));
console.log(`\nwritten: bench/results.json, bench/report.html`);
