// `porchlight relay --hello-timeout-ms --max-unauthenticated-per-address` as a
// child process: the flags reach the relay (a second silent socket from one
// address is dropped, the first is destroyed at its short deadline); bad values
// are usage errors. A sign-in flood against the real process is locked out, logged and audited.
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, runCli, startCli } from './built-cli.js';
import { DATABASE_FILE } from '../../src/relay/data-dir.js';
import { hashSecretToken, newSecretToken } from '../../src/relay/secret-token.js';
import { SqliteStorage } from '../../src/relay/storage/sqlite-storage.js';
import type { AuditRecord } from '../../src/relay/audit/audit-record.js';
import { rawTechnicianHello } from '../support/technician-hello.js';

beforeAll(ensureBuilt, 120_000);

function openSocket(port: number): Promise<Socket> {
  const s = connect(port, '127.0.0.1');
  s.on('error', () => undefined);
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

function closedWithin(s: Socket, ms: number, what: string): Promise<number> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: still open after ${ms} ms`)), ms);
    s.once('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    });
  });
}

describe('porchlight relay connection-limit flags', () => {
  it('applies --hello-timeout-ms and --max-unauthenticated-per-address', async () => {
    const data = mkdtempSync(join(tmpdir(), 'pl-relay-limits-'));
    const relay = startCli(['relay', '--port', '0', '--data', data, '--hello-timeout-ms', '300', '--max-unauthenticated-per-address', '1']);
    try {
      const banner = await relay.waitForOutput(/listening on ws:\/\/\S+:(\d+)/);
      const port = Number(/listening on ws:\/\/\S+:(\d+)/.exec(banner)![1]);
      const first = await openSocket(port);
      const firstClosed = closedWithin(first, 3000, 'silent socket past its 300 ms deadline');
      const second = await openSocket(port);
      await closedWithin(second, 2000, 'second unauthenticated socket from the same address');
      expect(await firstClosed).toBeLessThan(2500);
    } finally {
      relay.child.kill('SIGTERM');
      await relay.done;
    }
  });

  it('a sign-in flood from one address is rate-limited with "retry in N s", logged and audited; a real token waits too', async () => {
    const data = mkdtempSync(join(tmpdir(), 'pl-relay-limits-'));
    const storage = new SqliteStorage(join(data, DATABASE_FILE));
    const token = newSecretToken();
    await storage.addTechnician({ id: 'alice', name: 'Alice Tech', group: 'helpdesk', scopes: ['view'], unattended: false, tokenHash: hashSecretToken(token), createdAt: new Date().toISOString(), disabled: false });
    await storage.close();
    const relay = startCli(['relay', '--port', '0', '--data', data]);
    try {
      const banner = await relay.waitForOutput(/listening on (ws:\/\/\S+) \(port/);
      const url = /listening on (ws:\/\/\S+) \(port/.exec(banner)![1]!;
      const answers: string[] = [];
      for (let i = 0; i < 30; i++) {
        const tried = await rawTechnicianHello(url, newSecretToken());
        answers.push(tried.first.type === 'error' ? `${tried.first.code}: ${tried.first.detail}` : tried.first.type);
        tried.ws.terminate();
      }
      expect(answers.slice(0, 4)).toEqual(Array(4).fill('unauthorized: unknown technician token'));
      expect(answers.slice(4)).toEqual(Array(26).fill(expect.stringMatching(/^rate-limited: too many failed sign-ins, retry in (60|59) s$/)));
      // The address is locked even for a good token.
      const good = await rawTechnicianHello(url, token);
      expect(good.first).toMatchObject({ type: 'error', code: 'rate-limited' });
      good.ws.terminate();
      await relay.waitForStderr(/sign-in locked out \(rate-limited\): 1 lockout\(s\) since the last line; latest: address 127\.0\.0\.1 after unknown-token, retry in 60 s/);
    } finally {
      relay.child.kill('SIGTERM');
      await relay.done;
    }
    const records = new SqliteStorage(join(data, DATABASE_FILE));
    const failed = (await records.queryAudit({ kinds: ['technician-sign-in-failed'] })) as AuditRecord<'technician-sign-in-failed'>[];
    await records.close();
    // Four plain failures, then the lockout once with its length; the refused tries inside it are not recorded one by one.
    expect(failed.map((r) => r.data.reason)).toEqual(['unknown-token', 'unknown-token', 'unknown-token', 'unknown-token', 'locked-out']);
    expect(failed.at(-1)!.data).toMatchObject({ address: '127.0.0.1', retryInSec: 60 });
  });

  it('refuses values out of range', async () => {
    const data = mkdtempSync(join(tmpdir(), 'pl-relay-limits-'));
    const bad = await runCli(['relay', '--data', data, '--hello-timeout-ms', '10']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--hello-timeout-ms must be a whole number 250..120000');
    expect((await runCli(['relay', '--data', data, '--max-unauthenticated-per-address', 'x'])).code).toBe(2);
    const reserve = await runCli(['relay', '--data', data, '--technician-reserve', '0']);
    expect(reserve.code).toBe(2);
    expect(reserve.stderr).toContain('--technician-reserve must be a whole number 1..1000000');
  });
});
