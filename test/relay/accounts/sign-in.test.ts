// Technician sign-in against a real relay: expired tokens and ended temporary
// accounts named as such, live access withdrawn when an account ends, and the
// failed-sign-in lockout per address and per technician, without slowing anyone else.
import { afterEach, describe, expect, it } from 'vitest';
import { newMessageId } from '../../../src/protocol/frame.js';
import type { Message } from '../../../src/protocol/messages.js';
import type { AuditRecord } from '../../../src/relay/audit/audit-record.js';
import { CLOSE } from '../../../src/relay/relay-constants.js';
import { newSecretToken } from '../../../src/relay/secret-token.js';
import { inTime } from '../../support/bounded-wait.js';
import { rawTechnicianHello } from '../../support/technician-hello.js';
import { base32Decode, referenceTotp } from '../../support/totp-reference.js';
import { startTestRelay, type TestRelay } from '../harness.js';
import { acceptAndStay } from '../scripted-agent.js';

let t: TestRelay | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const request = (deviceId: string): Message<'tech.request'> => ({ v: 1, type: 'tech.request', id: newMessageId(), deviceId, ticket: { id: 'INC7' }, reason: 'VPN drops', scopes: ['view'], mode: 'attended', estimatedMinutes: 15 });

describe('technician sign-in', () => {
  it('an expired token is refused with its date, distinct from an unknown one, and audited', async () => {
    t = await startTestRelay();
    const token = await t.addTechnician('alice');
    await t.storage.updateTechnician('alice', { tokenExpiresAt: '2026-01-31T12:00:00.000Z' });
    expect((await rawTechnicianHello(t.relay.url, token)).first).toMatchObject({ code: 'unauthorized', detail: 'token expired on 2026-01-31' });
    expect((await rawTechnicianHello(t.relay.url, newSecretToken())).first).toMatchObject({ code: 'unauthorized', detail: 'unknown technician token' });
    const failed = (await t.storage.queryAudit({ kinds: ['technician-sign-in-failed'] })) as AuditRecord<'technician-sign-in-failed'>[];
    expect(failed.map((r) => [r.technicianId, r.data.reason])).toEqual([['alice', 'expired'], [null, 'unknown-token']]);
  });

  it('a temporary account that ends mid-session: the session ends on both sides as withdrawn by IT, audited', async () => {
    t = await startTestRelay({ accountWatchMs: 50 });
    const agent = await t.agent('dev-1');
    agent.answer = acceptAndStay();
    const token = await t.addTechnician('temp');
    // As add-technician --temporary makes it: the end is known at sign-in, nobody has to change the account.
    await t.storage.updateTechnician('temp', { disableAt: new Date(Date.now() + 1500).toISOString() });
    const signedIn = await rawTechnicianHello(t.relay.url, token);
    signedIn.ws.send(JSON.stringify(request('dev-1')));
    await inTime(until(() => signedIn.frames.some((m) => m.type === 'session.started')), 'the session to start');
    expect(await inTime(signedIn.closed, 'the temporary account to be dropped', 4000)).toBe(CLOSE.withdrawn);
    const end = agent.received.find((m): m is Message<'session.end'> => m.type === 'session.end');
    expect(end).toMatchObject({ by: 'policy', reason: "the technician's access was withdrawn by IT (account disabled)" });
    expect(signedIn.frames.find((m) => m.type === 'session.end')).toMatchObject({ by: 'policy' });
    const ended = (await t.storage.queryAudit({ kinds: ['session-end'] })) as AuditRecord<'session-end'>[];
    expect(ended.map((r) => r.data.by)).toEqual(['policy']);
    expect((await rawTechnicianHello(t.relay.url, token)).first).toMatchObject({ detail: expect.stringContaining('was a temporary account; it ended on') });
  });

  it('five failures lock an address for a minute, even for a good token (audited once); other addresses sign in', async () => {
    t = await startTestRelay();
    const token = await t.addTechnician('alice');
    for (let i = 0; i < 4; i++) expect((await rawTechnicianHello(t.relay.url, newSecretToken(), { localAddress: '127.0.0.2' })).first).toMatchObject({ code: 'unauthorized' });
    // The fifth failure starts the lockout, and says so.
    expect((await rawTechnicianHello(t.relay.url, newSecretToken(), { localAddress: '127.0.0.2' })).first).toMatchObject({ code: 'rate-limited' });
    const locked = await rawTechnicianHello(t.relay.url, token, { localAddress: '127.0.0.2' });
    expect(locked.first).toMatchObject({ code: 'rate-limited', detail: 'too many failed sign-ins, retry in 60 s' });
    expect((await rawTechnicianHello(t.relay.url, token, { localAddress: '127.0.0.1' })).first.type).toBe('welcome');
    const failed = (await t.storage.queryAudit({ kinds: ['technician-sign-in-failed'] })) as AuditRecord<'technician-sign-in-failed'>[];
    expect(failed.map((r) => r.data.reason)).toEqual(['unknown-token', 'unknown-token', 'unknown-token', 'unknown-token', 'locked-out']);
    expect(failed.at(-1)!.data).toMatchObject({ address: '127.0.0.2', retryInSec: 60 });
  });

  it('five wrong codes lock the technician from any address', async () => {
    t = await startTestRelay();
    const token = await t.addTechnician('bob', { unattended: true });
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    await t.storage.updateTechnician('bob', { mfaSecret: secret, mfaEnrolledAt: new Date().toISOString() });
    const good = referenceTotp(base32Decode(secret), Date.now() / 1000);
    const wrong = good === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) await rawTechnicianHello(t.relay.url, token, { otp: wrong, localAddress: `127.0.0.${10 + i}` });
    const locked = await rawTechnicianHello(t.relay.url, token, { otp: good, localAddress: '127.0.0.20' });
    expect(locked.first).toMatchObject({ code: 'rate-limited', detail: 'too many failed sign-ins, retry in 60 s' });
  });

  it('1,000 bad sign-ins from one address do not stop a real one from another', async () => {
    t = await startTestRelay();
    const token = await t.addTechnician('alice');
    const timed = async () => {
      const started = performance.now();
      const r = await rawTechnicianHello(t!.relay.url, token);
      r.ws.close();
      return { type: r.first.type, ms: performance.now() - started };
    };
    const quiet = await timed();
    let sent = 0;
    let rateLimited = 0;
    const flood = async () => {
      while (sent < 1000) {
        sent++;
        const r = await rawTechnicianHello(t!.relay.url, newSecretToken(), { localAddress: '127.0.0.3' });
        if (r.first.type === 'error' && r.first.code === 'rate-limited') rateLimited++;
      }
    };
    const flooding = Promise.all(Array.from({ length: 20 }, flood));
    const during = [];
    for (let i = 0; i < 5; i++) during.push(await timed());
    await flooding;
    console.log(`sign-in during a 1,000-attempt flood: quiet ${quiet.ms.toFixed(1)} ms, during ${during.map((d) => d.ms.toFixed(1)).join(', ')} ms; ${rateLimited} of 1000 refused as rate-limited`);
    expect(during.every((d) => d.type === 'welcome')).toBe(true);
    expect(rateLimited).toBeGreaterThanOrEqual(995);
    // Locked-out tries are not each written to the audit: the flood costs the chain a handful of records.
    expect((await t.storage.queryAudit({ kinds: ['technician-sign-in-failed'] })).length).toBeLessThanOrEqual(5);
  });
});

function until(check: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const poll = () => (check() ? resolve() : setTimeout(poll, 10));
    poll();
  });
}
