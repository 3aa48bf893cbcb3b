// `porchlight request --at --window [--ics]` (issue 20), through the built CLI, a
// real relay on a port-0 socket and a scripted agent that signs like the real one:
// the proposal, the agreed window printed and written as an invitation, the
// central audit and storage, the user's cancellation reaching the relay, and
// every bad value refused in words before anything is sent.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newMessageId } from '../../src/protocol/frame.js';
import { signWindowRevocation, type Message } from '../../src/protocol/index.js';
import { startTestRelay, type TestRelay } from '../relay/harness.js';
import { agreeWindow, type ScriptedAgent } from '../relay/scripted-agent.js';
import { ensureBuilt, runCli } from './built-cli.js';

let t: TestRelay;
let token: string;
let agent: ScriptedAgent;

beforeAll(ensureBuilt, 120_000);
beforeEach(async () => {
  t = await startTestRelay();
  token = await t.addTechnician('alice');
  agent = await t.agent('dev-1');
});
afterEach(() => t.close());

const HOUR = 3_600_000;
/** A whole minute from now on, as the technician types it (UTC). */
const inHours = (h: number) => new Date(Math.ceil((Date.now() + h * HOUR) / 60_000) * 60_000).toISOString().replace(/:00\.000Z$/, 'Z');
const base = () => ['request', '--relay', t.relay.url, '--token', token, '--device', 'dev-1', '--ticket', 'INC0012345', '--reason', 'Reinstall the add-in, after hours', '--scopes', 'view,control'];

