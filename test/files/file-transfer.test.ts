// File transfer that moves bytes, with real parts: the real relay, the real
// agent core writing into a temporary policy folder, and `porchlight request
// --send FILE` in-process (or a technician client for hostile cases).
import { afterEach, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import requestCommand from '../../src/cli/commands/request.js';
import { connectTechnician, type TechnicianClient } from '../../src/cli/technician/technician-client.js';
import { createAgent, type Agent } from '../../src/core/agent.js';
import { DEFAULT_POLICY } from '../../src/core/policy/schema.js';
import { encodeChannelFrame, MAX_CHANNEL_CHUNK } from '../../src/protocol/channel-frame.js';
import { newMessageId } from '../../src/protocol/frame.js';
import { startTestRelay, type TestRelay } from '../relay/harness.js';
import { until, within } from '../support/bounded-wait.js';
import { waitUntilOnline } from '../support/wait-until-online.js';
import { grantingUi } from '../support/granting-ui.js';

let t: TestRelay | undefined;
let agent: Agent | undefined;
afterEach(async () => {
  await agent?.stop();
  agent = undefined;
  await t?.close();
  t = undefined;
});

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function world() {
  t = await startTestRelay();
  const folder = mkdtempSync(join(tmpdir(), 'pl-files-'));
  agent = createAgent({
    deviceId: 'dev-files',
    ui: grantingUi,
    dataDir: mkdtempSync(join(tmpdir(), 'pl-files-agent-')),
    enrollmentToken: await t.enroll('dev-files'),
    policy: { ...DEFAULT_POLICY, relayUrl: t.relay.url, relayPublicKey: t.relayKey.publicKey, fileTransfer: { ...DEFAULT_POLICY.fileTransfer, maxBytes: 200 * 1024 * 1024 }, fileFolder: folder },
  });
  await agent.start();
  await waitUntilOnline(t.relay, 'dev-files');
  return { folder, ticketFolder: join(folder, 'INC-FILES'), token: await t.addTechnician('alice') };
}

/** `porchlight request --send FILE --json` until the CLI says how the file went. */
async function sendWithCli(token: string, path: string) {
  const out = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d) => (stdout += d));
  const err = new PassThrough();
  err.on('data', (d) => (stderr += d));
  const abort = new AbortController();
  const argv = ['--relay', t!.relay.url, '--token', token, '--device', 'dev-files', '--ticket', 'INC-FILES', '--reason', 'Send a driver', '--scopes', 'file-transfer', '--send', path, '--json'];
  const exit = requestCommand.run(argv, { stdout: out, stderr: err, env: {}, signal: abort.signal });
  const said = () => `${stdout}${stderr}`.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; detail?: string });
  await until(() => said().some((e) => e.type === 'file' || e.type === 'file-error'), 'the CLI to report the file', () => `${stdout}${stderr}`.slice(-500), { ms: 30_000 });
  abort.abort();
  await within(exit, 'the request command to end', () => stdout.slice(-300));
  return said().find((e) => e.type === 'file' || e.type === 'file-error')!;
}

describe('file transfer', () => {
  for (const [what, size] of [['1 byte', 1], ['0 bytes', 0], ['100 MiB', 100 * 1024 * 1024]] as const) {
    it(`${what}: arrives in the ticket's policy folder with the announced sha256, nothing else left there`, async () => {
      const w = await world();
      const src = join(mkdtempSync(join(tmpdir(), 'pl-src-')), 'driver.zip');
      const content = size > 1024 ? Buffer.alloc(size, 0x5a) : randomBytes(size);
      if (size > 1024) randomBytes(4096).copy(content, 12345);
      writeFileSync(src, content);
      const said = await sendWithCli(w.token, src);
      expect(said).toMatchObject({ type: 'file', detail: 'file: stored as driver.zip' });
      expect(readdirSync(w.ticketFolder)).toEqual(['driver.zip']);
      expect(sha256(readFileSync(join(w.ticketFolder, 'driver.zip')))).toBe(sha256(content));
    }, 60_000);
  }

  it('a second file of the same name gets a suffix; it never overwrites', async () => {
    const w = await world();
    const src = join(mkdtempSync(join(tmpdir(), 'pl-src-')), 'notes.txt');
    writeFileSync(src, 'first');
    await sendWithCli(w.token, src);
    writeFileSync(src, 'second');
    expect(await sendWithCli(w.token, src)).toMatchObject({ detail: 'file: stored as notes (2).txt' });
    expect(readFileSync(join(w.ticketFolder, 'notes.txt'), 'utf8')).toBe('first');
    expect(readFileSync(join(w.ticketFolder, 'notes (2).txt'), 'utf8')).toBe('second');
  });
});

