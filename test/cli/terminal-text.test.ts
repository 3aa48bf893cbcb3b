// What the CLI and relay print for a person passes the text policy's terminal
// form: device or user text can't send escape sequences, reorder a line or
// hide in invisible characters on the technician's terminal.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeEvent } from '../../src/cli/technician/technician-events.js';
import { main } from '../../src/cli/main.js';
import { AuditLog } from '../../src/core/audit/audit-log.js';
import type { Message } from '../../src/protocol/messages.js';
import { terminalText } from '../../src/protocol/text-policy.js';
import { auditLine } from '../../src/relay/audit/audit-text.js';
import type { AuditRecord } from '../../src/relay/audit/audit-record.js';
import { FakeClock } from '../core/fake-clock.js';
import { capture } from './capture.js';

/** Everything a terminal would act on or a reader could not see. */
// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\u2028\u2029\ufeff\u061c]/u;
const HOSTILE = 'Printer\u001b[2J\u001b]0;pwned\u0007 invoice\u202Efdp.exe \u200bAlice\u2066 913\u2069 z\u0301\u0301\u0301\u0301';

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

describe('terminalText', () => {
  it('shows each refused character as <U+XXXX> and caps combining marks', () => {
    expect(terminalText('a\u001b[31mb')).toBe('a<U+001B>[31mb');
    expect(terminalText('invoice\u202Efdp.exe')).toBe('invoice<U+202E>fdp.exe');
    expect(terminalText('\u200b\u3164')).toBe('<U+200B><U+3164>');
    expect(terminalText('one\u2028two\nthree')).toBe('one<U+2028>two<U+000A>three');
    expect(terminalText('z\u0301\u0301\u0301\u0301')).toBe('z\u0301\u0301');
    expect(terminalText(HOSTILE)).not.toMatch(RAW);
  });

  it('keeps newlines and tabs in multi-line text the CLI wrote itself, nothing else', () => {
    expect(terminalText('a\n\tb\u001bc\u202e', 'multiline')).toBe('a\n\tb<U+001B>c<U+202E>');
  });

  it('leaves ordinary text, any script, as it is', () => {
    for (const ok of ['Zoë Ångström', 'Иван Петров', 'אליס 913 482', '山田太郎', 'ticket INC-1 (view, control)']) expect(terminalText(ok)).toBe(ok);
  });
});

describe('technician lines (porchlight request)', () => {
  // Built directly, as a relay that skipped the schema (or a future field) would deliver them.
  const events = [
    { v: 1, type: 'session.decision', id: 'm1', requestId: 'r1', outcome: 'declined', granted: [], declined: ['view'], decidedBy: 'user', detail: HOSTILE, decidedAt: '2026-01-01T00:00:00.000Z' },
    { v: 1, type: 'session.end', id: 'm2', sessionId: 'ses-1', by: 'user', reason: HOSTILE },
    { v: 1, type: 'error', id: 'm3', code: 'policy-blocked', detail: HOSTILE },
    { v: 1, type: 'channel.close', id: 'm4', channel: 'ch-1', code: 'closed', detail: HOSTILE },
    { v: 1, type: 'session.file-transfer-result', id: 'm5', transferId: 'tr-1', allowed: false, code: 'blocked-extension', detail: HOSTILE },
  ] as unknown as Message[];

  for (const msg of events)
    it(`${msg.type}: device text is shown, neutralised`, () => {
      const line = describeEvent(msg, ['view'])!;
      expect(line).toContain('invoice<U+202E>fdp.exe');
      expect(line).not.toMatch(RAW);
    });
});

describe('audit text for a person', () => {
  it('porchlight audit export --format text escapes what a changed or old log holds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pl-terminal-audit-'));
    dirs.push(dir);
    const log = await AuditLog.open({ dir, clock: new FakeClock() });
    await log.append('request.received', { requestId: 'r1', ticketId: 'INC-T', technicianName: HOSTILE, reason: `line one\n${HOSTILE}` });
    await log.close();
    const { ctx, text } = capture();
    expect(await main(['audit', 'export', '--dir', dir, '--ticket', 'INC-T', '--format', 'text'], ctx)).toBe(0);
    const { stdout } = text();
    expect(stdout).toContain('technicianName=Printer<U+001B>[2J');
    expect(stdout).toContain('invoice<U+202E>fdp.exe');
    // One record, one line: the newline in the reason is shown, not obeyed.
    expect(stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(stdout.replace(/\n$/, '')).not.toMatch(RAW);
  });

  it('porchlight relay audit --format text escapes a stored record', () => {
    const record = {
      seq: 1,
      at: '2026-01-01T00:00:00.000Z',
      ticketId: 'INC-T',
      kind: 'session-end',
      data: { by: 'user', reason: HOSTILE },
    } as unknown as AuditRecord;
    const line = auditLine(record);
    expect(line).toContain('invoice<U+202E>fdp.exe');
    expect(line).not.toMatch(RAW);
  });

  it('an error line quoting what was typed is escaped too', async () => {
    const { ctx, text } = capture();
    expect(await main(['\u001b[2Jwhoami\u202e'], ctx)).toBe(2);
    expect(text().stderr).toContain("unknown command '<U+001B>[2Jwhoami<U+202E>'");
    expect(text().stderr.replace(/\n$/, '')).not.toMatch(RAW);
  });
});
