// What a technician types during `porchlight request --interactive`: each line
// is a contract message, a local action, or a typed error; never a throw.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MESSAGE_SCHEMAS } from '../../src/protocol/messages.js';
import { parseTechnicianLine } from '../../src/cli/technician-input.js';

const SID = 'ses-1';

describe('technician input lines', () => {
  it('plain text is narration for the session', () => {
    expect(parseTechnicianLine('  Restarting the print spooler now ', SID)).toMatchObject({ kind: 'message', msg: { type: 'session.narration', sessionId: SID, text: 'Restarting the print spooler now' } });
  });

  it('/more asks for scopes, time or both, always with a reason', () => {
    expect(parseTechnicianLine('/more admin,file-transfer The installer needs elevation', SID)).toMatchObject({ kind: 'message', msg: { type: 'tech.scope-request', scopes: ['admin', 'file-transfer'], reason: 'The installer needs elevation' } });
    expect(parseTechnicianLine('/more +15 The update is still running', SID)).toMatchObject({ kind: 'message', msg: { type: 'tech.scope-request', scopes: [], extendMinutes: 15 } });
    expect(parseTechnicianLine('/more admin +10 both', SID)).toMatchObject({ kind: 'message', msg: { scopes: ['admin'], extendMinutes: 10 } });
    expect(parseTechnicianLine('/more admin', SID)).toMatchObject({ kind: 'error', code: 'bad-input' });
    expect(parseTechnicianLine('/more root Because', SID)).toMatchObject({ kind: 'error', code: 'bad-input' });
    expect(parseTechnicianLine('/more +ten minutes please', SID)).toMatchObject({ kind: 'error', code: 'bad-input' });
  });

  it('/note is a note of what was changed, with the narration text policy', () => {
    expect(parseTechnicianLine('/note  Set HKLM\\Software\\Contoso\\Sync to 0 ', SID)).toMatchObject({ kind: 'message', msg: { type: 'session.note', sessionId: SID, text: 'Set HKLM\\Software\\Contoso\\Sync to 0' } });
    expect(parseTechnicianLine('/note', SID)).toMatchObject({ kind: 'error', code: 'bad-input', detail: expect.stringContaining('/note needs') });
    expect(parseTechnicianLine(`/note ${'x'.repeat(1001)}`, SID)).toMatchObject({ kind: 'error', code: 'bad-input' });
    expect(parseTechnicianLine('/note a\u001b[2Jb', SID)).toMatchObject({ kind: 'error', code: 'bad-input' });
  });

  it('/end ends the session as the technician; /send names a file; /help and unknown commands', () => {
    expect(parseTechnicianLine('/end', SID)).toMatchObject({ kind: 'message', msg: { type: 'session.end', sessionId: SID, by: 'technician' } });
    expect(parseTechnicianLine('/send /tmp/fix config.reg', SID)).toEqual({ kind: 'send-file', path: '/tmp/fix config.reg' });
    expect(parseTechnicianLine('/send', SID)).toMatchObject({ kind: 'error' });
    expect(parseTechnicianLine('/help', SID)).toEqual({ kind: 'help' });
    expect(parseTechnicianLine('/rm -rf', SID)).toMatchObject({ kind: 'error', detail: expect.stringContaining('unknown command') });
    expect(parseTechnicianLine('   ', SID)).toEqual({ kind: 'none' });
  });

  it('never throws, and every message it makes passes its own schema', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('/more', '/end', '/send', '/help', '/note').chain((c) => fc.string().map((s) => `${c} ${s}`))), (line) => {
        const r = parseTechnicianLine(line, SID);
        if (r.kind === 'message') expect(MESSAGE_SCHEMAS[r.msg.type].safeParse(r.msg).success).toBe(true);
        else expect(['none', 'help', 'send-file', 'error']).toContain(r.kind);
      }),
      { numRuns: 5000, seed: 20261126 },
    );
  });
});
