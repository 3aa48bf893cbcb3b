// Every collection that network input can grow has a bound: 100k events
// (narration, file announcements, notices, technicians) leave each one small.
import { describe, expect, it } from 'vitest';
import { MAX_TRACKED_TECHNICIANS, TechnicianPromptLimiter } from '../../src/core/consent/technician-prompt-limiter.js';
import { HeadlessUi, MAX_REMEMBERED_NOTICES } from '../../src/core/headless/headless-ui.js';
import { KEPT_FILE_RECORDS, KEPT_NARRATION_LINES, LiveSession } from '../../src/core/session/live-session.js';
import { MAX_FRAME_BYTES } from '../../src/protocol/limits.js';
import { technicianAlice } from '../fixtures/sample-messages.js';
import { RecordingNotifier } from './headless/recording-notifier.js';

const EVENTS = 100_000;
const T0 = Date.parse('2026-11-24T10:00:00.000Z');

function session(): LiveSession {
  return new LiveSession({
    sessionId: 'ses-1',
    requestId: 'req-1',
    deviceId: 'dev-0001',
    technician: technicianAlice,
    ticket: { id: 'INC0012345' },
    mode: 'attended',
    authorisation: { kind: 'attended' },
    verificationCode: '123-456',
    outcome: 'accepted',
    granted: ['view', 'file-transfer'],
    startedAt: T0,
    endsAt: T0 + 3600_000,
  });
}

describe('bounded state under 100k events', () => {
  it('a live session keeps the newest narration lines and file records, and counts all', () => {
    const s = session();
    for (let i = 0; i < EVENTS; i++) {
      s.noteNarration({ at: new Date(T0 + i).toISOString(), text: `line ${i}` });
      s.noteFile({ transferId: `x-${i}`, name: `f-${i}.log`, size: i, sha256: 'a'.repeat(64), direction: 'to-device', allowed: i % 2 === 0 });
    }
    expect(s.keptRecords).toEqual({ files: KEPT_FILE_RECORDS, narration: KEPT_NARRATION_LINES });
    const summary = s.summary(T0 + EVENTS, 'user');
    expect(summary.narrationCount).toBe(EVENTS);
    expect(summary.files.length + (summary.filesOmitted ?? 0)).toBe(EVENTS);
    expect(summary.files.at(-1)?.transferId).toBe(`x-${EVENTS - 1}`);
    expect(Buffer.byteLength(JSON.stringify({ summary }))).toBeLessThan(MAX_FRAME_BYTES);
    const view = s.summaryView(summary);
    expect(view.narration).toHaveLength(KEPT_NARRATION_LINES);
    expect(view.narrationOmitted).toBe(EVENTS - KEPT_NARRATION_LINES);
    expect(view.narration.at(-1)?.text).toBe(`line ${EVENTS - 1}`);
  });

  it('the headless UI remembers a bounded number of notices and still de-duplicates a repeat', async () => {
    let now = T0;
    const notifier = new RecordingNotifier();
    const ui = new HeadlessUi({ notifier, log: () => {}, now: () => now });
    for (let i = 0; i < EVENTS; i++) {
      now++;
      ui.notify({ kind: 'info', title: 'Relay', body: `notice ${i}` });
    }
    expect(ui.rememberedNotices).toBeLessThanOrEqual(MAX_REMEMBERED_NOTICES);
    const shownBefore = notifier.shown.length;
    ui.notify({ kind: 'info', title: 'Relay', body: `notice ${EVENTS - 1}` });
    await ui.settled();
    expect(notifier.shown.length).toBe(shownBefore);
  });

  it('the prompt limiter tracks a bounded number of technicians and still limits the newest', () => {
    const limiter = new TechnicianPromptLimiter({ prompts: 3, windowMinutes: 10, autoDeclineAfterDeclines: 2 });
    for (let i = 0; i < EVENTS; i++) {
      limiter.notePrompt(`tech-${i}`, T0);
      limiter.noteDecline(`tech-${i}`, T0);
    }
    expect(limiter.trackedTechnicians).toBeLessThanOrEqual(MAX_TRACKED_TECHNICIANS);
    limiter.noteDecline(`tech-${EVENTS - 1}`, T0);
    expect(limiter.check(`tech-${EVENTS - 1}`, T0)).toBe('too-many-declines');
  });

  it('the prompt limiter keeps a bounded number of times for one busy technician', () => {
    const limiter = new TechnicianPromptLimiter({ prompts: 3, windowMinutes: 10, autoDeclineAfterDeclines: 2 });
    for (let i = 0; i < EVENTS; i++) limiter.notePrompt('alice', T0 + i);
    expect(limiter.check('alice', T0 + EVENTS)).toBe('too-many-prompts');
    expect(limiter.trackedTechnicians).toBe(1);
  });
});
