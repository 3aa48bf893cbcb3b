// `npm run bench`: runs every benchmark in turn and prints its figures.
import { runAgentBench } from './agent-bench.js';
import { runRelayBench } from './relay-bench.js';

const benches: Array<[string, () => Promise<void>]> = [
  ['agent', runAgentBench],
  ['relay', runRelayBench],
];

for (const [name, run] of benches) {
  console.log(`\n=== bench: ${name}`);
  await run();
}
