// `session.late` at a real relay: a report re-sent after the relay lost it is
// appended once (de-duplicated by device + agent seq), flagged late, and
// answered `session.recorded`; one without its audit anchor is refused.
import { afterEach, describe, expect, it } from 'vitest';
import { newMessageId, type Message } from '../../src/protocol/index.js';
import { startTestRelay, type TestRelay } from './harness.js';

let t: TestRelay | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const end = (seq: number, audit = true): Message<'session.end'> => ({
  v: 1, type: 'session.end', id: `end-${seq}`, sessionId: 'ses-lost', by: 'relay-lost', reason: 'the relay went away',
  ...(audit ? { audit: { seq, hash: String(seq % 10).repeat(64) } } : {}),
});
const late = (report: Message<'session.end'>): Message<'session.late'> => ({ v: 1, type: 'session.late', id: newMessageId(), report });

describe('late reports', () => {
  it('appends a late report once, flagged late, and answers session.recorded each time', async () => {
    t = await startTestRelay();
    const agent = await t.agent('dev-1');
    agent.send(late(end(7)));
    const first = await agent.next('session.recorded');
    expect(first).toMatchObject({ re: 'end-7', agentSeq: 7, record: { seq: expect.any(Number) } });
    expect(first.duplicate).toBeUndefined();
    agent.send(late(end(7)));
    expect(await agent.next('session.recorded')).toMatchObject({ re: 'end-7', duplicate: true, record: first.record });
    const records = await t.storage.queryAudit({ kinds: ['session-end'], sessionId: 'ses-lost' });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ deviceId: 'dev-1', data: { by: 'relay-lost', late: true, agentAudit: { seq: 7 } } });
    // Another device's seq 7 is its own record.
    const other = await t.agent('dev-2');
    other.send(late(end(7)));
    expect((await other.next('session.recorded')).duplicate).toBeUndefined();
  });

  it('refuses a late report without its audit anchor', async () => {
    t = await startTestRelay();
    const agent = await t.agent('dev-1');
    const msg = late(end(8, false));
    agent.send(msg);
    expect(await agent.next('error')).toMatchObject({ code: 'bad-frame', re: msg.id });
    expect(await t.storage.queryAudit({ kinds: ['session-end'] })).toEqual([]);
  });
});
