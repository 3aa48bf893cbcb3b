// A full disk under the relay's database: every request the relay cannot
// record is refused with `audit-unavailable` and the cause in words (reply and
// log), never `internal` or SQLite's "cannot rollback"; once space returns the
// same relay records again. The disk is a real tmpfs, filled to the last byte.
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { newMessageId, type Message } from '../../src/protocol/index.js';
import type { TechnicianClient } from '../../src/cli/technician/technician-client.js';
import { startTestRelay, type TestRelay } from './harness.js';
import { mountSmallDisk, tmpfsUnavailable, type SmallDisk } from './small-disk.js';

let t: TestRelay | undefined;
let disk: SmallDisk | undefined;
afterEach(async () => {
  disk?.free();
  await t?.close();
  disk?.unmount();
  t = undefined;
  disk = undefined;
});

async function within<T>(p: Promise<T>, what: string, ms = 3000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** One request, its answer: session.pending or the error that refers to it. */
async function ask(tech: TechnicianClient, deviceId: string): Promise<Message> {
  const id = newMessageId();
  const answer = tech.waitFor((m) => (m.type === 'session.pending' || (m.type === 'error' && m.re === id) ? m : undefined));
  tech.send({ v: 1, type: 'tech.request', id, deviceId, ticket: { id: 'INC7' }, reason: 'Disk full drill', scopes: ['view'], mode: 'attended', estimatedMinutes: 5 });
  const got = await within(answer, `answer to request ${id}`);
  if (!got) throw new Error(`technician socket closed before request ${id} was answered`);
  return got;
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
});
