// Failover across relay instances (issue 22): the agent tries relayUrl, then each of relayUrls in
// order, with its backoff between attempts, and moves on when the relay it had is lost. Real
// sockets to two relay stand-ins sharing one relay key; a closed port stands for a dead instance.
import { afterEach, describe, expect, it } from 'vitest';
import { generateEd25519KeyPair } from '../../../src/protocol/index.js';
import { until } from '../../support/bounded-wait.js';
import { startHarness, type Harness } from '../agent-harness.js';
import { RelayStandIn } from '../relay-stand-in.js';
import { deadRelayUrl as deadUrl } from '../../support/free-port.js';

let h: Harness | undefined;
const extra: RelayStandIn[] = [];
afterEach(async () => {
  await h?.stop();
  h = undefined;
  for (const r of extra.splice(0)) await r.close();
});

/** Move the fake clock (backoff timers) until `check` holds; each step lets real sockets work. */
async function advanceUntil(harness: Harness, check: () => boolean, what: string): Promise<void> {
  await until(() => {
    if (!check()) harness.clock.advance(60_000);
    return check();
  }, what, () => `status ${JSON.stringify(harness.agent.status())}`);
}

describe('relay failover', () => {
  it('skips an instance that cannot be reached and connects to the next', async () => {
    const relayKey = generateEd25519KeyPair();
    const second = await RelayStandIn.start({ relayKey });
    extra.push(second);
    h = await startHarness({ waitConnected: false, relayOptions: { relayKey }, policy: { relayUrl: await deadUrl(), relayUrls: [second.url] } });
    await advanceUntil(h, () => h!.agent.status().connection === 'connected', 'the agent to connect to the second relay');
    expect(h.agent.status().relayUrl).toBe(second.url);
    expect(second.hellos).toHaveLength(1);
  });

  it('moves to the next instance when the one it had is lost, and comes back round', async () => {
    const relayKey = generateEd25519KeyPair();
    const second = await RelayStandIn.start({ relayKey });
    extra.push(second);
    h = await startHarness({ relayOptions: { relayKey }, policy: { relayUrls: [second.url] } });
    const first = h.relay.url;
    expect(h.agent.status().relayUrl).toBe(first);

    await h.relay.close(); // the first instance dies
    await advanceUntil(h, () => h!.agent.status().connection === 'connected' && h!.agent.status().relayUrl === second.url, 'failover to the second relay');
    expect(second.hellos).toHaveLength(1);
  });

  it('refuses a list with a plain ws:// relay off loopback, naming the entry', async () => {
    const relayKey = generateEd25519KeyPair();
    h = await startHarness({ waitConnected: false, relayOptions: { relayKey }, policy: { relayUrls: ['ws://relay-2.example.com/agent'] } });
    expect(h.agent.status().connection).toBe('not-configured');
    expect(h.ui.describe()).toContain('ws://relay-2.example.com/agent');
  });
});
