// Fault suite: the agent can't write its replay cache (full disk, unwritable
// data dir). Verification can't remember the nonce durably, so the request is
// declined with a typed error the technician sees, never left without an answer.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Scope } from '../../src/protocol/index.js';
import { startHarness, type Harness } from '../core/agent-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

/**
 * The cache is appended to `replay-cache.json` and compacted through `replay-cache.json.tmp`;
 * directories at both paths make every write fail (also as root).
 */
const breakReplayCache = (x: Harness) => {
  const path = join(x.dataDir, 'replay-cache.json');
  rmSync(path, { force: true });
  mkdirSync(path);
  mkdirSync(`${path}.tmp`);
};

describe('fault: replay cache unwritable', () => {
  it('a session request is declined with audit-unavailable and nobody is asked', async () => {
    const x = (h = await startHarness());
    breakReplayCache(x);
    const req = x.request();
    x.relay.sendRequest(req);
    const d = await x.relay.waitFor('session.decision', (m) => m.requestId === req.requestId);
    expect(d).toMatchObject({ outcome: 'declined', decidedBy: 'audit-failure', code: 'audit-unavailable', granted: [] });
    expect(d.detail).toContain('replay cache could not be written');
    await x.agent.idle();
    expect(x.ui.prompts).toHaveLength(0);
    expect(x.agent.grants()).toEqual([]);
  });

  it('an escalation in a live session is declined the same way', async () => {
    const x = (h = await startHarness());
    const scopes: Scope[] = ['view'];
    const req = x.request({ scopes });
    x.relay.sendRequest(req);
    x.ui.answer((await x.ui.nextPrompt()).promptId, scopes);
    const { sessionId } = await x.relay.waitFor('session.started', (m) => m.requestId === req.requestId);
    await x.agent.idle();
    breakReplayCache(x);
    const esc = x.escalation(sessionId, { scopes: ['control'] });
    x.relay.sendScopeRequest(esc);
    expect(await x.relay.waitFor('session.scope-update', (m) => m.requestId === esc.requestId)).toMatchObject({ change: 'escalation-declined', scopes: ['control'] });
    await x.agent.idle();
    expect(x.ui.prompts).toHaveLength(1);
    expect(x.agent.grants()).toEqual(['view']);
  });
});
