// Only a failed replay-cache write may be reported as "replay cache could not be
// written"; a bug during verification declines as `internal` with its message.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AgentCore } from '../../src/core/agent-core.js';
import { AuditLog } from '../../src/core/audit/audit-log.js';
import { recordsForTicket } from '../../src/core/audit/export.js';
import { DEFAULT_POLICY } from '../../src/core/policy/schema.js';
import { HonouredApprovals } from '../../src/core/verification/honoured-approvals.js';
import { ReplayCache } from '../../src/core/verification/replay-cache.js';
import { signSessionRequest, type Message } from '../../src/protocol/index.js';
import { relayKey, requestPayload } from '../fixtures/sample-messages.js';
import { freshNonce } from './agent-harness.js';
import { FakeClock } from './fake-clock.js';
import { ScriptedUi } from './scripted-ui.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function world() {
  const dir = mkdtempSync(join(tmpdir(), 'pl-internal-'));
  dirs.push(dir);
  const clock = new FakeClock();
  const audit = await AuditLog.open({ dir: join(dir, 'audit'), clock });
  const replay = ReplayCache.open(join(dir, 'replay.json'), clock);
  const sent: Message[] = [];
  const ui = new ScriptedUi();
  const core = new AgentCore({
    policy: { ...DEFAULT_POLICY, relayPublicKey: relayKey.publicKey },
    ui,
    audit,
    replay,
    honoured: HonouredApprovals.open(join(dir, 'honoured-approvals.json'), clock),
    deviceId: 'dev-0001',
    clock,
    presence: 'interactive',
    send: (msg) => (sent.push(msg), true),
  });
  const request = () =>
    signSessionRequest(
      requestPayload({ nonce: freshNonce(), issuedAt: new Date(clock.now()).toISOString(), expiresAt: new Date(clock.now() + 120_000).toISOString() }),
      relayKey,
    );
  return { dir, core, audit, replay, sent, ui, request };
}

describe('verification errors', () => {
  it('declines a request as internal, with the error message, when verification has a bug', async () => {
    const w = await world();
    vi.spyOn(w.replay, 'isFresh').mockImplementation(() => {
      throw new TypeError('cannot read nonce of undefined');
    });
    await w.core.handle(w.request());
    await w.core.idle();
    const decision = w.sent.find((m): m is Message<'session.decision'> => m.type === 'session.decision')!;
    expect(decision).toMatchObject({ outcome: 'declined', granted: [], code: 'internal' });
    expect(decision.detail).toContain('cannot read nonce of undefined');
    expect(decision.detail).not.toContain('replay cache');
    expect(w.ui.prompts).toHaveLength(0);
    await w.audit.close();
    const record = recordsForTicket(join(w.dir, 'audit'), 'INC0012345').find((r) => r.type === 'consent.decision');
    expect(record).toMatchObject({ code: 'internal' });
    expect(String(record?.detail)).toContain('cannot read nonce of undefined');
  });

  it('still says the replay cache could not be written when the write itself fails', async () => {
    const w = await world();
    const { rmSync: rm, mkdirSync } = await import('node:fs');
    rm(join(w.dir, 'replay.json'), { force: true });
    mkdirSync(join(w.dir, 'replay.json'));
    await w.core.handle(w.request());
    await w.core.idle();
    const decision = w.sent.find((m): m is Message<'session.decision'> => m.type === 'session.decision')!;
    expect(decision).toMatchObject({ outcome: 'declined', decidedBy: 'audit-failure', code: 'audit-unavailable' });
    expect(decision.detail).toContain('replay cache could not be written');
    await w.audit.close();
  });
});
