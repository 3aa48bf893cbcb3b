// The relay drops an agent whose key an admin replaced (close 4003 with the
// reason): the agent tells the user in plain words, says why in its status and
// stops connecting, instead of retrying a key that is no longer enrolled.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PROTOCOL_CLOSE } from '../../src/protocol/index.js';
import { startHarness, type Harness } from './agent-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const REASON = 'device re-keyed by an admin (AAAA-AAAA-AAAA-AAAA-AAAA -> BBBB-BBBB-BBBB-BBBB-BBBB); this key is no longer enrolled';

describe('an agent whose key was re-keyed away', () => {
  it('shows a notice naming the reason and stops reconnecting', async () => {
    h = await startHarness();
    h.relay.closeAgent(PROTOCOL_CLOSE.rekeyed, REASON);
    await h.relay.whenAgentGone();
    await vi.waitFor(() => expect(h!.ui.notifications.map((n) => n.title)).toContain('Porchlight was disconnected: this device was re-keyed'));
    const notice = h.ui.notifications.find((n) => n.title.includes('re-keyed'))!;
    expect(notice.body).toContain(REASON);
    expect(h.agent.status()).toMatchObject({ connection: 'disconnected', connectionProblem: expect.stringContaining('stopped connecting') });
    // Far past the longest backoff (60 s): no new connection, no retry armed.
    h.clock.advance(5 * 60_000);
    expect(h.relay.connections).toBe(1);
    expect(h.relay.hellos).toHaveLength(1);
  });

  it('still reconnects after an ordinary close', async () => {
    h = await startHarness();
    h.relay.closeAgent(1001, 'going away');
    await h.relay.whenAgentGone();
    await vi.waitFor(() => expect(h!.agent.status().connection).toBe('disconnected'));
    h.clock.advance(60_000);
    await vi.waitFor(() => expect(h!.relay.connections).toBe(2));
    expect(h.ui.notifications.map((n) => n.title)).not.toContain('Porchlight was disconnected: this device was re-keyed');
  });
});
