// A full disk under the relay's database: every request the relay cannot
// record is refused with `audit-unavailable` and the cause in words (reply and
// log), never `internal` or SQLite's "cannot rollback"; once space returns the
// same relay records again. The disk is a real tmpfs, filled to the last byte.
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { newMessageId, type Message } from '../../src/protocol/index.js';
import type { TechnicianClient } from '../../src/cli/technician/technician-client.js';
import { startTestRelay, type TestRelay } from './harness.js';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { defaultAuditDir } from '../../src/core/data-dir.js';
import { tmpdir } from 'node:os';
import { createAgent, type Agent } from '../../src/core/agent.js';
import { DEFAULT_POLICY } from '../../src/core/policy/schema.js';
import type { Notification, UiPort } from '../../src/core/ui-port.js';
import { waitUntilOnline } from '../support/wait-until-online.js';
import { decide } from './scripted-agent.js';
import { mountSmallDisk, tmpfsUnavailable, type SmallDisk } from './small-disk.js';
import { inTime } from '../support/bounded-wait.js';

let t: TestRelay | undefined;
let disk: SmallDisk | undefined;
let agent: Agent | undefined;
afterEach(async () => {
  await agent?.stop();
  agent = undefined;
  disk?.free();
  await t?.close();
  disk?.unmount();
  t = undefined;
  disk = undefined;
});

/** One request, its answer: session.pending or the error that refers to it. */
async function ask(tech: TechnicianClient, deviceId: string): Promise<Message> {
  const id = newMessageId();
  const answer = tech.waitFor((m) => (m.type === 'session.pending' || (m.type === 'error' && m.re === id) ? m : undefined));
  tech.send({ v: 1, type: 'tech.request', id, deviceId, ticket: { id: 'INC7' }, reason: 'Disk full drill', scopes: ['view'], mode: 'attended', estimatedMinutes: 5 });
  const got = await inTime(answer, `answer to request ${id}`);
  if (!got) throw new Error(`technician socket closed before request ${id} was answered`);
  return got;
}

/** Fill the disk, then take the pages SQLite still holds, until the database itself refuses a record. */
async function exhaust(t: TestRelay, disk: SmallDisk): Promise<void> {
  disk.fill();
  for (let i = 0; i < 500; i++) {
    const at = new Date().toISOString();
    const entry = { kind: 'narration' as const, at, ticketId: 'filler', deviceId: null, technicianId: null, requestId: null, sessionId: null, data: { text: 'x'.repeat(900) } };
    try {
      await t.storage.appendAudit(entry);
    } catch {
      return;
    }
  }
  throw new Error('500 audit records still fit on a full disk');
}

