// The user's own voice during a session (issue 20): the reply box and the quick
// question reach the relay only after the device's audit has them, at most
// USER_MESSAGE_RATE.max in any window, with hostile text refused.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { join } from 'node:path';
import { recordsForTicket } from '../../src/core/audit/export.js';
import { verifyAuditLog } from '../../src/core/audit/verify.js';
import { QUICK_QUESTION_TEXT } from '../../src/core/session/user-messages.js';
import { USER_MESSAGE_RATE } from '../../src/protocol/limits.js';
import { startHarness, startLiveSession, type Harness } from './agent-harness.js';

let h: Harness;
afterEach(async () => h?.stop());

async function live(): Promise<string> {
  h = await startHarness();
  return startLiveSession(h, ['view']);
}

const records = (type: string) => recordsForTicket(join(h.dataDir, 'audit'), 'INC0012345').filter((r) => r.type === type);

describe("the user's messages", () => {
  it('are audited on the device, then sent to the relay with their anchor, and shown back in the banner', async () => {
    const sessionId = await live();
    expect(await h.agent.sendUserMessage(sessionId, 'Outlook shows an error\nabout my profile')).toBe('sent');
    const sent = await h.relay.waitFor('session.user-message');
    expect(sent).toMatchObject({ sessionId, text: 'Outlook shows an error\nabout my profile', at: new Date(h.clock.now()).toISOString() });
    const [rec] = records('session.user-message');
    expect(rec).toMatchObject({ sessionId, text: 'Outlook shows an error\nabout my profile', msgId: sent.id });
    expect(sent.audit).toEqual({ seq: rec!.seq, hash: rec!.hash });
    expect(h.ui.banners.at(-1)?.latestUserMessage?.text).toBe('Outlook shows an error\nabout my profile');
    expect(verifyAuditLog(join(h.dataDir, 'audit')).ok).toBe(true);
  });

  it('the quick question sends its fixed text, marked as such', async () => {
    const sessionId = await live();
    expect(await h.agent.sendUserMessage(sessionId, { quick: 'question' })).toBe('sent');
    expect(await h.relay.waitFor('session.user-message')).toMatchObject({ text: QUICK_QUESTION_TEXT, quick: 'question' });
  });

  it('are in the summary beside the narration, in order, each marked with who wrote it', async () => {
    const sessionId = await live();
    h.relay.send({ v: 1, type: 'session.narration', id: 'n-1', sessionId, text: 'Opening Outlook in safe mode.' });
    await vi.waitFor(() => expect(h.ui.banners.at(-1)?.latestNarration?.text).toBe('Opening Outlook in safe mode.'));
    h.clock.advance(1000);
    await h.agent.sendUserMessage(sessionId, 'It opened.');
    // The banner's latest narration stays the technician's, not the user's reply.
    expect(h.ui.banners.at(-1)?.latestNarration?.text).toBe('Opening Outlook in safe mode.');
    await h.agent.endSession(sessionId);
    await vi.waitFor(() => expect(h.ui.summaries).toHaveLength(1));
    expect(h.ui.summaries[0]!.narration.map((n) => [n.from ?? 'technician', n.text])).toEqual([
      ['technician', 'Opening Outlook in safe mode.'],
      ['user', 'It opened.'],
    ]);
  });

  it(`are refused past ${USER_MESSAGE_RATE.max} in ${USER_MESSAGE_RATE.windowMs / 1000} s, recorded, and the banner says until when`, async () => {
    const sessionId = await live();
    for (let i = 0; i < USER_MESSAGE_RATE.max; i++) expect(await h.agent.sendUserMessage(sessionId, `message ${i}`)).toBe('sent');
    expect(await h.agent.sendUserMessage(sessionId, 'one too many')).toBe('rate-limited');
    expect(records('session.user-message-refused')).toMatchObject([{ reason: 'rate-limited' }]);
    expect(h.ui.banners.at(-1)?.replyPausedUntil).toBe(new Date(h.clock.now() + USER_MESSAGE_RATE.windowMs).toISOString());
    await h.agent.idle();
    expect(h.relay.ofType('session.user-message').map((m) => m.text)).not.toContain('one too many');
    // Once the window has passed, the box works again and the pause is gone.
    h.clock.advance(USER_MESSAGE_RATE.windowMs);
    expect(await h.agent.sendUserMessage(sessionId, 'later')).toBe('sent');
    expect(h.ui.banners.at(-1)?.replyPausedUntil).toBeUndefined();
  });

  it('hostile text is refused by the core itself, whatever the page sent', async () => {
    const sessionId = await live();
    for (const text of ['\u202Eevil', 'bell\u0007', 'zero\u200Bwidth', '   ', 'x'.repeat(1001)]) {
      expect(await h.agent.sendUserMessage(sessionId, text)).toBe('invalid');
    }
    await h.agent.idle();
    expect(h.relay.ofType('session.user-message')).toEqual([]);
    expect(records('session.user-message-refused')).toHaveLength(5);
  });

  it('nothing is sent without a live session with that id', async () => {
    const sessionId = await live();
    expect(await h.agent.sendUserMessage('ses-other', 'hello')).toBe('no-session');
    await h.agent.endSession(sessionId);
    expect(await h.agent.sendUserMessage(sessionId, 'hello')).toBe('no-session');
    expect(h.relay.ofType('session.user-message')).toEqual([]);
  });
});

describe("the user's answer to \"Is your problem solved?\"", () => {
  it('is taken once per ended session, audited on the device, then sent', async () => {
    const sessionId = await live();
    expect(await h.agent.sendResolution({ sessionId, solved: false })).toBe('unknown-session');
    await h.agent.endSession(sessionId);
    expect(await h.agent.sendResolution({ sessionId, solved: false, rating: 2, comment: 'Calendar still empty' })).toBe('sent');
    const sent = await h.relay.waitFor('session.resolution');
    expect(sent).toMatchObject({ sessionId, solved: false, rating: 2, comment: 'Calendar still empty' });
    const [rec] = records('session.resolution');
    expect(rec).toMatchObject({ sessionId, solved: false, rating: 2, msgId: sent.id });
    expect(sent.audit).toEqual({ seq: rec!.seq, hash: rec!.hash });
    expect(await h.agent.sendResolution({ sessionId, solved: true })).toBe('already-answered');
    expect(h.relay.ofType('session.resolution')).toHaveLength(1);
  });

  it('refuses a rating outside 1-5 and hostile comments, whatever main passed on', async () => {
    const sessionId = await live();
    await h.agent.endSession(sessionId);
    for (const bad of [{ rating: 6 }, { rating: 2.5 }, { comment: 'x\u202Eexe' }, { comment: 'y'.repeat(501) }, { extra: 1 }]) {
      expect(await h.agent.sendResolution({ sessionId, solved: true, ...bad } as never)).toBe('invalid');
    }
    expect(h.relay.ofType('session.resolution')).toEqual([]);
  });
});