describe('file transfer: hostile technician', () => {
  async function session(token: string): Promise<{ c: TechnicianClient; sessionId: string }> {
    const r = await connectTechnician(t!.relay.url, token);
    if (!r.ok) throw new Error(r.detail);
    const started = r.client.waitFor((m) => (m.type === 'session.started' ? m : undefined));
    r.client.send({ v: 1, type: 'tech.request', id: newMessageId(), deviceId: 'dev-files', ticket: { id: 'INC-FILES' }, reason: 'Files', scopes: ['file-transfer'], mode: 'attended', estimatedMinutes: 10 });
    return { c: r.client, sessionId: (await within(started, 'session.started', () => 'nothing'))!.sessionId };
  }

  async function announceAndOpen(c: TechnicianClient, sessionId: string, name: string, size: number, hash: string, channel = 9) {
    const transferId = newMessageId();
    const verdict = c.waitFor((m) => (m.type === 'session.file-transfer-result' ? m : undefined));
    c.send({ v: 1, type: 'session.file-transfer', id: newMessageId(), sessionId, transferId, name, size, sha256: hash, direction: 'to-device', ticketId: 'INC-FILES' });
    expect(await within(verdict, 'the file verdict', () => 'nothing')).toMatchObject({ allowed: true });
    const opened = c.waitFor((m) => (m.type === 'channel.opened' || m.type === 'channel.close' ? m : undefined));
    c.send({ v: 1, type: 'channel.open', id: newMessageId(), sessionId, channel, kind: 'file', transferId });
    return within(opened, 'channel.opened', () => 'nothing');
  }

  const closeOf = (c: TechnicianClient) => within(c.waitFor((m) => (m.type === 'channel.close' ? m : undefined)), 'channel.close', () => 'nothing');

  it('sha256 mismatch: refused, nothing kept in the folder', async () => {
    const w = await world();
    const { c, sessionId } = await session(w.token);
    const body = Buffer.from('not what was announced');
    expect(await announceAndOpen(c, sessionId, 'a.txt', body.byteLength, sha256(Buffer.from('something else')))).toMatchObject({ type: 'channel.opened' });
    const closed = closeOf(c);
    c.sendBinary(encodeChannelFrame({ kind: 'data', sessionId, channel: 9, payload: body }));
    expect(await closed).toMatchObject({ code: 'transfer-failed', detail: expect.stringContaining('does not match') });
    expect(readdirSync(w.ticketFolder)).toEqual([]);
    await c.close();
  });

  it('a reserved or dotted name is stored under a safe name', async () => {
    const w = await world();
    const { c, sessionId } = await session(w.token);
    const body = Buffer.from('x');
    expect(await announceAndOpen(c, sessionId, 'CON.txt', 1, sha256(body))).toMatchObject({ type: 'channel.opened' });
    const closed = closeOf(c);
    c.sendBinary(encodeChannelFrame({ kind: 'data', sessionId, channel: 9, payload: body }));
    expect(await closed).toMatchObject({ detail: 'stored as _CON.txt' });
    expect(readdirSync(w.ticketFolder)).toEqual(['_CON.txt']);
    await c.close();
  });

  it('bytes without an allowed announcement, or past the announced size, are refused and leave nothing', async () => {
    const w = await world();
    const { c, sessionId } = await session(w.token);
    const refused = closeOf(c);
    c.send({ v: 1, type: 'channel.open', id: newMessageId(), sessionId, channel: 8, kind: 'file', transferId: 'never-announced' });
    expect(await refused).toMatchObject({ code: 'forbidden', channel: 8 });
    expect(await announceAndOpen(c, sessionId, 'b.bin', 4, sha256(Buffer.from('abcd')))).toMatchObject({ type: 'channel.opened' });
    const closed = closeOf(c);
    c.sendBinary(encodeChannelFrame({ kind: 'data', sessionId, channel: 9, payload: Buffer.from('abcdef') }));
    expect(await closed).toMatchObject({ code: 'transfer-failed', detail: expect.stringContaining('more bytes') });
    expect(readdirSync(w.ticketFolder)).toEqual([]);
    await c.close();
  });

  it('revoking file-transfer aborts the transfer in flight and deletes the partial file', async () => {
    const w = await world();
    const { c, sessionId } = await session(w.token);
    const size = 10 * MAX_CHANNEL_CHUNK;
    expect(await announceAndOpen(c, sessionId, 'big.bin', size, sha256(Buffer.alloc(size)))).toMatchObject({ type: 'channel.opened' });
    const gotAck = new Promise<void>((resolve) => c.onBinary(() => resolve()));
    c.sendBinary(encodeChannelFrame({ kind: 'data', sessionId, channel: 9, payload: Buffer.alloc(MAX_CHANNEL_CHUNK) }));
    await within(gotAck, 'the first ack', () => 'none');
    expect(readdirSync(w.ticketFolder).length).toBe(1); // the private temporary file
    const closed = closeOf(c);
    // file-transfer is the only scope: revoking it ends the session; the relay closes the channel, the agent aborts.
    expect(await agent!.revokeScope(sessionId, 'file-transfer')).toBe(true);
    expect(await closed).toMatchObject({ channel: 9 });
    await until(() => readdirSync(w.ticketFolder).length === 0, 'the partial file to go', () => readdirSync(w.ticketFolder).join(','), { ms: 1000 });
    await c.close();
  });
});
