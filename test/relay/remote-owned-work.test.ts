// What another instance owns with a device here, and what ends at the device when it goes silent.
import { describe, expect, it } from 'vitest';
import { newMessageId, type Message } from '../../src/protocol/index.js';
import { OWNER_LOST_REASON, RemoteOwnedWork } from '../../src/relay/bus/remote-owned-work.js';

const request = (requestId: string) => ({ v: 1, type: 'session.request', id: newMessageId(), payload: { requestId } }) as unknown as Message;
const started = (sessionId: string) => ({ v: 1, type: 'session.started', id: newMessageId(), sessionId }) as unknown as Message;

describe('RemoteOwnedWork', () => {
  it('cancels the pending requests and ends the sessions of the instance that went silent, and only those', () => {
    const work = new RemoteOwnedWork();
    work.toAgent('dev-1', 'relay-1', request('req-1'));
    work.fromAgent('dev-2', 'relay-1', started('ses-2'));
    work.fromAgent('dev-3', 'relay-2', started('ses-3'));
    const ends = work.instanceGone('relay-1');
    expect(ends.map((e) => [e.deviceId, e.frame.type])).toEqual([['dev-1', 'session.cancel'], ['dev-2', 'session.end']]);
    expect(ends[1]!.frame).toMatchObject({ by: 'relay-lost', reason: OWNER_LOST_REASON, sessionId: 'ses-2' });
    expect(work.instanceGone('relay-1')).toEqual([]);
    expect(work.size).toBe(1);
  });

  it('forgets what ended on its own (decided, cancelled, ended)', () => {
    const work = new RemoteOwnedWork();
    work.toAgent('dev-1', 'relay-1', request('req-1'));
    work.fromAgent('dev-1', 'relay-1', { v: 1, type: 'session.decision', id: newMessageId(), requestId: 'req-1' } as unknown as Message);
    work.fromAgent('dev-1', 'relay-1', started('ses-1'));
    work.toAgent('dev-1', 'relay-1', { v: 1, type: 'session.end', id: newMessageId(), sessionId: 'ses-1', by: 'technician' } as unknown as Message);
    expect(work.instanceGone('relay-1')).toEqual([]);
  });

  it('holds at most its bound, the oldest going first', () => {
    const work = new RemoteOwnedWork(3);
    for (let i = 0; i < 5; i++) work.fromAgent(`dev-${i}`, 'relay-1', started(`ses-${i}`));
    expect(work.size).toBe(3);
    expect(work.instanceGone('relay-1').map((e) => e.deviceId)).toEqual(['dev-2', 'dev-3', 'dev-4']);
  });
});
