// `relay --alert-webhook`: every membership or permission change made with the
// built CLI's admin commands (in their own processes) reaches a local receiver
// from the running relay process as one signed event, retried past the
// receiver's first failures, each accepted once; a temporary account's end is
// an event too; a queue kept while the receiver is down survives a relay restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { AuditRecord } from '../../src/relay/audit/audit-record.js';
import { SqliteStorage } from '../../src/relay/storage/sqlite-storage.js';
import { until } from '../support/bounded-wait.js';
import { rawTechnicianHello } from '../support/technician-hello.js';
import { referenceTotp, secretOfUri } from '../support/totp-reference.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';
import { ensureBuilt, startCli, type RunningCli } from './built-cli.js';

const SECRET = 'webhook-secret-for-the-test-0123456789';
const FAIL_FIRST = 2;

describe('relay --alert-webhook against a local receiver that verifies the HMAC', () => {
  const data = mkdtempSync(join(tmpdir(), 'pl-hook-'));
  const secretFile = join(mkdtempSync(join(tmpdir(), 'pl-hook-secret-')), 'secret');
  writeFileSync(secretFile, `${SECRET}\n`, { mode: 0o600 });
  const receiver = new WebhookReceiver(SECRET, FAIL_FIRST);
  let relay: RunningCli;
  let url = '';
  const tokens: string[] = [];

  const startRelay = async () => {
    relay = startCli(['relay', '--port', '0', '--data', data, '--alert-webhook', `http://127.0.0.1:${receiver.port}/hooks/porchlight`, '--alert-webhook-secret-file', secretFile]);
    url = /listening on (ws:\/\/\S+)/.exec(await relay.waitForOutput(/listening on (ws:\/\/\S+)/))![1]!;
  };
  const stopRelay = async () => {
    relay.child.kill('SIGTERM');
    await relay.done;
  };
  const cli = async (args: string[], expectCode = 0) => {
    const r = await startCli(['relay', ...args, '--data', data]).done;
    expect(r.code, r.stderr).toBe(expectCode);
    return r;
  };
  const addTechnician = async (name: string, extra: string[] = []) => {
    const token = (await cli(['add-technician', '--name', name, '--group', 'helpdesk', '--scopes', 'view', ...extra])).stdout.trim().split('\n').at(-1)!;
    tokens.push(token);
    return token;
  };
  const acceptedTypes = () => receiver.accepted().map((d) => `${d.type} ${String(d.body.technician)}`);
  const waitAccepted = (n: number, what: string) =>
    until(() => receiver.accepted().length >= n, what, () => `${JSON.stringify(receiver.deliveries.map((d) => [d.type, d.status, d.attempt]))}; relay: ${relay.stderr().slice(-1500)}`, { ms: 20_000 });

  beforeAll(async () => {
    await ensureBuilt();
    await receiver.start();
    await startRelay();
    expect(relay.stdout()).toContain(`alert webhook: http://127.0.0.1:${receiver.port}/hooks/porchlight (0 queued)`);
  }, 120_000);

  afterAll(async () => {
    await stopRelay();
    await receiver.stop();
  });

  it('posts each change as one signed event, retried with backoff past the first failures', async () => {
    await addTechnician('carol', ['--unattended']);
    await waitAccepted(1, 'the first event, after the receiver failed it twice');
    const first = receiver.deliveries.filter((d) => d.type === 'technician.added');
    expect(first.map((d) => [d.status, d.attempt])).toEqual([[503, 1], [503, 2], [204, 3]]);
    expect(new Set(first.map((d) => d.id)).size).toBe(1);

    await cli(['technicians', 'set', 'carol', '--group', 'tier2']);
    await cli(['technicians', 'disable', 'carol', '--as', 'Dana Admin']);
    await cli(['technicians', 'enable', 'carol']);
    await cli(['technicians', 'rotate-token', 'carol']);
    const enroll = startCli(['relay', 'technicians', 'mfa', 'enroll', 'carol', '--data', data, '--no-qr'], {}, { stdinPipe: true });
    const key = secretOfUri(/otpauth:\/\/\S+/.exec(await enroll.waitForOutput(/otpauth:\/\/\S+/))![0]);
    enroll.child.stdin!.end(`${referenceTotp(key, Date.now() / 1000)}\n`);
    expect((await enroll.done).code).toBe(0);
    await cli(['technicians', 'mfa', 'reset', 'carol']);
    await cli(['technicians', 'remove', 'carol']);
    await waitAccepted(8, 'an event for every change');
    expect(acceptedTypes()).toEqual([
      'technician.added carol',
      'technician.changed carol',
      'technician.disabled carol',
      'technician.enabled carol',
      'technician.token-rotated carol',
      'technician.mfa-enrolled carol',
      'technician.mfa-reset carol',
      'technician.removed carol',
    ]);
    // Every delivery carried a valid signature; each event was accepted once.
    expect(receiver.deliveries.every((d) => d.signatureOk)).toBe(true);
    expect(new Set(receiver.accepted().map((d) => d.id)).size).toBe(receiver.accepted().length);
    // The event is the admin record's story: who, as whom, before and after, and the record it came from.
    const s = new SqliteStorage(join(data, 'relay.db'));
    const admin = (await s.queryAudit({ kinds: ['admin'] })) as AuditRecord<'admin'>[];
    await s.close();
    const disabled = receiver.accepted()[2]!.body;
    const record = admin.find((r) => r.data.action === 'technician-disabled')!;
    expect(disabled).toMatchObject({
      id: `audit-${record.hash.slice(0, 32)}`,
      type: 'technician.disabled',
      occurredAt: record.at,
      technician: 'carol',
      by: userInfo().username,
      as: 'Dana Admin',
      before: { group: 'tier2', disabled: false },
      after: { group: 'tier2', disabled: true },
      audit: { seq: record.seq, hash: record.hash },
    });
    expect(receiver.accepted()[1]!.body).toMatchObject({ before: { group: 'helpdesk' }, after: { group: 'tier2' } });
  }, 90_000);

  it("announces a temporary account's end, which no command writes", async () => {
    await addTechnician('dave', ['--temporary', '--hours', '1']);
    await waitAccepted(9, 'the added event');
    // The hour passes: the account's end moves into the past (the relay's clock check sees it; no admin record is written).
    const s = new SqliteStorage(join(data, 'relay.db'));
    await s.updateTechnician('dave', { disableAt: new Date(Date.now() - 1000).toISOString() });
    await s.close();
    await waitAccepted(10, 'the temporary-ended event');
    expect(receiver.accepted()[9]!.body).toMatchObject({ type: 'technician.temporary-ended', technician: 'dave', by: null, audit: null });
  }, 60_000);

  it('keeps retrying while the receiver is down without slowing the relay, and the queue survives a relay restart', async () => {
    const token = await addTechnician('frank');
    await waitAccepted(11, 'the added event');
    await receiver.stop();
    await cli(['technicians', 'disable', 'frank']);
    await relay.waitForStderr(/alert webhook event audit-\w+ \(technician\.disabled frank\) attempt 1 of 10 failed \(ECONNREFUSED\); retrying in \d+ ms/);
    // The relay answers sign-ins as usual meanwhile.
    const other = await addTechnician('gus');
    const started = Date.now();
    const signIn = await rawTechnicianHello(url, other);
    expect(signIn.first.type).toBe('welcome');
    expect(Date.now() - started).toBeLessThan(1000);
    signIn.ws.close();
    await stopRelay();
    await receiver.start();
    await startRelay();
    expect(relay.stdout()).toMatch(/alert webhook: \S+ \(2 queued\)/);
    await waitAccepted(13, 'the events queued before the restart');
    expect(acceptedTypes().slice(11)).toEqual(['technician.disabled frank', 'technician.added gus']);
    expect(receiver.accepted()[11]!.attempt).toBeGreaterThanOrEqual(2);
    expect(new Set(receiver.accepted().map((d) => d.id)).size).toBe(receiver.accepted().length);
    for (const t of [token, ...tokens]) expect(JSON.stringify(receiver.deliveries) + relay.stdout() + relay.stderr()).not.toContain(t);
    expect(JSON.stringify(receiver.deliveries)).not.toContain(SECRET);
  }, 90_000);
});
