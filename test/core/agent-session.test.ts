import { afterEach, describe, expect, it, vi } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Scope } from '../../src/protocol/index.js';
import { verifyAuditLog } from '../../src/core/audit/verify.js';
import { recordsForTicket } from '../../src/core/audit/export.js';
import { connected, startHarness, startLiveSession, type Harness, type HarnessOptions } from './agent-harness.js';

let h: Harness;

/** Fields whose values are random or clock-made (ids, hashes, times): digits there are chance, not a leak. */
const NOISE_KEY = /^(id|msgId|sessionId|hash|prevHash|nonce|ts|at|.*At)$/;

/** `path: value` of every leaf under `value` (keys included) that contains `needle`, skipping noise fields. */
function leavesWith(value: unknown, needle: string, path = ''): string[] {
  if (value === null || typeof value !== 'object') return String(value).includes(needle) && !NOISE_KEY.test(path.split('.').at(-1) ?? '') ? [`${path}: ${String(value)}`] : [];
  return Object.entries(value).flatMap(([k, v]) => [...(k.includes(needle) || /confirm/i.test(k) ? [`${path}.${k} (key)`] : []), ...leavesWith(v, needle, `${path}.${k}`)]);
}

/** The same search over the raw audit files on disk, line by line (every line must be JSON). */
function auditLinesWith(dir: string, needle: string): string[] {
  const files = readdirSync(dir).filter((f) => statSync(join(dir, f)).isFile());
  expect(files.length).toBeGreaterThan(0);
  return files.flatMap((f) =>
    readFileSync(join(dir, f), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .flatMap((line) => leavesWith(JSON.parse(line), needle, f)),
  );
}
afterEach(async () => {
  await h?.stop();
});

/** Start a harness and get a live session with these scopes granted. */
async function liveSession(scopes: Scope[] = ['view', 'control'], o: HarnessOptions = {}): Promise<string> {
  h = await startHarness(o);
  return startLiveSession(h, scopes);
}

describe('live sessions', () => {
  it('asks fresh consent for added scopes only on escalation', async () => {
    const sessionId = await liveSession(['view']);
    const esc = h.escalation(sessionId, { scopes: ['view', 'admin'] });
    h.relay.sendScopeRequest(esc);
    const view = await vi.waitFor(() => {
      const p = h.ui.prompts.find((x) => x.kind === 'escalation');
      if (!p) throw new Error('no escalation prompt');
      return p;
    });
    expect(view).toMatchObject({ kind: 'escalation', scopes: ['admin'], sessionId });
    h.ui.answer(view.promptId, ['admin']);
    const update = await h.relay.waitFor('session.scope-update');
    expect(update).toMatchObject({ change: 'escalation-accepted', scopes: ['admin'], granted: ['view', 'admin'], requestId: esc.requestId });
    await h.agent.idle();
    expect(h.agent.grants()).toEqual(['view', 'admin']);
  });

  describe('escalation while the technician holds control: the user must type the code only the dialog shows', () => {
    async function escalate(scopes: Scope[]) {
      const sessionId = await liveSession(scopes);
      h.relay.sendScopeRequest(h.escalation(sessionId, { scopes: ['file-transfer'] }));
      return vi.waitFor(() => h.ui.prompts.find((x) => x.kind === 'escalation') ?? Promise.reject(new Error('none')));
    }

    it('asks for a fresh code and accepts only the right one', async () => {
      const view = await escalate(['view', 'control']);
      expect(view.confirmCode).toMatch(/^[0-9]{3}$/);
      h.ui.answer(view.promptId, ['file-transfer'], { confirmCode: view.confirmCode });
      expect(await h.relay.waitFor('session.scope-update')).toMatchObject({ change: 'escalation-accepted', granted: ['view', 'control', 'file-transfer'] });
    });

    // A known code (injected generator), then every value the relay got and every line of the audit files is searched for it.
    for (const answer of ['right', 'wrong'] as const) {
      it(`the code itself never leaves the dialog: not in any frame to the relay, not in the audit files (${answer} code typed)`, async () => {
        const CODE = '735';
        const sessionId = await liveSession(['view', 'control'], { confirmCode: () => CODE });
        h.relay.sendScopeRequest(h.escalation(sessionId, { scopes: ['file-transfer'] }));
        const view = await vi.waitFor(() => h.ui.prompts.find((x) => x.kind === 'escalation') ?? Promise.reject(new Error('none')));
        expect(view.confirmCode).toBe(CODE);
        h.ui.answer(view.promptId, ['file-transfer'], { confirmCode: answer === 'right' ? CODE : '736' });
        await h.relay.waitFor('session.scope-update');
        await h.agent.idle();
        await h.agent.endSession(sessionId);
        await h.agent.idle();
        const leaks = [...h.relay.received.flatMap((m) => leavesWith(m, CODE)), ...auditLinesWith(join(h.dataDir, 'audit'), CODE)];
        expect(leaks).toEqual([]);
        expect(JSON.stringify(h.relay.received)).not.toMatch(/confirm/i);
      });
    }

    for (const what of ['no code', 'a wrong code'] as const) {
      it(`declines an Allow with ${what}`, async () => {
        const view = await escalate(['view', 'admin']);
        const wrong = view.confirmCode === '000' ? '001' : '000';
        h.ui.answer(view.promptId, ['file-transfer'], what === 'no code' ? {} : { confirmCode: wrong });
        expect(await h.relay.waitFor('session.scope-update')).toMatchObject({ change: 'escalation-declined', granted: ['view', 'admin'] });
        expect(h.agent.grants()).toEqual(['view', 'admin']);
      });
    }

    it('asks for no code when the technician can only watch', async () => {
      const view = await escalate(['view']);
      expect(view.confirmCode).toBeUndefined();
    });
  });

  it('keeps the grants unchanged when an escalation is declined', async () => {
    const sessionId = await liveSession(['view']);
    h.relay.sendScopeRequest(h.escalation(sessionId, { scopes: ['admin'] }));
    const view = await vi.waitFor(() => h.ui.prompts.find((x) => x.kind === 'escalation') ?? Promise.reject(new Error('none')));
    h.ui.answer(view.promptId, 'dismiss');
    expect(await h.relay.waitFor('session.scope-update')).toMatchObject({ change: 'escalation-declined', scopes: ['admin'], granted: ['view'] });
    expect(h.agent.grants()).toEqual(['view']);
  });

  it('extends the session only with consent', async () => {
    const sessionId = await liveSession(['view']);
    const endsBefore = h.agent.status().session!.endsAt;
    h.relay.sendScopeRequest(h.escalation(sessionId, { scopes: [], extendMinutes: 15 }));
    const view = await vi.waitFor(() => h.ui.prompts.find((x) => x.kind === 'escalation') ?? Promise.reject(new Error('none')));
    expect(view.extendMinutes).toBe(15);
    h.ui.answer(view.promptId, ['view']);
    const update = await h.relay.waitFor('session.scope-update');
    expect(update.change).toBe('extended');
    expect(Date.parse(update.endsAt) - Date.parse(endsBefore)).toBe(15 * 60_000);
  });

  it('refuses an escalation for another session without prompting', async () => {
    await liveSession(['view']);
    const esc = h.escalation('ses-other', { scopes: ['admin'] });
    h.relay.sendScopeRequest(esc);
    expect(await h.relay.waitFor('error')).toMatchObject({ code: 'unknown-session' });
    expect(h.ui.prompts.filter((p) => p.kind === 'escalation')).toHaveLength(0);
  });

  it('revokes one scope at once and tells the relay', async () => {
    const sessionId = await liveSession(['view', 'control']);
    expect(await h.agent.revokeScope(sessionId, 'control')).toBe(true);
    expect(h.agent.grants()).toEqual(['view']);
    expect(await h.relay.waitFor('session.scope-update')).toMatchObject({ change: 'revoked', scopes: ['control'], granted: ['view'] });
    expect(h.ui.banners.at(-1)?.granted).toEqual(['view']);
  });

  it('ends the session when the last scope is revoked or the user ends it', async () => {
    const sessionId = await liveSession(['view']);
    await h.agent.revokeScope(sessionId, 'view');
    expect(await h.relay.waitFor('session.end')).toMatchObject({ sessionId, by: 'user' });
    const summary = await h.relay.waitFor('session.summary');
    expect(summary.summary).toMatchObject({ sessionId, endedBy: 'user', scopesGranted: ['view'], ticket: { id: 'INC0012345' } });
    expect(h.agent.grants()).toEqual([]);
    expect(h.ui.hidden).toEqual([sessionId]);
    expect(h.ui.summaries).toHaveLength(1);
    expect(h.agent.status().session).toBeUndefined();
  });

  it('ends the session when the granted time is over', async () => {
    const sessionId = await liveSession(['view'], { policy: { maxSessionMinutes: 10 } });
    h.clock.advance(10 * 60_000 - 1);
    expect(h.agent.grants()).toEqual(['view']);
    h.clock.advance(1);
    expect(h.agent.grants()).toEqual([]);
    expect(await h.relay.waitFor('session.end')).toMatchObject({ sessionId, by: 'expiry' });
    expect((await h.relay.waitFor('session.summary')).summary.durationSec).toBe(600);
    const types = recordsForTicket(join(h.dataDir, 'audit'), 'INC0012345').map((r) => r.type);
    expect(types.slice(-2)).toEqual(['session.ended', 'session.summary']);
  });

  it('ends the session when the technician ends it', async () => {
    const sessionId = await liveSession(['view']);
    h.relay.send({ v: 1, type: 'session.end', id: 'e-1', sessionId, by: 'technician' });
    expect(await h.relay.waitFor('session.summary')).toMatchObject({ summary: { endedBy: 'technician' } });
    expect(h.relay.ofType('session.end')).toHaveLength(0);
    expect(h.agent.grants()).toEqual([]);
  });

  it('ends the session by expiry when the relay ends it for running past its granted time', async () => {
    const sessionId = await liveSession(['view']);
    h.relay.send({ v: 1, type: 'session.end', id: 'e-2', sessionId, by: 'expiry', reason: 'the granted time ended; the relay ended the session' });
    expect(await h.relay.waitFor('session.summary')).toMatchObject({ summary: { endedBy: 'expiry' } });
    // The relay ended it: no end is echoed back.
    expect(h.relay.ofType('session.end')).toHaveLength(0);
    expect(h.agent.grants()).toEqual([]);
  });

  it('declines the prompt on screen when the relay drops', async () => {
    h = await startHarness();
    const req = h.request();
    h.relay.sendRequest(req);
    const view = await h.ui.nextPrompt();
    h.relay.dropAgent();
    await vi.waitFor(() => expect(h.ui.aborted).toEqual([{ promptId: view.promptId, reason: 'relay-lost' }]));
    await h.agent.idle();
    expect(h.agent.grants()).toEqual([]);
    const decision = recordsForTicket(join(h.dataDir, 'audit'), 'INC0012345').find((r) => r.type === 'consent.decision');
    expect(decision).toMatchObject({ outcome: 'declined', decidedBy: 'relay-lost' });
    // It reconnects (backoff with injected randomness) and nothing was granted meanwhile.
    h.clock.advance(1);
    await connected(h);
    expect(h.relay.connections).toBe(2);
    expect(h.agent.status().session).toBeUndefined();
  });

  it('ends the session and all grants when the relay drops', async () => {
    const sessionId = await liveSession(['view', 'control']);
    h.relay.dropAgent();
    await vi.waitFor(() => expect(h.ui.summaries).toHaveLength(1));
    expect(h.ui.summaries[0]).toMatchObject({ sessionId, endedBy: 'relay-lost' });
    expect(h.agent.grants()).toEqual([]);
    expect(h.ui.hidden).toEqual([sessionId]);
    expect(verifyAuditLog(join(h.dataDir, 'audit')).ok).toBe(true);
  });

  it('ends the session when the agent stops', async () => {
    const sessionId = await liveSession(['view']);
    await h.agent.stop();
    expect(await h.relay.waitFor('session.end')).toMatchObject({ sessionId, by: 'agent-exit' });
    expect(h.agent.grants()).toEqual([]);
    h.agent = { ...h.agent, stop: async () => {} };
  });

  it('passes narration to the banner and counts it in the summary', async () => {
    const sessionId = await liveSession(['view']);
    h.relay.send({ v: 1, type: 'session.narration', id: 'n-1', sessionId, text: 'Opening Outlook in safe mode.' });
    await vi.waitFor(() => expect(h.ui.banners.at(-1)?.latestNarration?.text).toBe('Opening Outlook in safe mode.'));
    await h.agent.endSession(sessionId);
    expect((await h.relay.waitFor('session.summary')).summary.narrationCount).toBe(1);
  });

  it('keeps technician notes for the summary ("What was changed") and the device audit, not the banner', async () => {
    const sessionId = await liveSession(['view']);
    const banners = h.ui.banners.length;
    h.relay.send({ v: 1, type: 'session.note', id: 'note-1', sessionId, text: 'Ran sfc /scannow' });
    h.relay.send({ v: 1, type: 'session.note', id: 'note-2', sessionId, text: 'Set Outlook cache mode to 12 months' });
    await vi.waitFor(() => expect(auditLinesWith(join(h.dataDir, 'audit'), 'session.note')).toHaveLength(2));
    expect(h.ui.banners.length).toBe(banners);
    await h.agent.endSession(sessionId);
    await vi.waitFor(() => expect(h.ui.summaries).toHaveLength(1));
    expect(h.ui.summaries[0]!.notes?.map((n) => n.text)).toEqual(['Ran sfc /scannow', 'Set Outlook cache mode to 12 months']);
    expect(auditLinesWith(join(h.dataDir, 'audit'), 'session.note')).toHaveLength(2);
    expect(auditLinesWith(join(h.dataDir, 'audit'), 'Set Outlook cache mode to 12 months')).toHaveLength(1);
  });

  it('answers a note for a session that is not live with unknown-session, and records nothing', async () => {
    await liveSession(['view']);
    h.relay.send({ v: 1, type: 'session.note', id: 'note-x', sessionId: 'ses-nope', text: 'Changed the registry' });
    expect(await h.relay.waitFor('error')).toMatchObject({ code: 'unknown-session', re: 'note-x' });
    expect(auditLinesWith(join(h.dataDir, 'audit'), 'Changed the registry')).toEqual([]);
  });
});

describe('file transfers', () => {
  const transfer = (sessionId: string, over: Record<string, unknown> = {}) => ({
    v: 1 as const,
    type: 'session.file-transfer' as const,
    id: `f-${Math.random().toString(36).slice(2)}`,
    sessionId,
    transferId: `x-${Math.random().toString(36).slice(2)}`,
    name: 'outlook-diag.log',
    size: 1000,
    sha256: 'b'.repeat(64),
    direction: 'from-device' as const,
    ticketId: 'INC0012345',
    ...over,
  });

  it('checks size, extension and ticket, and records every transfer', async () => {
    const sessionId = await liveSession(['view', 'file-transfer']);
    const cases: [Record<string, unknown>, boolean, RegExp?][] = [
      [{}, true],
      [{ name: 'setup.EXE' }, false, /\.exe/],
      [{ name: 'tool.exe. ' }, false, /\.exe/],
      [{ size: 200 * 1024 * 1024 }, false, /larger/],
      [{ ticketId: 'INC0000001' }, false, /ticket/],
    ];
    for (const [over, allowed, detail] of cases) {
      const t = transfer(sessionId, over);
      h.relay.send(t);
      const result = await h.relay.waitFor('session.file-transfer-result', (r) => r.transferId === t.transferId);
      expect(result.allowed).toBe(allowed);
      if (detail) expect(result.detail).toMatch(detail);
    }
    const recorded = recordsForTicket(join(h.dataDir, 'audit'), 'INC0012345').filter((r) => r.type === 'file.transfer');
    expect(recorded).toHaveLength(5);
    expect(recorded[0]).toMatchObject({ name: 'outlook-diag.log', size: 1000, sha256: 'b'.repeat(64), direction: 'from-device', allowed: true });
    await h.agent.endSession(sessionId);
    const summary = await h.relay.waitFor('session.summary');
    expect(summary.summary.files).toHaveLength(5);
    expect(summary.summary.scopesUsed).toContain('file-transfer');
  });

  it('refuses transfers when file-transfer was not granted', async () => {
    const sessionId = await liveSession(['view']);
    const t = transfer(sessionId);
    h.relay.send(t);
    expect(await h.relay.waitFor('session.file-transfer-result')).toMatchObject({ allowed: false, code: 'forbidden' });
  });
});
