// Placeholder: implemented by its issue. Exits 1 so nothing mistakes it for success.
import type { Command } from '../command.js';

const command: Command = {
  name: 'request',
  summary: 'not implemented yet',
  async run(_argv, ctx) {
    ctx.stderr.write('porchlight request: not implemented yet\n');
    return 1;
  },
};
export default command;
