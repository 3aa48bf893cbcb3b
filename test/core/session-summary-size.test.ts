// A long session (many file announcements, much narration) still ends with a
// summary that fits one 64 KiB frame, for the user and the technician; the
// full list stays in the audit log.
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { recordsForTicket } from '../../src/core/audit/export.js';
import { MAX_FRAME_BYTES } from '../../src/protocol/limits.js';
import { startHarness, startLiveSession, type Harness } from './agent-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const FILES = 120;
const NARRATION = 150;

describe('session summary size', () => {
  it('ends a session with 120 long-named files and 150 narration lines with a summary that fits one frame', async () => {
    const x = (h = await startHarness());
    const sessionId = await startLiveSession(x, ['view', 'file-transfer']);
    // Three UTF-8 bytes per character, the longest name the protocol allows.
    const longName = (i: number) => `${String(i).padStart(4, '0')}${'中'.repeat(247)}.log`;
    for (let i = 0; i < NARRATION; i++) {
      x.relay.send({ v: 1, type: 'session.narration', id: `n-${i}`, sessionId, text: `step ${i} ${'x'.repeat(900)}` });
    }
    for (let i = 0; i < FILES; i++) {
      x.relay.send({
        v: 1,
        type: 'session.file-transfer',
        id: `f-${i}`,
        sessionId,
        transferId: `x-${i}`,
        name: longName(i),
        size: 1000,
        sha256: 'b'.repeat(64),
        direction: 'from-device',
        ticketId: 'INC0012345',
      });
    }
    await x.relay.waitFor('session.file-transfer-result', (r) => r.transferId === `x-${FILES - 1}`);
    await x.agent.idle();
    await expect(x.agent.endSession(sessionId)).resolves.toBe(true);
    const { summary } = await x.relay.waitFor('session.summary');
    expect(summary.narrationCount).toBe(NARRATION);
    expect(summary.files.length).toBeGreaterThan(0);
    expect(summary.files.length + (summary.filesOmitted ?? 0)).toBe(FILES);
    // The newest files are the ones listed.
    expect(summary.files.at(-1)?.transferId).toBe(`x-${FILES - 1}`);
    expect(summary.scopesUsed).toContain('file-transfer');
    const frame = x.relay.received.find((m) => m.type === 'session.summary')!;
    expect(Buffer.byteLength(JSON.stringify(frame))).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    const view = x.ui.summaries.at(-1)!;
    expect(view.files.length + (view.filesOmitted ?? 0)).toBe(FILES);
    expect(view.narration.length + (view.narrationOmitted ?? 0)).toBe(NARRATION);
    expect(view.narration.at(-1)?.text).toMatch(/^step 149 /);
    // Every transfer is in the audit log, not only the listed ones.
    const recorded = recordsForTicket(join(x.dataDir, 'audit'), 'INC0012345').filter((r) => r.type === 'file.transfer');
    expect(recorded).toHaveLength(FILES);
  }, 20_000);
});
