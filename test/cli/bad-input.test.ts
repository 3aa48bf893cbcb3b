// Every command, fed the inputs a person gets wrong: each answer is the
// documented exit code and exactly one line `error: <code>: <message>`,
// never a stack trace (issue 14).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, runCli, startCli } from './built-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'pl-bad-input-'));
const aDir = join(dir, 'a-directory');
const missing = join(dir, 'no-such-file');
const loop = join(dir, 'symlink-loop');
const binary = join(dir, 'binary.bin');
const notUtf8 = Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x80]).toString('latin1');
// Under Linux's 128 KiB limit for one argument.
const huge = 'x'.repeat(100_000);
const relay = 'ws://127.0.0.1:9';
const token = 'A'.repeat(32);
const USAGE = 2;

beforeAll(async () => {
  mkdirSync(aDir);
  symlinkSync(loop, loop);
  writeFileSync(binary, Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x80, 0x0a, 0x7b]));
  await ensureBuilt();
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const request = (...extra: string[]) => ['request', '--relay', relay, '--token', token, '--device', 'dev-1', '--ticket', 'INC1', '--reason', 'r', '--scopes', 'view', ...extra];
const close = (...extra: string[]) => ['session', 'close', '--relay', relay, '--token', token, '--ticket', 'INC1', '--outcome', 'resolved', ...extra];
const approve = (...extra: string[]) => ['approve', '--key', binary, '--device', 'd', '--technician', 't', '--scopes', 'view', '--ticket', 'T1', '--reference', 'R', '--approver', 'M', '--expires', '60', ...extra];

