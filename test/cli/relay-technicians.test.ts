// Technician accounts end to end: the admin commands of the built CLI against a
// data dir a real relay process is serving, with the second factor computed
// here from the enrolled secret (an implementation independent of the relay's).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { AuditRecord } from '../../src/relay/audit/audit-record.js';
import { SqliteStorage } from '../../src/relay/storage/sqlite-storage.js';
import { CLOSE } from '../../src/relay/relay-constants.js';
import type { Message } from '../../src/protocol/messages.js';
import { encodeFrame, newMessageId } from '../../src/protocol/frame.js';
import { inTime } from '../support/bounded-wait.js';
import { rawTechnicianHello } from '../support/technician-hello.js';
import { referenceTotp, secretOfUri } from '../support/totp-reference.js';
import { ensureBuilt, runCli, startCli, type RunningCli } from './built-cli.js';

const data = mkdtempSync(join(tmpdir(), 'pl-accounts-'));
let relay: RunningCli;
let url = '';
const outputs: string[] = [];
const secrets: string[] = [];

async function cli(args: string[], input?: string) {
  const run = startCli(['relay', ...args, '--data', data], {}, { stdinPipe: input !== undefined });
  if (input !== undefined) run.child.stdin!.end(input);
  const r = await run.done;
  outputs.push(r.stdout, r.stderr);
  return r;
}

async function addTechnician(name: string, extra: string[] = []): Promise<string> {
  const r = await cli(['add-technician', '--name', name, '--group', 'helpdesk', '--scopes', 'view,control', ...extra]);
  expect(r.code, r.stderr).toBe(0);
  const token = r.stdout.trim().split('\n').at(-1)!;
  secrets.push(token);
  return token;
}

const storage = () => new SqliteStorage(join(data, 'relay.db'));

beforeAll(async () => {
  await ensureBuilt();
  relay = startCli(['relay', '--port', '0', '--data', data, '--require-mfa', 'unattended', '--require-mfa-groups', 'tier3']);
  url = /listening on (ws:\/\/\S+)/.exec(await relay.waitForOutput(/listening on (ws:\/\/\S+)/))![1]!;
}, 120_000);

afterAll(async () => {
  relay?.child.kill('SIGTERM');
  await relay?.done;
});

