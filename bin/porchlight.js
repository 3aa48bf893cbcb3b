#!/usr/bin/env node
// The `porchlight` command. Built code lives in dist/ (`npm run build`).
import { main } from '../dist/src/cli/main.js';

// A closed pipe (`porchlight ... | head`) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

process.exitCode = await main(process.argv.slice(2));