/** [what is wrong, argv, exit code]. */
const CASES: Array<[string, string[], number]> = [
  ['errors: unknown flag', ['errors', '--frobnicate'], USAGE],
  ['request: missing value', ['request', '--relay'], USAGE],
  ['request: no relay', ['request', '--token', token], USAGE],
  ['request: malformed token', request('--token', 'bogus'), 8],
  ['request: non-UTF-8 token', request('--token', notUtf8), 8],
  ['request: huge token', request('--token', huge), 8],
  ['request: minutes not a number', request('--minutes', 'ten'), USAGE],
  ['request: huge minutes', request('--minutes', '1e308'), USAGE],
  ['request: negative timeout', request('--timeout', '-1'), USAGE],
  ['request: unknown scope', request('--scopes', 'view,root'), USAGE],
  ['request: huge reason', request('--reason', huge), USAGE],
  ['request: non-UTF-8 device', request('--device', notUtf8), USAGE],
  ['request: --ca is a directory', [...request('--ca', aDir)].map((a) => (a === relay ? 'wss://127.0.0.1:9' : a)), USAGE],
  ['request: --ca does not exist', [...request('--ca', missing)].map((a) => (a === relay ? 'wss://127.0.0.1:9' : a)), USAGE],
  ['request: --ca is a symlink loop', [...request('--ca', loop)].map((a) => (a === relay ? 'wss://127.0.0.1:9' : a)), USAGE],
  ['request: --ca holds binary bytes', [...request('--ca', binary)].map((a) => (a === relay ? 'wss://127.0.0.1:9' : a)), USAGE],
  ['request: relay URL not a URL', ['request', '--relay', notUtf8, '--token', token], USAGE],
  ['request: a plain ws:// instance in a relay list', request().map((a) => (a === relay ? `${relay},ws://relay-2.example.com` : a)), USAGE],
  ['request: an empty relay list', request().map((a) => (a === relay ? ',,' : a)), USAGE],
  ['session: no subcommand', ['session'], USAGE],
  ['session close: malformed token', close('--token', 'bogus'), 8],
  ['session close: bad outcome', close('--outcome', 'maybe'), USAGE],
  ['session close: huge note', close('--note', huge), USAGE],
  ['session close: unknown flag', close('--frobnicate'), USAGE],
  ['relay: port not a number', ['relay', '--port', 'http', '--data', aDir], USAGE],
  ['relay: huge port', ['relay', '--port', '99999999999', '--data', aDir], USAGE],
  ['relay: --cert is a directory', ['relay', '--port', '0', '--cert', aDir, '--key', aDir, '--data', join(dir, 'relay-1')], USAGE],
  ['relay: --cert does not exist', ['relay', '--port', '0', '--cert', missing, '--key', missing, '--data', join(dir, 'relay-2')], USAGE],
  ['relay: --cert holds binary bytes', ['relay', '--port', '0', '--cert', binary, '--key', binary, '--data', join(dir, 'relay-3')], USAGE],
  ['relay: --data is a file', ['relay', 'enroll-device', '--device', 'd', '--data', binary], USAGE],
  ['relay: retention not a number', ['relay', '--retention-days', 'lots', '--data', aDir], USAGE],
  ['relay: unknown subcommand', ['relay', 'frobnicate'], USAGE],
  ['relay add-technician: missing name', ['relay', 'add-technician', '--group', 'g', '--data', aDir], USAGE],
  ['relay add-technician: non-UTF-8 name', ['relay', 'add-technician', '--name', notUtf8, '--group', 'g', '--data', aDir], USAGE],
  ['relay add-technician: huge display', ['relay', 'add-technician', '--name', 'n', '--group', 'g', '--display', huge, '--data', aDir], USAGE],
  ['relay enroll-device: hours not a number', ['relay', 'enroll-device', '--device', 'd', '--hours', 'NaN', '--data', aDir], USAGE],
  ['relay audit: ticket missing value', ['relay', 'audit', '--ticket'], USAGE],
  ['approve: missing flags', ['approve', '--key', binary], USAGE],
  ['approve: --key is a directory', approve('--key', aDir), 1],
  ['approve: --key does not exist', approve('--key', missing), 1],
  ['approve: --key holds binary bytes', approve(), 1],
  ['approve: expiry not a time', approve('--expires', 'tomorrow'), USAGE],
  ['approve: huge expiry', approve('--expires', '9'.repeat(400)), USAGE],
  ['keys: no subcommand', ['keys'], USAGE],
  ['keys generate: --out in a missing dir', ['keys', 'generate', '--approvals', '--out', join(missing, 'k.json')], 1],
  ['keys generate: --out is a directory', ['keys', 'generate', '--approvals', '--out', aDir], 1],
  ['agent: unknown flag', ['agent', '--headless', '--frobnicate'], USAGE],
  ['agent: --config is a directory', ['agent', '--headless', '--config', aDir], 1],
  ['agent: --config does not exist', ['agent', '--headless', '--config', missing], 1],
  ['agent: --config holds binary bytes', ['agent', '--headless', '--config', binary], 1],
  ['agent: --ca is a directory', ['agent', '--headless', '--ca', aDir, '--config', missing], USAGE],
  ['audit: no subcommand', ['audit'], USAGE],
  ['audit: unknown subcommand', ['audit', 'frobnicate'], USAGE],
  ['audit verify: does not exist', ['audit', 'verify', missing], 5],
  ['audit verify: a file', ['audit', 'verify', binary], 5],
  ['audit verify: symlink loop', ['audit', 'verify', loop], 1],
  ['audit verify: --anchors is a directory', ['audit', 'verify', aDir, '--anchors', aDir], 4],
  ['audit export: huge ticket', ['audit', 'export', '--ticket', huge, '--dir', aDir], USAGE],
  ['audit export: non-UTF-8 ticket', ['audit', 'export', '--ticket', notUtf8, '--dir', aDir], USAGE],
  ['audit export: --dir does not exist', ['audit', 'export', '--ticket', 'T1', '--dir', missing], 5],
  ['evidence: no subcommand', ['evidence'], USAGE],
  ['evidence verify: a directory', ['evidence', 'verify', aDir], 1],
  ['evidence verify: does not exist', ['evidence', 'verify', missing], 1],
  ['evidence verify: binary bytes', ['evidence', 'verify', binary], 1],
  ['evidence verify: bad relay key', ['evidence', 'verify', binary, '--relay-key', notUtf8], 1],
  ['evidence: --data is a file', ['evidence', '--ticket', 'T1', '--out', join(dir, 'e.json'), '--data', binary], USAGE],
  ['evidence: --agent-log is a file', ['evidence', '--ticket', 'T1', '--out', join(dir, 'e2.json'), '--data', aDir, '--agent-log', binary], USAGE],
  ['report: no month', ['report'], USAGE],
  ['report: month out of range', ['report', '--month', '2026-13'], USAGE],
  ['report: huge month', ['report', '--month', huge], USAGE],
  ['report: unknown time zone', ['report', '--month', '2026-01', '--tz', 'Mars/Olympus'], USAGE],
  ['report: --data is a file', ['report', '--month', '2026-01', '--data', binary], USAGE],
];

// Every command and subcommand refuses a flag it does not know with exit 2, never ignoring it.
const SUBCOMMANDS: string[][] = [
  ['errors'], ['report', '--month', '2026-01'], ['request'], ['session', 'close'], ['approve'], ['keys', 'generate'], ['agent', '--headless'],
  ['audit', 'verify', aDir], ['audit', 'export'], ['evidence'], ['evidence', 'verify', binary],
  ['relay'], ['relay', 'add-technician'], ['relay', 'enroll-device'], ['relay', 'audit'], ['relay', 'review'], ['relay', 'migrate'],
  ['relay', 'technicians', 'list'], ...['show', 'disable', 'enable', 'remove', 'set', 'rotate-token'].map((s) => ['relay', 'technicians', s, 'alice']),
  ['relay', 'technicians', 'mfa', 'enroll', 'alice'], ['relay', 'technicians', 'mfa', 'reset', 'alice'],
];
const UNKNOWN_FLAG: Array<[string, string[], number]> = SUBCOMMANDS.map((argv) => [`${argv.filter((a) => !a.startsWith(dir)).join(' ')}: unknown flag`, [...argv, '--frobnicate'], USAGE]);
const NO_SUBCOMMAND: Array<[string, string[], number]> = [
  ['relay technicians: no subcommand', ['relay', 'technicians'], USAGE],
  ['relay technicians: unknown subcommand', ['relay', 'technicians', 'frobnicate'], USAGE],
  ['relay technicians mfa: no subcommand', ['relay', 'technicians', 'mfa'], USAGE],
  ['relay technicians show: no id', ['relay', 'technicians', 'show'], USAGE],
];