describe('relay technicians: accounts an IT admin manages', () => {
  it('lists accounts with their state, expiry and MFA, never a secret', async () => {
    const token = await addTechnician('alice', ['--token-days', '10', '--display', 'Alice Moreau']);
    const list = await cli(['technicians', 'list', '--json']);
    expect(list.code).toBe(0);
    const [alice] = JSON.parse(list.stdout) as Array<Record<string, unknown>>;
    expect(alice).toMatchObject({ id: 'alice', name: 'Alice Moreau', group: 'helpdesk', state: 'active', mfa: false, unattended: false, lastSignInAt: null });
    expect(Date.parse(String(alice!.tokenExpiresAt)) - Date.now()).toBeGreaterThan(9.9 * 86_400_000);
    expect(list.stdout).not.toContain('tokenHash');
    const signedIn = await rawTechnicianHello(url, token);
    expect(signedIn.first).toMatchObject({ type: 'welcome', mfa: false, tokenExpiresAt: alice!.tokenExpiresAt });
    signedIn.ws.close();
    const show = await cli(['technicians', 'show', 'alice']);
    expect(show.stdout).toMatch(/lastSignInAt\s+\d{4}-/);
    // A token in its last 14 days: the CLI says so at each use.
    const close = await runCli(['session', 'close', '--relay', url, '--token', token, '--ticket', 'INC1', '--outcome', 'resolved']);
    outputs.push(close.stdout, close.stderr);
    expect(close.stderr).toMatch(/warning: your technician token expires on \d{4}-\d\d-\d\d \(in 10 days\)/);
  });

  it('disable withdraws a connected technician within a second; enable lets them back', async () => {
    const token = await addTechnician('bob');
    const live = await rawTechnicianHello(url, token);
    expect(live.first.type).toBe('welcome');
    const started = Date.now();
    expect((await cli(['technicians', 'disable', 'bob', '--as', 'Dana Admin'])).code).toBe(0);
    expect(await inTime(live.closed, 'bob to be dropped after disable', 5000)).toBe(CLOSE.withdrawn);
    console.log(`withdrawal after disable: ${Date.now() - started} ms (including the CLI process)`);
    const refused = await rawTechnicianHello(url, token);
    expect(refused.first).toMatchObject({ type: 'error', code: 'unauthorized', detail: 'technician bob is disabled' });
    expect((await cli(['technicians', 'enable', 'bob'])).code).toBe(0);
    expect((await rawTechnicianHello(url, token)).first.type).toBe('welcome');
  });

  it('rotate-token: the old token stops at once, or after --grace', async () => {
    const old = await addTechnician('carol');
    const rotated = await cli(['technicians', 'rotate-token', 'carol']);
    const fresh = rotated.stdout.trim().split('\n').at(-1)!;
    secrets.push(fresh);
    expect((await rawTechnicianHello(url, old)).first).toMatchObject({ code: 'unauthorized', detail: 'unknown technician token' });
    expect((await rawTechnicianHello(url, fresh)).first.type).toBe('welcome');
    const graced = await cli(['technicians', 'rotate-token', 'carol', '--grace', '30']);
    secrets.push(graced.stdout.trim().split('\n').at(-1)!);
    expect(graced.stdout).toContain('old token accepted for 30 more minute(s)');
    expect((await rawTechnicianHello(url, fresh)).first.type).toBe('welcome');
  });

  it('set changes rights for the next request of a connected technician; remove drops them', async () => {
    const token = await addTechnician('erin');
    const live = await rawTechnicianHello(url, token);
    expect((await cli(['technicians', 'set', 'erin', '--scopes', 'view', '--group', 'desk2'])).code).toBe(0);
    const s = storage();
    try {
      expect(await s.getTechnician('erin')).toMatchObject({ group: 'desk2', scopes: ['view'] });
    } finally {
      await s.close();
    }
    expect((await cli(['technicians', 'set', 'erin', '--grace', '3'])).code).toBe(2);
    expect((await cli(['technicians', 'remove', 'erin'])).code).toBe(0);
    expect(await inTime(live.closed, 'erin to be dropped after remove', 5000)).toBe(CLOSE.withdrawn);
    expect((await rawTechnicianHello(url, token)).first).toMatchObject({ code: 'unauthorized' });
  });

  it('mfa enroll confirms a first code; unattended then needs a fresh code, each code works once', async () => {
    const token = await addTechnician('frank', ['--unattended']);
    const enrollRun = startCli(['relay', 'technicians', 'mfa', 'enroll', 'frank', '--data', data, '--no-qr'], {}, { stdinPipe: true });
    const printed = await enrollRun.waitForOutput(/otpauth:\/\/\S+/);
    const uri = /otpauth:\/\/\S+/.exec(printed)![0];
    const key = secretOfUri(uri);
    secrets.push(new URL(uri).searchParams.get('secret')!);
    enrollRun.child.stdin!.end(`${referenceTotp(key, Date.now() / 1000)}\n`);
    const enrolled = await enrollRun.done;
    outputs.push(enrolled.stdout, enrolled.stderr);
    expect(enrolled.code, enrolled.stderr).toBe(0);
    // The enrolment used this step's code; the next one (accepted a step early) is still unused.
    const code = referenceTotp(key, Date.now() / 1000 + 30);
    const withCode = await rawTechnicianHello(url, token, { otp: code });
    expect(withCode.first).toMatchObject({ type: 'welcome', mfa: true });
    expect((await rawTechnicianHello(url, token, { otp: code })).first).toMatchObject({ code: 'unauthorized', detail: 'wrong or already used one-time code' });
    // Without a code frank signs in, but may not ask for unattended access.
    const without = await rawTechnicianHello(url, token);
    expect(without.first).toMatchObject({ type: 'welcome', mfa: false });
    const answered = new Promise<Message>((resolve) => without.ws.once('message', (d) => resolve(JSON.parse(d.toString()) as Message)));
    without.ws.send(encodeFrame({
      v: 1, type: 'tech.request', id: newMessageId(), deviceId: 'dev-1', ticket: { id: 'INC9' }, reason: 'patch', scopes: ['view'],
      mode: 'unattended', estimatedMinutes: 10, approval: { kind: 'emergency', justification: 'ransomware', incident: 'SEC-1' },
    }));
    expect(await inTime(answered, 'the answer to an unattended request without a code', 5000)).toMatchObject({
      type: 'error', code: 'mfa-required', detail: expect.stringContaining('unattended and emergency requests need a second factor'),
    });
    without.ws.close();
    const reset = await cli(['technicians', 'mfa', 'reset', 'frank']);
    expect(reset.code).toBe(0);
    expect(JSON.parse((await cli(['technicians', 'show', 'frank', '--json'])).stdout)).toMatchObject({ mfa: false });
  });

  it('a group that always needs a code: sign-in without one is mfa-required (exit 8)', async () => {
    const r = await cli(['add-technician', '--name', 'gina', '--group', 'tier3']);
    const token = r.stdout.trim().split('\n').at(-1)!;
    secrets.push(token);
    expect((await rawTechnicianHello(url, token)).first).toMatchObject({ code: 'mfa-required', detail: expect.stringContaining('mfa enroll gina') });
    const close = await runCli(['session', 'close', '--relay', url, '--token', token, '--ticket', 'INC1', '--outcome', 'resolved']);
    expect(close.code).toBe(8);
  });

  it('every change is in the admin trail with who made it; no secret in any output or record', async () => {
    const s = storage();
    try {
      const admin = (await s.queryAudit({ kinds: ['admin'] })) as AuditRecord<'admin'>[];
      const actions = admin.map((r) => `${r.data.action} ${r.technicianId}`);
      console.log(`admin trail: ${actions.join(', ')}`);
      expect(actions).toEqual(expect.arrayContaining(['technician-added alice', 'technician-disabled bob', 'technician-enabled bob', 'token-rotated carol', 'technician-changed erin', 'technician-removed erin', 'mfa-enrolled frank', 'mfa-reset frank']));
      const disable = admin.find((r) => r.data.action === 'technician-disabled')!;
      expect(disable.data).toMatchObject({ by: userInfo().username, as: 'Dana Admin', before: { disabled: false }, after: { disabled: true } });
      const failures = (await s.queryAudit({ kinds: ['technician-sign-in-failed'] })) as AuditRecord<'technician-sign-in-failed'>[];
      expect(failures.map((r) => r.data.reason)).toEqual(expect.arrayContaining(['disabled', 'unknown-token', 'wrong-otp', 'mfa-not-enrolled']));
      const printed = await cli(['audit', '--admin', '--since', new Date(Date.now() - 3_600_000).toISOString()]);
      expect(printed.stdout).toContain(`admin technician-disabled bob by ${userInfo().username} as Dana Admin (disabled: false -> true)`);
      expect(printed.stdout).toContain('admin technician-changed erin');
      expect((await cli(['audit', '--admin', '--since', '2999-01-01'])).stderr).toContain('no admin records');
      const all = JSON.stringify(await s.queryAudit({}));
      for (const secret of secrets) {
        expect(all).not.toContain(secret);
        for (const out of [...outputs, relay.stdout(), relay.stderr()]) {
          // The token is printed once, by the command that made it; never anywhere else.
          if (!out.includes('shown once') && !out.includes('otpauth://')) expect(out).not.toContain(secret);
        }
      }
    } finally {
      await s.close();
    }
  });

  it('relay review: rights, MFA, use and changes of the month, with flags an auditor acts on', async () => {
    const month = new Date().toISOString().slice(0, 7);
    const s = storage();
    try {
      // Edits behind the CLI's back: a hand-added account and a hand-widened one.
      await s.addTechnician({ id: 'mallory', name: 'Mallory', group: 'helpdesk', scopes: ['view', 'admin'], unattended: true, tokenHash: 'f'.repeat(64), createdAt: new Date().toISOString(), disabled: false });
      await s.updateTechnician('alice', { scopes: ['view', 'control', 'admin'] });
    } finally {
      await s.close();
    }
    const json = await cli(['review', '--month', month, '--format', 'json']);
    expect(json.code, json.stderr).toBe(0);
    const review = JSON.parse(json.stdout) as { chain: { ok: boolean }; technicians: Array<{ id: string; flags: string[]; sessionsThisMonth: number }>; changes: Array<{ action: string; target: string; as: string | null; change: string }> };
    const flags = Object.fromEntries(review.technicians.map((t) => [t.id, t.flags]));
    expect(review.chain.ok).toBe(true);
    expect(flags.mallory).toEqual(expect.arrayContaining(['not-added-through-cli', 'unattended-without-mfa', 'token-without-expiry']));
    expect(flags.alice).toContain('changed-outside-cli');
    expect(flags.frank).toContain('unattended-without-mfa');
    expect(flags.bob).toEqual([]);
    expect(flags.erin).toBeUndefined();
    expect(review.changes).toContainEqual(expect.objectContaining({ action: 'technician-disabled', target: 'bob', as: 'Dana Admin', change: 'disabled: false -> true' }));
    expect(json.stderr).toMatch(/membership review \d{4}-\d\d: \d+ finding\(s\)/);
    const md = await cli(['review', '--month', month]);
    expect(md.stdout).toContain('The central audit chain verifies.');
    expect(md.stdout).toMatch(/\| mallory \(Mallory\) \| helpdesk \|.*not-added-through-cli/);
    const html = await cli(['review', '--month', month, '--format', 'html']);
    expect(html.stdout).toContain('default-src &#39;none&#39;');
    expect(html.stdout).not.toContain('<script');
    // A record edited in the database breaks the chain, and the review says so first.
    const db = new DatabaseSync(join(data, 'relay.db'));
    db.prepare("UPDATE audit SET record = replace(record, 'Dana Admin', 'Someone Else') WHERE kind = 'admin'").run();
    db.close();
    const broken = await cli(['review', '--month', month]);
    expect(broken.stdout).toMatch(/THE CENTRAL AUDIT CHAIN IS BROKEN at seq \d+ \(hash-mismatch\)/);
    expect((await cli(['review', '--month', '2026-13'])).code).toBe(2);
  });
});
