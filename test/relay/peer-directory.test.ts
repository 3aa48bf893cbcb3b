// Routing goes through the PeerDirectory seam: a directory that knows a device
// connected to "another relay instance" (frames published on a bus, here an
// array) gets that device's frames, and frames the bus delivers back go through
// the same router. This is the plug-in point for Redis pub/sub or NATS.
import { afterEach, describe, expect, it } from 'vitest';
import {
  generateEd25519KeyPair,
  newMessageId,
  signDeviceMessage,
  verifySessionRequestSignature,
  type Message,
} from '../../src/protocol/index.js';
import type { Peer } from '../../src/relay/peer.js';
import { InProcessPeerDirectory } from '../../src/relay/peer-directory.js';
import { connectTechnician } from '../../src/cli/technician/technician-client.js';
import { startTestRelay, type TestRelay } from './harness.js';
import { acceptAndFinish } from './scripted-agent.js';

/** The bus side of a device whose socket is on another instance. */
class RemoteAgent implements Peer {
  readonly connectionId = 'bus:instance-b';
  readonly published: Message[] = [];
  private waiters: Array<(m: Message) => void> = [];
  send(msg: Message): void {
    this.published.push(msg);
    for (const w of this.waiters.splice(0)) w(msg);
  }
  close(): void {}
  sendBinary(): void {}
  next<T extends Message['type']>(type: T): Promise<Message<T>> {
    const have = this.published.find((m) => m.type === type);
    if (have) return Promise.resolve(have as Message<T>);
    return new Promise((resolve) => {
      const wait = (m: Message) => (m.type === type ? resolve(m as Message<T>) : this.waiters.push(wait));
      this.waiters.push(wait);
    });
  }
}

class BusDirectory extends InProcessPeerDirectory {
  constructor(private readonly remote: Map<string, Peer>) {
    super();
  }
  override agent(deviceId: string): Peer | undefined {
    return super.agent(deviceId) ?? this.remote.get(deviceId);
  }
}

let t: TestRelay;
afterEach(() => t.close());

describe('PeerDirectory', () => {
  it('routes a session to a device connected to another instance, and its answers back', async () => {
    const remote = new RemoteAgent();
    t = await startTestRelay({ directory: new BusDirectory(new Map([['dev-remote', remote]])) });
    const deviceKey = generateEd25519KeyPair();
    const enrolledAt = new Date().toISOString();
    await t.storage.registerDevice({ deviceId: 'dev-remote', publicKey: deviceKey.publicKey, enrolledAt, lastSeenAt: null });
    const r = await connectTechnician(t.relay.url, await t.addTechnician('alice'));
    if (!r.ok) throw new Error(r.detail);
    const c = r.client;
    const started = c.waitFor((m) => (m.type === 'session.started' ? m : undefined));
    c.send({ v: 1, type: 'tech.request', id: newMessageId(), deviceId: 'dev-remote', ticket: { id: 'INC-B' }, reason: 'Outlook', scopes: ['view'], mode: 'attended', estimatedMinutes: 10 });

    const request = await remote.next('session.request');
    expect(verifySessionRequestSignature(request, t.relayKey.publicKey)).toBe(true);
    const { requestId, nonce } = request.payload;
    const sessionId = `ses-${requestId}`;
    // The bus delivers the remote agent's frames (device-signed, as every agent's are) to this instance's router.
    const now = Date.now();
    const sign = <M extends Message<'session.decision' | 'session.started'>>(m: M) => signDeviceMessage(m, { deviceId: 'dev-remote', requestId, nonce }, deviceKey);
    await t.relay.router.fromAgent(remote, 'dev-remote', sign({ v: 1, type: 'session.decision', id: newMessageId(), requestId, outcome: 'accepted', granted: ['view'], declined: [], decidedBy: 'user', decidedAt: new Date(now).toISOString(), sessionId }));
    await t.relay.router.fromAgent(remote, 'dev-remote', sign({ v: 1, type: 'session.started', id: newMessageId(), sessionId, requestId, scopes: ['view'], mode: 'attended', startedAt: new Date(now).toISOString(), endsAt: new Date(now + 600_000).toISOString() }));
    expect(await started).toMatchObject({ sessionId });

    c.send({ v: 1, type: 'session.narration', id: newMessageId(), sessionId, text: 'looking at the mail profile' });
    expect(await remote.next('session.narration')).toMatchObject({ sessionId, text: 'looking at the mail profile' });
    expect(t.relay.router.isOnline('dev-remote')).toBe(true);

    // Local agents still go through the same directory.
    const local = await t.agent('dev-1');
    local.answer = acceptAndFinish();
    const summary = c.waitFor((m) => (m.type === 'session.summary' ? m : undefined));
    c.send({ v: 1, type: 'tech.request', id: newMessageId(), deviceId: 'dev-1', ticket: { id: 'INC-A' }, reason: 'Printer', scopes: ['view'], mode: 'attended', estimatedMinutes: 5 });
    expect(await summary).toMatchObject({ summary: { deviceId: 'dev-1' } });
    await c.close();
  });

  it('in process: a replaced connection cannot detach its successor', () => {
    const d = new InProcessPeerDirectory();
    const peer = (id: string): Peer => ({ connectionId: id, send: () => undefined, sendBinary: () => undefined, close: () => undefined });
    const first = peer('c1');
    const second = peer('c2');
    expect(d.attachAgent('dev', first)).toBeUndefined();
    expect(d.attachAgent('dev', second)).toBe(first);
    expect(d.detachAgent('dev', first)).toBe(false);
    expect(d.agent('dev')).toBe(second);
    expect(d.detachAgent('dev', second)).toBe(true);
    expect(d.agentCount).toBe(0);
  });
});
