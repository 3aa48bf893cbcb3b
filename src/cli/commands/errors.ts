// `porchlight errors`: the stable error codes and what each means.
import { parseArgs } from '../parse-args.js';
import { ERROR_MEANINGS } from '../../protocol/error-codes.js';
import type { Command } from '../command.js';

const command: Command = {
  name: 'errors',
  summary: 'list the protocol\'s stable error codes',
  help: 'Usage: porchlight errors\n\nPrints every stable error code of protocol v1 with its meaning.\n',
  async run(argv, ctx) {
    parseArgs({ args: argv, options: {}, strict: true });
    const width = Math.max(...Object.keys(ERROR_MEANINGS).map((c) => c.length));
    for (const [code, meaning] of Object.entries(ERROR_MEANINGS)) ctx.stdout.write(`${code.padEnd(width)}  ${meaning}\n`);
    return 0;
  },
};
export default command;
