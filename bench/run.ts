// `npm run bench`: runs every benchmark in turn and prints its figures.
import { runEvidenceBench } from './evidence-bench.js';
import { runRelayBench } from './relay-bench.js';

const benches: Array<[string, () => Promise<void>]> = [
  ['relay', runRelayBench],
  ['evidence', runEvidenceBench],
];

for (const [name, run] of benches) {
  console.log(`\n=== bench: ${name}`);
  await run();
}