describe('bad input never crashes the CLI', () => {
  it.each([...CASES, ...UNKNOWN_FLAG, ...NO_SUBCOMMAND])('%s: documented exit code, one error line, no stack', async (_what, argv, exitCode) => {
    const r = await runCli(argv, { PORCHLIGHT_RELAY_DATA: join(dir, 'default-relay-data'), PORCHLIGHT_AUDIT_DIR: aDir });
    const lines = r.stderr.trimEnd().split('\n');
    expect({ code: r.code, lines: lines.length, stderr: r.stderr.slice(0, 400) }).toMatchObject({ code: exitCode, lines: 1 });
    expect(lines[0]).toMatch(/^error: [a-z-]+: \S/);
    expect(r.stderr).not.toMatch(/\n\s+at |TypeError|ReferenceError/);
  });

  it('a malformed token is named before any connection is tried (nothing listens on the relay port)', async () => {
    const malformed = 'error: unauthorized: the technician token is malformed (expected 16-128 characters A-Z a-z 0-9 _ -)\n';
    for (const argv of [request('--token', 'bogus'), close('--token', 'bogus')]) {
      const r = await runCli(argv);
      expect([r.code, r.stdout, r.stderr]).toEqual([8, '', malformed]);
    }
    const fromEnv = await runCli(request().filter((a) => a !== '--token' && a !== token), { PORCHLIGHT_TOKEN: 'bogus' });
    expect([fromEnv.code, fromEnv.stderr]).toEqual([8, malformed]);
  });

  it('audit and evidence without a subcommand name the subcommands in one line', async () => {
    const audit = await runCli(['audit']);
    expect([audit.code, audit.stdout, audit.stderr]).toEqual([2, '', "error: usage: expected a subcommand: 'verify' or 'export' (see 'porchlight audit --help')\n"]);
    const evidence = await runCli(['evidence']);
    expect([evidence.code, evidence.stdout, evidence.stderr]).toEqual([2, '', "error: usage: expected 'verify FILE' or --ticket ID --out FILE (see 'porchlight evidence --help')\n"]);
  });

  it('an agent config with a ws:// relay off loopback or a REPLACE_ placeholder is refused when read, before any connect', async () => {
    const config = (policy: object) => {
      const file = join(dir, `agent-${Object.keys(policy).join('-')}.json`);
      writeFileSync(file, JSON.stringify({ deviceId: 'dev-1', dataDir: join(dir, 'agent-data'), policy }));
      return file;
    };
    const plain = config({ relayUrl: 'ws://relay.example.com:7443' });
    const r1 = await runCli(['agent', '--headless', '--config', plain]);
    expect([r1.code, r1.stderr]).toEqual([1, `error: config-invalid: ${plain}: policy.relayUrl: relay URL must use wss:// (ws:// only to a loopback relay); set allowInsecureRelay: true only for development\n`]);
    const placeholder = config({ relayUrl: 'wss://relay.example.com', relayPublicKey: 'REPLACE_with_the_relay_signing_public_key__' });
    const r2 = await runCli(['agent', '--headless', '--config', placeholder]);
    expect([r2.code, r2.stderr]).toEqual([1, `error: config-invalid: ${placeholder}: config: policy.relayPublicKey: is still a REPLACE_... placeholder from the example: put the real value here\n`]);
  });

  const preload = ['--import', new URL('./fixtures/exists-throws.mjs', import.meta.url).pathname];

  it('an unexpected failure is one line `error: internal: ...`, exit 1', async () => {
    const r = await startCli(['report', '--month', '2026-01', '--data', aDir], {}, { nodeArgs: preload }).done;
    expect([r.code, r.stderr]).toEqual([1, 'error: internal: simulated internal failure (PORCHLIGHT_DEBUG=1 shows the stack)\n']);
  });

  it('PORCHLIGHT_DEBUG=1 adds the stack to an internal error', async () => {
    const r = await startCli(['report', '--month', '2026-01', '--data', aDir], { PORCHLIGHT_DEBUG: '1' }, { nodeArgs: preload }).done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: internal: simulated internal failure\nError: simulated internal failure\n\s+at /);
  });
});