describe('porchlight request --at --window', () => {
  it('proposes the window, prints the agreed window (text), writes the .ics, and the relay keeps and audits it', async () => {
    let seen: Message<'schedule.request'> | undefined;
    agent.answerSchedule = (req, self) => {
      seen = req;
      return agreeWindow(req, self);
    };
    const ics = join(mkdtempSync(join(tmpdir(), 'pl-ics-')), 'window.ics');
    const at = inHours(3);
    const r = await runCli([...base(), '--at', at, '--window', '2h', '--ics', ics]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const startsAt = new Date(at).toISOString();
    const endsAt = new Date(Date.parse(at) + 2 * HOUR).toISOString();
    expect(seen?.payload).toMatchObject({ ticket: { id: 'INC0012345' }, scopes: ['view', 'control'], startsAt, endsAt, technician: { id: 'alice' } });
    expect(r.stdout).toMatch(/^verification code: \d{6}/m);
    expect(r.stdout).toContain(`(${startsAt} to ${endsAt}) for INC0012345 [view, control], window win-`);
    expect(r.stdout).toContain(`calendar invitation written to ${ics}`);
    const text = readFileSync(ics, 'utf8');
    expect(text).toContain(`DTSTART:${startsAt.replace(/[-:]/g, '').replace('.000', '')}\r\n`);
    expect(text).toContain('SUMMARY:Remote support: INC0012345 (view\\, control)\r\n');
    const [stored] = await t.storage.listAgreedWindows('dev-1');
    expect(stored).toMatchObject({ revokedAt: null, signed: { window: { ticketId: 'INC0012345', startsAt, endsAt } } });
    const kinds = (await t.storage.queryAudit({ deviceId: 'dev-1' })).map((x) => x.kind);
    expect(kinds).toEqual(expect.arrayContaining(['schedule-request', 'schedule-decision']));
    const [decision] = await t.storage.queryAudit({ deviceId: 'dev-1', kinds: ['schedule-decision'] });
    expect(decision?.data).toMatchObject({ outcome: 'agreed', agreed: { devicePublicKey: agent.key.publicKey } });
  });

  it('--json prints the agreed-window event', async () => {
    agent.answerSchedule = agreeWindow;
    const r = await runCli([...base(), '--at', inHours(1), '--window', '90m', '--json']);
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.type !== 'device-key');
    expect(events.map((e) => e.type)).toEqual(['session.pending', 'schedule.decision', 'agreed-window']);
    expect(events[1]).toMatchObject({ outcome: 'agreed', signatureVerified: true });
    expect(events[2]).toMatchObject({ ticketId: 'INC0012345', scopes: ['view', 'control'], windowId: expect.stringMatching(/^win-/) });
  });

  it('a decline exits 4 and keeps nothing', async () => {
    agent.answerSchedule = (req) => [{ v: 1, type: 'schedule.decision', id: newMessageId(), requestId: req.payload.requestId, outcome: 'declined', decidedBy: 'user', decidedAt: new Date().toISOString() }];
    const r = await runCli([...base(), '--at', inHours(1), '--window', '1h']);
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('window declined (user)');
    expect(await t.storage.listAgreedWindows('dev-1')).toEqual([]);
  });

  it('refuses an agreed window the device key did not sign, at the relay', async () => {
    agent.answerSchedule = (req, self) => {
      const [msg] = agreeWindow(req, self) as [Message<'schedule.decision'>];
      return [{ ...msg, agreed: { ...msg.agreed!, window: { ...msg.agreed!.window, scopes: ['view', 'control', 'admin'] } } }];
    };
    const decided = agent.next('error');
    void runCli([...base(), '--at', inHours(1), '--window', '1h']).catch(() => undefined);
    expect(await decided).toMatchObject({ code: 'bad-signature' });
    expect(await t.storage.listAgreedWindows('dev-1')).toEqual([]);
  });

  it("the user's cancellation reaches the relay: kept, audited once, a forged one refused", async () => {
    agent.answerSchedule = agreeWindow;
    expect((await runCli([...base(), '--at', inHours(1), '--window', '1h'])).code).toBe(0);
    const [stored] = await t.storage.listAgreedWindows('dev-1');
    const revocation = { windowId: stored!.signed.window.windowId, deviceId: 'dev-1', revokedAt: new Date().toISOString() };
    agent.send({ v: 1, type: 'schedule.revoked', id: newMessageId(), revocation, sig: signWindowRevocation({ ...revocation, revokedAt: '2020-01-01T00:00:00.000Z' }, agent.key) });
    expect(await agent.next('error')).toMatchObject({ code: 'bad-signature' });
    agent.send({ v: 1, type: 'schedule.revoked', id: newMessageId(), revocation, sig: signWindowRevocation(revocation, agent.key) });
    await expect.poll(async () => (await t.storage.listAgreedWindows('dev-1'))[0]?.revokedAt, { timeout: 5000 }).toBe(revocation.revokedAt);
    const revoked = await t.storage.queryAudit({ deviceId: 'dev-1', kinds: ['window-revoked'] });
    expect(revoked).toHaveLength(1);
    expect(revoked[0]).toMatchObject({ ticketId: 'INC0012345', technicianId: 'alice', data: { windowId: revocation.windowId } });
  });

  it.each([
    [['--at', '2020-01-01T18:00', '--window', '2h'], /--at 2020-01-01T18:00 is in the past \(it is now .*\): propose a time from now on/],
    [['--at', 'tonight', '--window', '2h'], /--at tonight is not a time: write it as 2026-12-04T18:00/],
    [['--at', 'TOMORROW', '--window', 'two hours'], /is not a time/],
    [['--at', '+AT', '--window', '25h'], /--window 25h is too long: at most 24h/],
    [['--at', '+AT', '--window', 'two hours'], /--window two hours is not a length: write it as 2h, 90m or 1h30m/],
    [['--at', '+AT'], /--at needs --window LENGTH/],
    [['--window', '2h'], /--window and --ics go with --at/],
    [['--at', '+AT', '--window', '2h', '--emergency', 'x', '--incident', 'y'], /--emergency does not go with --at/],
  ])('refuses %j in words (exit 2, one line, nothing sent)', async (extra, message) => {
    const args = extra.map((a) => (a === '+AT' ? inHours(1) : a));
    const r = await runCli([...base(), ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(await t.storage.queryAudit({ deviceId: 'dev-1', kinds: ['schedule-request'] })).toEqual([]);
  });
});
