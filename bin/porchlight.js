#!/usr/bin/env node
// The `porchlight` command. Built code lives in dist/ (`npm run build`).
// No input may end in a stack trace: anything that escapes main() is one line
// `error: internal: ...` and exit 1 (PORCHLIGHT_DEBUG=1 prints the stack).
const debug = process.env.PORCHLIGHT_DEBUG === '1';
function crash(err) {
  const message = String(err instanceof Error ? err.message : err).replace(/\s*\n\s*/g, '; ');
  process.stderr.write(`error: internal: ${message}${debug ? `\n${err?.stack ?? ''}` : ' (PORCHLIGHT_DEBUG=1 shows the stack)'}\n`);
  process.exit(1);
}
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);

// A closed pipe (`porchlight ... | head`) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    crash(err);
  });
}

// An older global Node (a checkout's `npx porchlight`): re-run with the private Node 24
// that npm start / npm test use (scripts/ensure-node.mjs), or say in one line what to do.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  const { ensureNode } = await import('../scripts/ensure-node.mjs').catch(() => ({ ensureNode: undefined }));
  if (ensureNode === undefined) {
    process.stderr.write(`error: internal: porchlight needs Node >= 22.13 (this is ${process.version}); install Node 24 (\`nvm install\` reads .nvmrc)\n`);
    process.exit(1);
  }
  await ensureNode(import.meta.url);
}

let main;
try {
  ({ main } = await import('../dist/src/cli/main.js'));
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('dist/src/cli/main.js')) crash(err);
  process.stderr.write('error: internal: porchlight is not built in this checkout: run npm run build (or npm start)\n');
  process.exit(1);
}
process.exitCode = await main(process.argv.slice(2));