describe.skipIf(tmpfsUnavailable !== null)(`relay on a full disk${tmpfsUnavailable ? ` (skipped: ${tmpfsUnavailable})` : ''}`, () => {
  it('refuses what it cannot record with audit-unavailable and the cause, and records again once space returns', async () => {
    disk = mountSmallDisk(1024);
    const log: string[] = [];
    t = await startTestRelay({ log: (l) => log.push(l), maxPendingPerTechnician: 1000 }, { path: join(disk.dir, 'relay.db') });
    await t.agent('dev-full');
    const tech = await t.technician('alice');
    expect((await ask(tech, 'dev-full')).type).toBe('session.pending');

    disk.fill();
    // Pages SQLite already holds may take a few more records; the disk runs out within a bounded number.
    const answers: Message[] = [];
    for (let i = 0; i < 200 && answers.at(-1)?.type !== 'error'; i++) answers.push(await ask(tech, 'dev-full'));
    const refused = answers.at(-1);
    expect(refused, `200 requests all recorded on a full disk: ${answers.length}`).toMatchObject({ type: 'error', code: 'audit-unavailable' });
    const detail = (refused as Message<'error'>).detail ?? '';
    expect(detail).toMatch(/cannot write its audit log \(the relay's disk is full/);
    // Every later request is refused the same way, and the relay log names the cause.
    expect(await ask(tech, 'dev-full')).toMatchObject({ type: 'error', code: 'audit-unavailable' });
    expect(log.some((l) => l.includes('audit-unavailable') && l.includes('disk is full'))).toBe(true);
    expect(log.join('\n')).not.toMatch(/cannot rollback|internal error/);

    disk.free();
    expect((await ask(tech, 'dev-full')).type).toBe('session.pending');
    const requests = await t.storage.queryAudit({ kinds: ['request'] });
    expect(requests.length).toBe(answers.filter((a) => a.type === 'session.pending').length + 2);
  });

  it('answers a decision it cannot record with audit-unavailable on both sides, and the request still expires', async () => {
    disk = mountSmallDisk(1024);
    const log: string[] = [];
    t = await startTestRelay({ log: (l) => log.push(l), requestLifetimeMs: 1500, expiryGraceMs: 0 }, { path: join(disk.dir, 'relay.db') });
    const agent = await t.agent('dev-decide');
    const tech = await t.technician('bob');
    const pending = await ask(tech, 'dev-decide');
    expect(pending.type).toBe('session.pending');
    const req = await agent.next('session.request');
    expect((await t.storage.queryAudit({ kinds: ['request'] })).map((r) => r.requestId)).toEqual([req.payload.requestId]);

    await exhaust(t, disk);
    const toTech = tech.waitFor((m) => (m.type === 'error' || m.type === 'session.decision' ? m : undefined));
    const decision = decide(req, 'accepted', ['view'], { sessionId: 'sess-unrecorded', grantedMinutes: 5 });
    agent.send(decision);
    expect(await agent.next('error')).toMatchObject({ code: 'audit-unavailable', re: decision.id });
    const told = await inTime(toTech, 'technician told of the unrecorded decision');
    expect(told).toMatchObject({ type: 'error', code: 'audit-unavailable' });
    expect((told as Message<'error'>).detail).toMatch(/^the relay cannot write its audit log \(disk full\?\): the relay's disk is full/);
    expect(log.some((l) => l.includes('audit-unavailable') && l.includes(req.payload.requestId))).toBe(true);

    // Space returns; the request's expiry still fires: the agent stops prompting, the technician hears `expired`.
    disk.free();
    const expired = tech.waitFor((m) => (m.type === 'session.decision' ? m : undefined));
    expect(await agent.next('session.cancel')).toMatchObject({ requestId: req.payload.requestId });
    expect(await inTime(expired, 'expired decision')).toMatchObject({ outcome: 'expired', requestId: req.payload.requestId });
    // The central audit holds what happened: the request and its expiry, never the unrecorded grant.
    const decisions = await t.storage.queryAudit({ requestId: req.payload.requestId, kinds: ['decision'] });
    expect(decisions.map((d) => (d.data as { outcome: string }).outcome)).toEqual(['expired']);
  });

  it('the real agent applies nothing of a decision the relay could not record, and the user is told', async () => {
    disk = mountSmallDisk(1024);
    const relayDisk = disk;
    t = await startTestRelay({}, { path: join(disk.dir, 'relay.db') });
    const relay = t;
    const notes: Notification[] = [];
    const ui: UiPort = {
      setStatus: () => undefined,
      async showConsent(view) {
        // The disk fills while the user reads the prompt.
        await exhaust(relay, relayDisk);
        return { kind: 'decision', promptId: view.promptId, granted: view.scopes };
      },
      showBanner: () => undefined,
      hideBanner: () => undefined,
      showSummary: () => undefined,
      notify: (n) => void notes.push(n),
    };
    const deviceId = 'dev-real-full';
    const policy = { ...DEFAULT_POLICY, relayUrl: t.relay.url, relayPublicKey: t.relayKey.publicKey };
    const dataDir = mkdtempSync(join(tmpdir(), 'pl-full-agent-'));
    agent = createAgent({ deviceId, presence: 'interactive', ui, dataDir, enrollmentToken: await t.enroll(deviceId), policy });
    await agent.start();
    await waitUntilOnline(t.relay, deviceId);
    const tech = await t.technician('carol');
    const told = tech.waitFor((m) => (m.type === 'error' || m.type === 'session.decision' ? m : undefined));
    expect((await ask(tech, deviceId)).type).toBe('session.pending');
    expect(await inTime(told, 'technician told')).toMatchObject({ type: 'error', code: 'audit-unavailable' });
    const stopped = () => notes.some((n) => n.body.includes('declined (relay did not confirm)'));
    await inTime(
      (async () => {
        while (!stopped()) await new Promise((r) => setImmediate(r));
      })(),
      `agent notice (saw: ${JSON.stringify(notes)})`,
    );
    expect(agent.status().session).toBeUndefined();
    expect(agent.grants()).toEqual([]);
    // The device log says why, and holds no start: nothing was applied.
    const device = readdirSync(defaultAuditDir(dataDir)).flatMap((f) => readFileSync(join(defaultAuditDir(dataDir), f), 'utf8').split('\n').filter(Boolean)).map((l) => (JSON.parse(l) as { type: string }).type);
    expect(device).toContain('consent.unconfirmed');
    expect(device).not.toContain('session.started');
    const decisions = await t.storage.queryAudit({ kinds: ['decision', 'session-started'] });
    expect(decisions).toEqual([]);
  });
});
